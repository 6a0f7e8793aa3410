import { createRandom } from '../optim/random';
import { backtestRenewalForecast, renewalForecast } from './renewal-forecast';
import { autocorrelation, detectSeason, fitEts, forecastEts, forecastRevenue, forecastSeries } from './holt-winters.model';

function seasonalSeries(n: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, (_, t) => 1000 + 5 * t + 120 * Math.sin((2 * Math.PI * t) / 12) + 15 * random.normal());
}

describe('Holt-Winters / ETS', () => {
  it('detects a yearly season in monthly revenue and forecasts the next year inside its interval', () => {
    const y = seasonalSeries(60, 1);
    expect(detectSeason(y, [4, 7, 12])).toBe(12);
    const f = forecastSeries(y, 12);
    expect(f.method).toBe('ets-seasonal');
    const truth = Array.from({ length: 12 }, (_, h) => 1000 + 5 * (60 + h) + 120 * Math.sin((2 * Math.PI * (60 + h)) / 12));
    let inside = 0;
    f.points.forEach((p, h) => {
      expect(p.p10).toBeLessThanOrEqual(p.p50);
      expect(p.p50).toBeLessThanOrEqual(p.p90);
      if ((truth[h] as number) >= p.p10 - 20 && (truth[h] as number) <= p.p90 + 20) inside++;
    });
    expect(inside).toBeGreaterThanOrEqual(10);
    // The forecast follows the season rather than a flat line.
    expect(Math.max(...f.points.map((p) => p.point)) - Math.min(...f.points.map((p) => p.point))).toBeGreaterThan(120);
  });

  it('does not invent a season in trending noise', () => {
    const random = createRandom(7);
    let level = 100;
    const y = Array.from({ length: 48 }, () => (level += 2 + 5 * random.normal()));
    expect(detectSeason(y, [4, 12])).toBe(0);
    expect(forecastSeries(y, 6).method).toBe('ets');
    expect(
      Math.abs(
        autocorrelation(
          Array.from({ length: 40 }, (_, t) => 3 * t),
          5,
        ),
      ),
    ).toBeLessThan(1e-9);
  });

  it('intervals widen with the horizon and a flat series forecasts flat', () => {
    const y = seasonalSeries(40, 3);
    const points = forecastEts(fitEts(y, 0), 8);
    const width = (i: number) => (points[i]?.p90 ?? 0) - (points[i]?.p10 ?? 0);
    expect(width(7)).toBeGreaterThan(width(0));
    const flat = forecastSeries(new Array<number>(20).fill(50), 3);
    for (const p of flat.points) expect(p.point).toBeCloseTo(50, 6);
  });

  it('forecasts the book on the summed series, aligning accounts at the latest period', () => {
    const { accounts, book } = forecastRevenue(
      [
        { accountId: 'a', values: [10, 10, 10, 10, 10, 10] },
        { accountId: 'b', values: [5, 5, 5] },
      ],
      2,
    );
    expect(accounts).toHaveLength(2);
    expect(accounts[1]?.forecast.method).toBe('mean');
    expect(book.points[0]?.point).toBeGreaterThan(12);
  });
});

describe('renewal forecast', () => {
  const entries = [
    { accountId: 'due-risky', arr: 100_000, daysToRenewal: 19, churnProbability: 0.5 },
    { accountId: 'due-safe', arr: 50_000, daysToRenewal: 59, churnProbability: 0.1 },
    { accountId: 'later', arr: 999_999, daysToRenewal: 151, churnProbability: 0.9 },
  ];

  it('sums churn probability × ARR over renewals in the next 90 days and by month, with outcome ranges', () => {
    const r = renewalForecast(entries, { asOf: '2026-01-01' });
    expect(r.arrAtRisk.renewals).toBe(2);
    expect(r.arrAtRisk.arrDue).toBe(150_000);
    expect(r.arrAtRisk.expected).toBeCloseTo(55_000, 6);
    expect(r.arrAtRisk.p10).toBeLessThanOrEqual(r.arrAtRisk.p50);
    expect(r.arrAtRisk.p50).toBeLessThanOrEqual(r.arrAtRisk.p90);
    expect(r.arrAtRisk.p90).toBeLessThanOrEqual(150_000);
    expect(r.months.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    expect(r.months.map((m) => m.renewals)).toEqual([1, 0, 1, 0, 0, 1]);
    const march = r.months[2];
    expect(march?.expectedRenewed).toBeCloseTo(45_000, 6);
    expect(march?.renewedP10).toBeLessThanOrEqual(march?.renewedP90 ?? 0);
  });

  it('is exact when outcomes are certain, approximates large sets, and rejects a bad probability naming the row', () => {
    const sure = renewalForecast([{ accountId: 'x', arr: 10, daysToRenewal: 1, churnProbability: 1 }], { asOf: '2026-01-01' });
    expect([sure.arrAtRisk.p10, sure.arrAtRisk.p90, sure.arrAtRisk.expected]).toEqual([10, 10, 10]);
    const many = Array.from({ length: 6_000 }, (_, i) => ({
      accountId: `a${i}`,
      arr: 1_000,
      daysToRenewal: i % 80,
      churnProbability: 0.2,
    }));
    const big = renewalForecast(many, { asOf: '2026-01-01' });
    expect(big.arrAtRisk.method).toBe('normal');
    // Binomial(6000, 0.2) × 1,000: sd ≈ 31,000, so the 80% range is about ±40,000 around 1.2 M.
    expect(big.arrAtRisk.p90 - big.arrAtRisk.p10).toBeGreaterThan(70_000);
    expect(big.arrAtRisk.p90 - big.arrAtRisk.p10).toBeLessThan(90_000);
    expect(() => renewalForecast([{ accountId: 'x', arr: 10, daysToRenewal: 3, churnProbability: 2 }], { asOf: '2026-01-01' })).toThrow(
      /row 0 \(x\)/,
    );
  });

  it('backtests against who churned: renewed ARR per ended month and the error of ARR at risk', () => {
    const past = [
      { accountId: 'a', arr: 100, daysToRenewal: 10, churnProbability: 0.5, churned: true },
      { accountId: 'b', arr: 100, daysToRenewal: 12, churnProbability: 0.5, churned: false },
      { accountId: 'c', arr: 200, daysToRenewal: 40, churnProbability: 0.1, churned: false },
    ];
    const b = backtestRenewalForecast(past, { asOf: '2026-01-01', now: '2026-04-01' });
    expect(b.months.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(b.months[0]).toEqual({ month: '2026-01', arrDue: 200, expectedRenewed: 100, actualRenewed: 100 });
    expect(b.months[1]?.expectedRenewed).toBeCloseTo(180, 6);
    expect(b.mape).toBeCloseTo(0.05, 6); // January exact, February 180 vs 200; March has no renewals
    expect(b.arrAtRisk.actual).toBe(100);
    expect(b.arrAtRisk.expected).toBeCloseTo(120, 6);
    expect(b.arrAtRisk.absolutePercentageError).toBeCloseTo(0.2, 6);
  });
});
