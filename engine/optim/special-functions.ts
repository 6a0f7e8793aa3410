/**
 * Special functions for likelihoods: log-gamma, log-beta, log-sum-exp and the Gauss
 * hypergeometric function 2F1 for 0 ≤ z < 1. Pure, no dependencies.
 */

// Lanczos coefficients (g = 7, n = 9): ~15 significant digits for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (reflection for x < 0.5). */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * ln Γ(x + n) − ln Γ(x) for integer n ≥ 0: an exact rising-factorial sum for small n (no
 * cancellation between two large log-gammas), log-gammas otherwise.
 */
export function logRising(x: number, n: number): number {
  if (n <= 0) return 0;
  if (n <= 32) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log(x + i);
    return s;
  }
  return logGamma(x + n) - logGamma(x);
}

/** ln(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** ln Σ e^{v_i}. */
export function logSumExp(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  if (m === -Infinity || !Number.isFinite(m)) return m;
  let s = 0;
  for (const v of values) s += Math.exp(v - m);
  return m + Math.log(s);
}

/**
 * Gauss hypergeometric 2F1(a, b; c; z) for 0 ≤ z < 1 and a, b, c > 0, by its power series,
 * returned as its natural log plus `logPrefactor` (so e^{logPrefactor}·2F1 never overflows or
 * underflows in between, as in BG/NBD's ((α+T)/(α+T+t))^{r+x}·2F1 for heavy buyers). The terms
 * are positive; we stop once they are decreasing and no longer change the sum. Convergence
 * slows as z → 1, so callers keep horizons finite. Returns NaN if it does not converge.
 */
export function logHyp2f1(a: number, b: number, c: number, z: number, logPrefactor = 0, maxTerms = 100_000): number {
  if (z === 0) return logPrefactor;
  if (!(z > 0 && z < 1) || !(a > 0 && b > 0 && c > 0)) return NaN;
  let term = 1;
  let sum = 1;
  let logScale = logPrefactor;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (ratio < 1 && term <= 1e-17 * sum) return logScale + Math.log(sum);
    if (sum > 1e250) {
      // Rescale so heavy-buyer terms never overflow.
      logScale += Math.log(sum);
      term /= sum;
      sum = 1;
    }
  }
  return NaN;
}

/** 2F1(a, b; c; z) for 0 ≤ z < 1 and a, b, c > 0 (see logHyp2f1). */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  return Math.exp(logHyp2f1(a, b, c, z));
}
