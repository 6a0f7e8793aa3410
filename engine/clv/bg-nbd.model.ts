import { SuccessEngineError } from '../../core';
import { minimize, minimizeWithWarmStart, numericHessian } from '../optim/minimize';
import { logAddExp, logHyp2f1, logRising } from '../optim/special-functions';
import type { Matrix } from '../optim/linear-algebra';

/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive a
 * customer buys as Poisson(λ), λ ~ Gamma(r, α); after each purchase they drop out with probability
 * p, p ~ Beta(a, b). Time unit: whatever x/tx/T are in (weeks in this product).
 */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** What the model needs from a customer: repeat count x, recency tx, age T. */
export interface RecencyFrequency {
  x: number;
  tx: number;
  T: number;
}

export interface BgNbdFit {
  params: BgNbdParams;
  logLik: number;
  /** Hessian of the negative log-likelihood in (ln r, ln α, ln a, ln b) at the optimum (for Laplace intervals). */
  logParamHessian: Matrix;
  customers: number;
  converged: boolean;
}

export function validateRecencyFrequency(c: RecencyFrequency, index: number): void {
  const ok = Number.isInteger(c.x) && c.x >= 0 && c.tx >= 0 && c.T >= 0 && c.tx <= c.T + 1e-9 && Number.isFinite(c.T);
  if (!ok || (c.x === 0 && c.tx !== 0)) {
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `customer row ${index}: need integer x ≥ 0 and 0 ≤ tx ≤ T (tx = 0 when x = 0), got x=${c.x} tx=${c.tx} T=${c.T}`,
      { index },
    );
  }
}

/**
 * Per-customer log-likelihood (eq. 6 of the paper) in a stable form:
 * ln[Γ(r+x)αʳ/Γ(r)] + ln[B(a, b+x)/B(a,b)] + ln( (α+T)^{−(r+x)} + 1{x>0}·a/(b+x−1)·(α+tx)^{−(r+x)} ),
 * the last term by log-sum-exp so neither summand underflows for heavy buyers.
 */
export function bgNbdLogLikelihood(params: BgNbdParams, c: RecencyFrequency): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = c;
  const shared = logRising(r, x) + r * Math.log(alpha) + logRising(b, x) - logRising(a + b, x);
  const aliveToT = -(r + x) * Math.log(alpha + T);
  if (x === 0) return shared + aliveToT;
  const diedAfterTx = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return shared + logAddExp(aliveToT, diedAfterTx);
}

/** Sum of log-likelihoods; customers grouped by x so the Γ terms are computed once per distinct x. */
function totalLogLikelihood(params: BgNbdParams, data: PreparedData): number {
  const { r, alpha, a, b } = params;
  const lnA = Math.log(a);
  const lnAlpha = Math.log(alpha);
  let total = 0;
  for (const group of data.groups) {
    const { x, tx, T } = group;
    const shared = logRising(r, x) + r * lnAlpha + logRising(b, x) - logRising(a + b, x);
    total += shared * T.length;
    const rx = r + x;
    if (x === 0) {
      for (let i = 0; i < T.length; i++) total -= rx * Math.log(alpha + (T[i] as number));
    } else {
      const lnAOverB = lnA - Math.log(b + x - 1);
      for (let i = 0; i < T.length; i++) {
        const u = -rx * Math.log(alpha + (T[i] as number));
        const v = lnAOverB - rx * Math.log(alpha + (tx[i] as number));
        total += u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
      }
    }
  }
  return total;
}

interface PreparedData {
  groups: { x: number; tx: Float64Array; T: Float64Array }[];
  count: number;
}

function prepare(customers: readonly RecencyFrequency[], timeScale: number): PreparedData {
  const byX = new Map<number, RecencyFrequency[]>();
  customers.forEach((c, i) => {
    validateRecencyFrequency(c, i);
    let list = byX.get(c.x);
    if (!list) byX.set(c.x, (list = []));
    list.push(c);
  });
  const groups = [...byX.entries()].map(([x, list]) => ({
    x,
    tx: Float64Array.from(list, (c) => c.tx * timeScale),
    T: Float64Array.from(list, (c) => c.T * timeScale),
  }));
  return { groups, count: customers.length };
}

const fromLog = (v: readonly number[]): BgNbdParams => ({
  r: Math.exp(v[0] as number),
  alpha: Math.exp(v[1] as number),
  a: Math.exp(v[2] as number),
  b: Math.exp(v[3] as number),
});

/**
 * Maximum-likelihood fit on log-parameters (so every trial point is valid). Time is rescaled
 * internally so the longest age is 10 units (α scales with time; r, a, b do not), which keeps
 * the optimiser equally well conditioned for days, weeks or months.
 */
export function fitBgNbd(customers: readonly RecencyFrequency[], options: { seed?: number } = {}): BgNbdFit {
  if (customers.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'BG/NBD needs at least one customer');
  let maxT = 0;
  for (const c of customers) maxT = Math.max(maxT, c.T);
  if (!(maxT > 0)) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'BG/NBD needs customers with a positive age T');
  if (!customers.some((c) => c.x > 0)) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'BG/NBD needs at least one repeat transaction');
  const scale = 10 / maxT;
  const data = prepare(customers, scale);
  const n = data.count;
  // Mean negative log-likelihood: gradients and tolerances do not grow with the book size.
  const nll = (v: readonly number[]) => -totalLogLikelihood(fromLog(v), data) / n;
  const search = { restarts: 3, seed: options.seed ?? 7, restartSpread: 1, bounds: [-20, 20] as const, tolerance: 1e-9 };
  let result;
  if (n > WARM_START_SUBSAMPLE) {
    const sub = prepare(everyKth(customers, Math.ceil(n / WARM_START_SUBSAMPLE)), scale);
    result = minimizeWithWarmStart(nll, (v) => -totalLogLikelihood(fromLog(v), sub) / sub.count, [0, 0, 0, 0], search);
  } else result = minimize(nll, [0, 0, 0, 0], search);
  if (!Number.isFinite(result.value))
    throw new SuccessEngineError('ENGINE.FIT_FAILED', 'BG/NBD likelihood could not be evaluated at any starting point');
  const scaled = fromLog(result.x);
  const params = { ...scaled, alpha: scaled.alpha / scale };
  // ln α in original units differs only by a constant, so the Hessian in log space is unchanged.
  const logParamHessian = numericHessian(nll, result.x).map((row) => row.map((h) => h * n));
  // The likelihood has densities in tx, so report it re-evaluated in the caller's time units.
  const original = prepare(customers, 1);
  return { params, logLik: totalLogLikelihood(params, original), logParamHessian, customers: n, converged: result.converged };
}

/** Above this many customers the optimiser searches on a subsample first, then polishes on all. */
export const WARM_START_SUBSAMPLE = 5000;

/** Every k-th row: a deterministic, order-spread subsample. */
export function everyKth<T>(rows: readonly T[], k: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < rows.length; i += k) out.push(rows[i] as T);
  return out;
}

/** P(alive at T | x, tx, T) (eq. 13). Equals 1 for x = 0 under BG/NBD. */
export function probabilityAlive(params: BgNbdParams, c: RecencyFrequency): number {
  if (c.x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a) - Math.log(b + c.x - 1) + (r + c.x) * (Math.log(alpha + c.T) - Math.log(alpha + c.tx));
  return 1 / (1 + Math.exp(logOdds));
}

/**
 * Unconditional E[X(t)] for a new customer (eq. 9):
 * (a+b−1)/(a−1)·[1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))].
 */
export function expectedTransactionsNew(params: BgNbdParams, t: number): number {
  return posteriorExpected(params.r, params.alpha, params.a, params.b, t);
}

/**
 * Conditional expectation of transactions in (T, T+t] (eq. 10): P(alive) times the
 * unconditional formula with updated parameters (r+x, α+T, a, b+x).
 */
export function expectedTransactions(params: BgNbdParams, c: RecencyFrequency, t: number): number {
  if (t <= 0) return 0;
  return probabilityAlive(params, c) * posteriorExpected(params.r + c.x, params.alpha + c.T, params.a, params.b + c.x, t);
}

function posteriorExpected(r: number, alpha: number, a0: number, b: number, t: number): number {
  if (t <= 0) return 0;
  // The closed form has a removable singularity at a = 1; step off it.
  const a = Math.abs(a0 - 1) < 1e-7 ? 1 + 1e-7 : a0;
  const c = a + b - 1;
  const z = t / (alpha + t);
  if (c > 0) {
    const tail = Math.exp(logHyp2f1(r, b, c, z, r * Math.log(alpha / (alpha + t))));
    const value = (c / (a - 1)) * (1 - tail);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  return expectedBySum(r, alpha, a, b, t);
}

/**
 * Fallback when a + b ≤ 1 makes the closed form invalid: E[X(t)] = Σ_{n≥1} P(X(t) ≥ n) with
 * P(X(t) ≥ n) = B(a, b+n−1)/B(a,b) · P(NBD ≥ n | r, α, t) — exact, summed until negligible.
 */
function expectedBySum(r: number, alpha: number, a: number, b: number, t: number): number {
  const p = alpha / (alpha + t);
  // NBD(r, p) pmf recursion: P(0) = p^r, P(k) = P(k−1)·(r+k−1)/k·(1−p).
  let pmf = Math.pow(p, r);
  let cdf = pmf;
  let survive = 1; // B(a, b+n−1)/B(a,b), n = 1
  let sum = 0;
  for (let n = 1; n < 1_000_000; n++) {
    const tailN = 1 - cdf; // P(NBD ≥ n)
    const term = survive * tailN;
    sum += term;
    if (term < 1e-12 * sum && n > 10) break;
    pmf *= ((r + n - 1) / n) * (1 - p);
    cdf += pmf;
    survive *= (b + n - 1) / (a + b + n - 1);
  }
  return sum;
}
