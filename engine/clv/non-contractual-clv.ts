import { SuccessEngineError } from '../../core';
import { cholesky, invertSpd, lowerTimes, type Matrix } from '../optim/linear-algebra';
import { createRandom } from '../optim/random';
import { expectedTransactions, probabilityAlive, type BgNbdFit, type BgNbdParams, type RecencyFrequency } from './bg-nbd.model';
import { expectedSpend, type GammaGammaFit, type GammaGammaParams } from './gamma-gamma.model';

/** Weeks in an average month; BG/NBD time is in weeks, CLV horizons in months. */
export const WEEKS_PER_MONTH = 365.25 / 12 / 7;

export interface ClvOptions {
  horizonMonths: number;
  /** Discount rate per month (e.g. 0.01 ≈ 12.7 % a year). */
  monthlyDiscountRate: number;
  /** Share of spend that is margin (1 = revenue CLV). */
  margin?: number;
}

export interface NonContractualCustomer extends RecencyFrequency {
  /** Mean repeat-transaction value; 0 without repeat purchases. */
  monetary: number;
}

export interface ClvInterval {
  point: number;
  p10: number;
  p50: number;
  p90: number;
}

export interface NonContractualClv extends ClvInterval {
  pAlive: number;
  expectedTransactions: number;
  expectedSpend: number;
}

export interface ParameterDraw {
  bgnbd: BgNbdParams;
  gammaGamma: GammaGammaParams;
}

/**
 * Discounted CLV: Σ_{m=1..H} (E[X(m)] − E[X(m−1)]) · E[spend] · margin / (1+d)^m, with E[X(·)] the
 * BG/NBD conditional expectation (monthly steps, as lifetimes does). Never negative: E[X] is
 * non-decreasing in time and spend and margin are not negative.
 */
export function discountedClv(bg: BgNbdParams, gg: GammaGammaParams, c: NonContractualCustomer, options: ClvOptions): number {
  const spend = Math.max(0, expectedSpend(gg, c)) * (options.margin ?? 1);
  if (spend === 0) return 0;
  let previous = 0;
  let total = 0;
  for (let m = 1; m <= options.horizonMonths; m++) {
    const cumulative = expectedTransactions(bg, c, m * WEEKS_PER_MONTH);
    total += (Math.max(0, cumulative - previous) * spend) / Math.pow(1 + options.monthlyDiscountRate, m);
    previous = Math.max(previous, cumulative);
  }
  return total;
}

/**
 * Parameter draws for intervals by a Laplace approximation: the MLE of (ln r, ln α, ln a, ln b)
 * and of (ln p, ln q, ln γ) is taken as normal with covariance equal to the inverse Hessian of the
 * negative log-likelihood; drawing on the log scale keeps every draw valid. If a Hessian is not
 * positive definite (a degenerate fit), that model's parameters are held at the MLE.
 */
export function laplaceDraws(bg: BgNbdFit, gg: GammaGammaFit, draws: number, seed: number): ParameterDraw[] {
  const random = createRandom(seed);
  const bgL = choleskyOfInverse(bg.logParamHessian);
  const ggL = choleskyOfInverse(gg.logParamHessian);
  const bgMean = [bg.params.r, bg.params.alpha, bg.params.a, bg.params.b].map(Math.log);
  const ggMean = [gg.params.p, gg.params.q, gg.params.gamma].map(Math.log);
  const out: ParameterDraw[] = [];
  for (let k = 0; k < draws; k++) {
    const bv = perturb(bgMean, bgL, () => random.normal());
    const gv = perturb(ggMean, ggL, () => random.normal());
    out.push({
      bgnbd: { r: Math.exp(bv[0] as number), alpha: Math.exp(bv[1] as number), a: Math.exp(bv[2] as number), b: Math.exp(bv[3] as number) },
      gammaGamma: { p: Math.exp(gv[0] as number), q: Math.exp(gv[1] as number), gamma: Math.exp(gv[2] as number) },
    });
  }
  return out;
}

function choleskyOfInverse(hessian: Matrix): Matrix | undefined {
  const cov = invertSpd(hessian);
  return cov ? cholesky(cov) : undefined;
}

function perturb(mean: readonly number[], l: Matrix | undefined, normal: () => number): number[] {
  if (!l) return [...mean];
  const shift = lowerTimes(
    l,
    mean.map(() => normal()),
  );
  return mean.map((m, i) => m + (shift[i] as number));
}

/** Linear-interpolated quantile of a sorted array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/**
 * Point CLV at the MLE and P10/P50/P90 over parameter draws. The plug-in point of a nonlinear
 * function need not lie between draw quantiles; when it does not, the interval is widened to
 * include it, so p10 ≤ point ≤ p90 always holds.
 */
export function intervalFrom(point: number, samples: number[]): ClvInterval {
  if (samples.length === 0) return { point, p10: point, p50: point, p90: point };
  samples.sort((x, y) => x - y);
  const p10 = Math.min(point, quantile(samples, 0.1));
  const p90 = Math.max(point, quantile(samples, 0.9));
  const p50 = Math.min(p90, Math.max(p10, quantile(samples, 0.5)));
  return { point, p10, p50, p90 };
}

export interface NonContractualModel {
  bgnbd: BgNbdFit;
  gammaGamma: GammaGammaFit;
}

/** Score customers: P(alive), expected transactions and spend over the horizon, CLV with interval. */
export function scoreNonContractual(
  model: NonContractualModel,
  customers: readonly NonContractualCustomer[],
  options: ClvOptions & { draws?: number; seed?: number },
): NonContractualClv[] {
  if (!(options.horizonMonths > 0) || !Number.isInteger(options.horizonMonths))
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `horizonMonths must be a positive integer, got ${options.horizonMonths}`);
  if (!(options.monthlyDiscountRate >= 0))
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `monthlyDiscountRate must be ≥ 0, got ${options.monthlyDiscountRate}`);
  const draws = laplaceDraws(model.bgnbd, model.gammaGamma, options.draws ?? 100, options.seed ?? 1);
  const bg = model.bgnbd.params;
  const gg = model.gammaGamma.params;
  return customers.map((c) => {
    const point = discountedClv(bg, gg, c, options);
    const samples = draws.map((d) => discountedClv(d.bgnbd, d.gammaGamma, c, options));
    return {
      ...intervalFrom(point, samples),
      pAlive: probabilityAlive(bg, c),
      expectedTransactions: expectedTransactions(bg, c, options.horizonMonths * WEEKS_PER_MONTH),
      expectedSpend: expectedSpend(gg, c),
    };
  });
}
