import { createRandom } from '../optim/random';
import { arrAtRisk } from './arr-at-risk';
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

describe('ARR at risk', () => {
  const accounts = [
    { accountId: 'due-risky', arr: 100_000, renewalDate: '2026-01-20', churnProbability: 0.5 },
    { accountId: 'due-safe', arr: 50_000, renewalDate: '2026-03-01', churnProbability: 0.1 },
    { accountId: 'later', arr: 999_999, renewalDate: '2026-06-01', churnProbability: 0.9 },
    { accountId: 'no-date', arr: 10, churnProbability: 1 },
  ];

  it('sums churn probability × ARR over renewals in the next 90 days, with an outcome interval', () => {
    const r = arrAtRisk(accounts, { asOf: '2026-01-01' });
    expect(r.renewalsDue).toBe(2);
    expect(r.arrDue).toBe(150_000);
    expect(r.expected).toBeCloseTo(55_000, 6);
    expect(r.due[0]?.accountId).toBe('due-risky');
    expect(r.p10).toBeLessThanOrEqual(r.p50);
    expect(r.p50).toBeLessThanOrEqual(r.p90);
    expect(r.p10).toBeGreaterThanOrEqual(0);
    expect(r.p90).toBeLessThanOrEqual(r.arrDue);
  });

  it('is exact when outcomes are certain, and rejects a bad probability naming the row', () => {
    const sure = arrAtRisk([{ accountId: 'x', arr: 10, renewalDate: '2026-01-02', churnProbability: 1 }], { asOf: '2026-01-01' });
    expect([sure.p10, sure.p50, sure.p90, sure.expected]).toEqual([10, 10, 10, 10]);
    expect(() => arrAtRisk([{ accountId: 'x', arr: 10, churnProbability: 2 }], { asOf: '2026-01-01' })).toThrow(/row 0/);
  });
});
