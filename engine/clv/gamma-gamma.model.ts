import { SuccessEngineError } from '../../core';
import { minimize, minimizeWithWarmStart, numericHessian } from '../optim/minimize';
import { everyKth, WARM_START_SUBSAMPLE } from './bg-nbd.model';
import { logGamma } from '../optim/special-functions';
import type { Matrix } from '../optim/linear-algebra';

/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV"; Colombo & Jiang 1999): each
 * transaction's value ~ Gamma(p, ν), ν ~ Gamma(q, γ) across customers. Fit on repeat customers'
 * mean repeat-transaction value, as lifetimes does.
 */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export interface SpendObservation {
  /** Number of transactions the mean is over (repeat transactions). */
  x: number;
  /** Mean transaction value. */
  monetary: number;
}

export interface GammaGammaFit {
  params: GammaGammaParams;
  logLik: number;
  /** Hessian of the negative log-likelihood in (ln p, ln q, ln γ) at the optimum. */
  logParamHessian: Matrix;
  customers: number;
  converged: boolean;
}

/** ln f(m̄ | x; p, q, γ), the density of a customer's mean spend over x transactions. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, o: SpendObservation): number {
  const { p, q, gamma } = params;
  const px = p * o.x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(gamma) +
    (px - 1) * Math.log(o.monetary) +
    px * Math.log(o.x) -
    (px + q) * Math.log(gamma + o.x * o.monetary)
  );
}

/** Customers usable for the fit: at least one repeat transaction and a positive mean value. */
export function spendObservations<T extends SpendObservation>(rows: readonly T[]): T[] {
  return rows.filter((r) => r.x > 0 && r.monetary > 0 && Number.isFinite(r.monetary));
}

export function fitGammaGamma(observations: readonly SpendObservation[], options: { seed?: number } = {}): GammaGammaFit {
  const data = spendObservations(observations);
  if (data.length < 2)
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `Gamma-Gamma needs at least 2 customers with repeat purchases and positive spend, got ${data.length}`,
    );
  // Fit on spend divided by its mean so γ starts near 1 whatever the currency; γ scales back linearly.
  let mean = 0;
  for (const o of data) mean += o.monetary;
  mean /= data.length;
  const all = prepareSpend(data, mean);
  const n = data.length;
  const nll = (v: readonly number[]) => -spendLogLikelihood(v, all) / n;
  const search = { restarts: 3, seed: options.seed ?? 11, restartSpread: 1, bounds: [-20, 20] as const, tolerance: 1e-9 };
  let result;
  if (n > WARM_START_SUBSAMPLE) {
    const sub = prepareSpend(everyKth(data, Math.ceil(n / WARM_START_SUBSAMPLE)), mean);
    result = minimizeWithWarmStart(nll, (v) => -spendLogLikelihood(v, sub) / sub.count, [0, 0, 0], search);
  } else result = minimize(nll, [0, 0, 0], search);
  if (!Number.isFinite(result.value)) throw new SuccessEngineError('ENGINE.FIT_FAILED', 'Gamma-Gamma likelihood could not be evaluated');
  const params = { p: Math.exp(result.x[0] as number), q: Math.exp(result.x[1] as number), gamma: Math.exp(result.x[2] as number) * mean };
  let logLik = 0;
  for (const o of data) logLik += gammaGammaLogLikelihood(params, o);
  const logParamHessian = numericHessian(nll, result.x).map((row) => row.map((h) => h * n));
  return { params, logLik, logParamHessian, customers: n, converged: result.converged };
}

interface PreparedSpend {
  groups: { x: number; lnX: number; xm: Float64Array; lnM: Float64Array }[];
  count: number;
}

function prepareSpend(rows: readonly SpendObservation[], scale: number): PreparedSpend {
  const byX = new Map<number, SpendObservation[]>();
  for (const o of rows) {
    let list = byX.get(o.x);
    if (!list) byX.set(o.x, (list = []));
    list.push(o);
  }
  const groups = [...byX.entries()].map(([x, list]) => ({
    x,
    lnX: Math.log(x),
    xm: Float64Array.from(list, (o) => (x * o.monetary) / scale),
    lnM: Float64Array.from(list, (o) => Math.log(o.monetary / scale)),
  }));
  return { groups, count: rows.length };
}

/** Total log-likelihood at log-parameters; the Γ terms depend only on x, so once per distinct x. */
function spendLogLikelihood(v: readonly number[], data: PreparedSpend): number {
  const p = Math.exp(v[0] as number);
  const q = Math.exp(v[1] as number);
  const gamma = Math.exp(v[2] as number);
  const lnGamma = Math.log(gamma);
  let total = 0;
  for (const g of data.groups) {
    const px = p * g.x;
    total += (logGamma(px + q) - logGamma(px) - logGamma(q) + q * lnGamma + px * g.lnX) * g.xm.length;
    for (let i = 0; i < g.xm.length; i++) total += (px - 1) * (g.lnM[i] as number) - (px + q) * Math.log(gamma + (g.xm[i] as number));
  }
  return total;
}

/**
 * E[mean spend | x, m̄] = (p(γ + x·m̄)) / (px + q − 1), a weighted average of the population mean
 * pγ/(q−1) and the customer's own mean. With q ≤ 1 the population mean is infinite, so we fall
 * back to the customer's own mean (or 0 with no history) rather than report infinity.
 */
export function expectedSpend(params: GammaGammaParams, o: SpendObservation): number {
  const { p, q, gamma } = params;
  const x = o.monetary > 0 ? o.x : 0;
  const m = x > 0 ? o.monetary : 0;
  const denominator = p * x + q - 1;
  if (denominator <= 0) return m;
  return (p * (gamma + x * m)) / denominator;
}
