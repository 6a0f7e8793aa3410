import { logGamma } from '../optim/special-functions';
import {
  bgNbdLogLikelihood,
  expectedTransactions,
  expectedTransactionsNew,
  fitBgNbd,
  probabilityAlive,
  type BgNbdParams,
} from './bg-nbd.model';
import { simulateBgNbd } from './bg-nbd.simulator';

const truth: BgNbdParams = { r: 0.25, alpha: 4.4, a: 0.8, b: 2.4 };

/** Eq. 6 of Fader, Hardie & Lee (2005) written out naively, for comparison. */
function naiveLogLik({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number): number {
  const A1 = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
  const A2 = logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
  const A3 = -(r + x) * Math.log(alpha + T);
  const A4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return A1 + A2 + Math.log(Math.exp(A3) + Math.exp(A4));
}

describe('BG/NBD', () => {
  it('log-likelihood equals the paper’s formula, and stays finite where the naive one underflows', () => {
    for (const [x, tx, T] of [
      [0, 0, 30],
      [1, 5, 30],
      [7, 29.5, 38.9],
      [2, 0.14, 20],
    ] as const) {
      expect(bgNbdLogLikelihood(truth, { x, tx, T })).toBeCloseTo(naiveLogLik(truth, x, tx, T), 9);
    }
    const heavy = bgNbdLogLikelihood(truth, { x: 400, tx: 300, T: 310 });
    expect(Number.isFinite(heavy)).toBe(true);
    expect(Number.isFinite(naiveLogLik(truth, 400, 300, 310))).toBe(false);
  });

  it('recovers the parameters of a simulated book', () => {
    const book = simulateBgNbd(truth, { customers: 8000, calibrationWeeks: 39, cohortWeeks: 12, seed: 42 });
    const fit = fitBgNbd(book);
    expect(fit.converged).toBe(true);
    expect(fit.params.r).toBeGreaterThan(truth.r * 0.85);
    expect(fit.params.r).toBeLessThan(truth.r * 1.15);
    expect(fit.params.alpha).toBeGreaterThan(truth.alpha * 0.8);
    expect(fit.params.alpha).toBeLessThan(truth.alpha * 1.2);
    expect(fit.params.a).toBeGreaterThan(truth.a * 0.7);
    expect(fit.params.a).toBeLessThan(truth.a * 1.3);
    expect(fit.params.b).toBeGreaterThan(truth.b * 0.6);
    expect(fit.params.b).toBeLessThan(truth.b * 1.4);
    // The maximum is a maximum: the truth scores no better on the same data.
    const ll = (p: BgNbdParams) => book.reduce((s, c) => s + bgNbdLogLikelihood(p, c), 0);
    expect(fit.logLik).toBeGreaterThanOrEqual(ll(truth));
  });

  it('does not depend on the time unit except through α', () => {
    const book = simulateBgNbd(truth, { customers: 1500, calibrationWeeks: 39, cohortWeeks: 12, seed: 5 });
    const weeks = fitBgNbd(book);
    const days = fitBgNbd(book.map((c) => ({ ...c, tx: c.tx * 7, T: c.T * 7 })));
    expect(days.params.r).toBeCloseTo(weeks.params.r, 4);
    expect(days.params.a).toBeCloseTo(weeks.params.a, 3);
    expect(days.params.alpha / 7).toBeCloseTo(weeks.params.alpha, 3);
  });

  it('expected transactions for a new customer match simulation', () => {
    const cohort = simulateBgNbd(truth, { customers: 60_000, calibrationWeeks: 30, cohortWeeks: 0, seed: 3 });
    const mean = cohort.reduce((s, c) => s + c.x, 0) / cohort.length;
    expect(Math.abs(mean - expectedTransactionsNew(truth, 30)) / mean).toBeLessThan(0.03);
  });

  it('conditional expectations match simulated holdouts in aggregate', () => {
    const book = simulateBgNbd(truth, { customers: 40_000, calibrationWeeks: 39, cohortWeeks: 12, holdoutWeeks: 39, seed: 9 });
    let predicted = 0;
    let actual = 0;
    for (const c of book) {
      predicted += expectedTransactions(truth, c, 39);
      actual += c.holdoutX;
    }
    expect(Math.abs(predicted - actual) / actual).toBeLessThan(0.04);
  });

  it('uses the exact sum when a + b ≤ 1 makes the closed form invalid', () => {
    const odd: BgNbdParams = { r: 0.5, alpha: 2, a: 0.3, b: 0.4 };
    const e = expectedTransactionsNew(odd, 10);
    const cohort = simulateBgNbd(odd, { customers: 40_000, calibrationWeeks: 10, cohortWeeks: 0, seed: 4 });
    const mean = cohort.reduce((s, c) => s + c.x, 0) / cohort.length;
    expect(Number.isFinite(e)).toBe(true);
    expect(Math.abs(e - mean) / mean).toBeLessThan(0.05);
  });

  it('P(alive) is 1 without repeats and falls as the silence since the last purchase grows', () => {
    expect(probabilityAlive(truth, { x: 0, tx: 0, T: 20 })).toBe(1);
    const recent = probabilityAlive(truth, { x: 4, tx: 19, T: 20 });
    const stale = probabilityAlive(truth, { x: 4, tx: 2, T: 20 });
    expect(recent).toBeGreaterThan(stale);
  });

  it('rejects impossible histories naming the row', () => {
    expect(() =>
      fitBgNbd([
        { x: 1, tx: 5, T: 10 },
        { x: 2, tx: 12, T: 10 },
      ]),
    ).toThrow(/row 1/);
    expect(() => fitBgNbd([])).toThrow(/at least one/);
  });
});
