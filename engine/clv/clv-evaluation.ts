import { SuccessEngineError } from '../../core';
import { expectedTransactions, fitBgNbd, type BgNbdFit } from './bg-nbd.model';
import { summarizeCustomers, type Purchase } from './customer-summary';
import { fitGammaGamma, type GammaGammaFit } from './gamma-gamma.model';

export interface ClvEvaluation {
  bgnbd: { r: number; alpha: number; a: number; b: number; logLik: number };
  gammaGamma: { p: number; q: number; gamma: number };
  /** Mean over customers of |predicted − actual| holdout transactions. */
  holdoutMae: number;
  /** (Σ predicted − Σ actual) / Σ actual · 100 over the holdout. */
  aggregateErrorPct: number;
  customers: number;
  repeatCustomers: number;
  holdoutWeeks: number;
  predictedHoldoutTransactions: number;
  actualHoldoutTransactions: number;
  fits: { bgnbd: BgNbdFit; gammaGamma: GammaGammaFit };
}

/**
 * Fit BG/NBD and Gamma-Gamma on the calibration period and score the holdout: the standard
 * calibration/holdout check of Fader, Hardie & Lee (2005). Days are UTC day numbers, time in weeks.
 */
export function evaluateClv(
  purchases: Iterable<Purchase>,
  options: { calibrationEnd: number; holdoutEnd: number; seed?: number },
): ClvEvaluation {
  const summaries = summarizeCustomers(purchases, options);
  if (summaries.length === 0)
    throw new SuccessEngineError('ENGINE.BAD_INPUT', 'no customer has a purchase on or before the calibration end');
  const seed = options.seed ?? 7;
  const bg = fitBgNbd(summaries, { seed });
  const gg = fitGammaGamma(summaries, { seed });
  const holdoutWeeks = (options.holdoutEnd - options.calibrationEnd) / 7;
  let absError = 0;
  let predicted = 0;
  let actual = 0;
  for (const c of summaries) {
    const e = expectedTransactions(bg.params, c, holdoutWeeks);
    absError += Math.abs(e - c.holdoutX);
    predicted += e;
    actual += c.holdoutX;
  }
  return {
    bgnbd: { ...bg.params, logLik: bg.logLik },
    gammaGamma: { ...gg.params },
    holdoutMae: absError / summaries.length,
    aggregateErrorPct: actual > 0 ? ((predicted - actual) / actual) * 100 : NaN,
    customers: summaries.length,
    repeatCustomers: gg.customers,
    holdoutWeeks,
    predictedHoldoutTransactions: predicted,
    actualHoldoutTransactions: actual,
    fits: { bgnbd: bg, gammaGamma: gg },
  };
}
