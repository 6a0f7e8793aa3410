import fc from 'fast-check';
import { contractualValue, scoreContractual } from './contractual-clv';
import { fitSbg, fitSbgByCohort, fitForCohort, logChurnAt, logSurvival, retentionAfter, type ContractHistory } from './sbg.model';

/** Accounts from a survivor curve n_0 ≥ n_1 ≥ …: churners at each boundary, the rest still active. */
function fromSurvivors(survivors: number[], cohort?: string): ContractHistory[] {
  const out: ContractHistory[] = [];
  for (let t = 1; t < survivors.length; t++) {
    for (let i = 0; i < (survivors[t - 1] as number) - (survivors[t] as number); i++)
      out.push({ periods: t, churned: true, ...(cohort ? { cohort } : {}) });
  }
  for (let i = 0; i < (survivors.at(-1) as number); i++)
    out.push({ periods: survivors.length - 1, churned: false, ...(cohort ? { cohort } : {}) });
  return out;
}

// Fader & Hardie (2007), Table 1 and §4: the published estimates for the two segments.
const regular = [1000, 631, 468, 382, 326, 289, 262, 241];
const highEnd = [1000, 869, 743, 653, 593, 551, 517, 491];

describe('shifted-beta-geometric', () => {
  it('reproduces the published estimates', () => {
    const r = fitSbg(fromSurvivors(regular));
    expect(r.params.gamma).toBeCloseTo(0.704, 2);
    expect(r.params.delta).toBeCloseTo(1.182, 2);
    const h = fitSbg(fromSurvivors(highEnd));
    expect(h.params.gamma).toBeCloseTo(0.668, 2);
    expect(h.params.delta).toBeCloseTo(3.806, 1);
  });

  it('P(T = t) and S(t) form a distribution, and retention rises with tenure', () => {
    const p = { gamma: 0.7, delta: 1.2 };
    let mass = 0;
    for (let t = 1; t <= 20; t++) mass += Math.exp(logChurnAt(p, t));
    expect(mass + Math.exp(logSurvival(p, 20))).toBeCloseTo(1, 10);
    expect(retentionAfter(p, 5)).toBeGreaterThan(retentionAfter(p, 1));
  });

  it('fits per cohort when a cohort is big enough, otherwise falls back to the pooled curve', () => {
    const book = [...fromSurvivors(regular, 'A'), ...fromSurvivors(highEnd, 'B'), ...fromSurvivors([10, 8, 7], 'tiny')];
    const fits = fitSbgByCohort(book);
    expect(fitForCohort(fits, 'A').params.delta).toBeCloseTo(1.182, 1);
    expect(fitForCohort(fits, 'B').params.delta).toBeGreaterThan(3);
    expect(fitForCohort(fits, 'tiny')).toBe(fits.pooled);
    expect(fitForCohort(fits, undefined)).toBe(fits.pooled);
  });

  it('needs both outcomes', () => {
    expect(() => fitSbg([{ periods: 3, churned: false }])).toThrow(/both churned and retained/);
    expect(() => fitSbg([{ periods: 0, churned: true }])).toThrow(/row 0/);
  });
});

describe('contractual CLV', () => {
  const fit = fitSbg(fromSurvivors(regular));

  it('falls as the churn probability rises and is never negative', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 40 }),
        (p1, p2, n) => {
          const [lo, hi] = p1 <= p2 ? [p1, p2] : [p2, p1];
          const account = { periods: n, revenuePerPeriod: 1200, periodMonths: 12 };
          const opts = { horizonMonths: 60, monthlyDiscountRate: 0.008 };
          const a = contractualValue(fit.params, { ...account, churnProbability: lo }, opts).value;
          const b = contractualValue(fit.params, { ...account, churnProbability: hi }, opts).value;
          return b >= 0 && a >= b - 1e-9;
        },
      ),
    );
  });

  it('without a churn probability equals the sBG expected discounted renewals', () => {
    const opts = { horizonMonths: 36, monthlyDiscountRate: 0 };
    const v = contractualValue(fit.params, { periods: 2, revenuePerPeriod: 100, periodMonths: 12 }, opts);
    // Renewals 3, 4, 5 given 2 completed: Σ S(2+k)/S(2).
    let expected = 0;
    for (let k = 1; k <= 3; k++) expected += Math.exp(logSurvival(fit.params, 2 + k) - logSurvival(fit.params, 2));
    expect(v.expectedRenewals).toBeCloseTo(expected, 10);
    expect(v.value).toBeCloseTo(100 * expected, 8);
  });

  it('builds survival by recursion equal to the Beta-function definition, for any γ, δ, tenure, horizon and discount', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        fc.double({ min: 0.05, max: 20, noNaN: true }),
        fc.integer({ min: 0, max: 120 }),
        fc.constantFrom(1, 3, 12),
        fc.integer({ min: 1, max: 120 }),
        fc.double({ min: 0, max: 0.05, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (gamma, delta, periods, periodMonths, horizonMonths, monthlyDiscountRate, churnProbability) => {
          const params = { gamma, delta };
          const v = contractualValue(
            params,
            { periods, revenuePerPeriod: 100, periodMonths, churnProbability },
            { horizonMonths, monthlyDiscountRate },
          );
          let expected = 0;
          let value = 0;
          for (let k = 1; k <= Math.floor(horizonMonths / periodMonths); k++) {
            const survive = (1 - churnProbability) * Math.exp(logSurvival(params, periods + k) - logSurvival(params, periods + 1));
            expected += survive;
            value += (100 * survive) / Math.pow(1 + monthlyDiscountRate, k * periodMonths);
          }
          expect(v.expectedRenewals).toBeCloseTo(expected, 8);
          expect(Math.abs(v.value - value)).toBeLessThanOrEqual(1e-9 * Math.max(1, value));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives intervals that contain the point, and zero value with zero revenue', () => {
    const scored = scoreContractual(
      fit,
      [
        { periods: 1, revenuePerPeriod: 500, periodMonths: 1, churnProbability: 0.2 },
        { periods: 4, revenuePerPeriod: 0, periodMonths: 3 },
      ],
      { horizonMonths: 24, monthlyDiscountRate: 0.01, draws: 50 },
    );
    const [first, second] = scored;
    expect(first?.p10).toBeLessThanOrEqual(first?.point ?? -1);
    expect(first?.p90).toBeGreaterThanOrEqual(first?.point ?? Infinity);
    expect((first?.p90 ?? 0) - (first?.p10 ?? 0)).toBeGreaterThan(0);
    expect(second?.point).toBe(0);
    expect(() =>
      scoreContractual(fit, [{ periods: 1, revenuePerPeriod: 1, periodMonths: 1, churnProbability: 2 }], {
        horizonMonths: 12,
        monthlyDiscountRate: 0,
      }),
    ).toThrow(/account 0/);
  });
});

describe('contractual CLV interval: what the customer may really pay', () => {
  const fit = fitSbg([
    ...Array.from({ length: 60 }, (_, i) => ({ periods: 1 + (i % 6), churned: i % 3 === 0 })),
    ...Array.from({ length: 60 }, (_, i) => ({ periods: 2 + (i % 8), churned: false })),
  ]);
  const opts = { horizonMonths: 24, monthlyDiscountRate: 0.01, draws: 100 };

  it('holds process as well as parameter uncertainty: churning or staying spans the range', () => {
    const [v] = scoreContractual(
      fit,
      [{ periods: 3, revenuePerPeriod: 100, periodMonths: 1, churnProbability: 0.5, committedRevenue: 50 }],
      opts,
    );
    if (!v) throw new Error('no value');
    // Half of the futures end at the next renewal (only the committed 50), half pay on for months.
    expect(v.p10).toBeCloseTo(50, 6);
    expect(v.p90).toBeGreaterThan(v.point * 1.5);
    expect(v.ifRetained).toBeGreaterThan(v.point);
  });

  it('never gives a live paying account a zero-width interval, even at very high risk', () => {
    const [v] = scoreContractual(
      fit,
      [{ periods: 1, revenuePerPeriod: 80, periodMonths: 1, churnProbability: 0.9997, committedRevenue: 40 }],
      opts,
    );
    expect(v?.p10).toBeGreaterThan(0);
    expect(v?.ifRetained).toBeGreaterThan(1000);
  });
});
