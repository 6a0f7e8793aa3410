import fc from 'fast-check';
import { expectedTransactions, fitBgNbd, probabilityAlive, type BgNbdParams } from './bg-nbd.model';
import { simulateBgNbd } from './bg-nbd.simulator';
import { fitGammaGamma, type GammaGammaParams } from './gamma-gamma.model';
import { discountedClv, intervalFrom, scoreNonContractual, type NonContractualCustomer } from './non-contractual-clv';

const positive = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
const bgParams = fc.record({ r: positive(0.01, 20), alpha: positive(0.01, 200), a: positive(0.01, 20), b: positive(0.01, 50) });
const ggParams = fc.record({ p: positive(0.1, 30), q: positive(0.2, 30), gamma: positive(0.1, 500) });
/** (x, tx, T) with 0 ≤ tx ≤ T, tx = 0 when x = 0. */
const customer = fc
  .record({ x: fc.integer({ min: 0, max: 300 }), share: positive(0, 1), T: positive(0.01, 260), monetary: positive(0.01, 5000) })
  .map(({ x, share, T, monetary }): NonContractualCustomer => ({ x, tx: x === 0 ? 0 : share * T, T, monetary: x === 0 ? 0 : monetary }));

describe('non-contractual CLV properties', () => {
  it('P(alive) is a probability', () => {
    fc.assert(
      fc.property(bgParams, customer, (p: BgNbdParams, c) => {
        const alive = probabilityAlive(p, c);
        return alive >= 0 && alive <= 1;
      }),
    );
  });

  it('P(alive) rises with recency (later last purchase, same x and T)', () => {
    fc.assert(
      fc.property(bgParams, customer, positive(0, 1), (p, c, more) => {
        fc.pre(c.x > 0);
        const later = { ...c, tx: c.tx + more * (c.T - c.tx) };
        return probabilityAlive(p, later) >= probabilityAlive(p, c) - 1e-12;
      }),
    );
  });

  it('expected transactions are finite, non-negative and grow with the horizon', () => {
    fc.assert(
      fc.property(bgParams, customer, positive(0.1, 104), (p, c, t) => {
        const short = expectedTransactions(p, c, t);
        const long = expectedTransactions(p, c, 2 * t);
        // Once expected transactions saturate (a customer sure to drop out soon), t and 2t agree to
        // the series' precision (seen: 2.7e-9 apart at 1.699), so allow 1e-7 relative.
        return Number.isFinite(short) && short >= 0 && long >= short - 1e-7 * (1 + short);
      }),
      {
        numRuns: 200,
        examples: [
          [
            { r: 0.01, alpha: 0.11301911053018485, a: 5.143181114499609, b: 0.01 },
            { x: 48, tx: 0, T: 0.01, monetary: 0.01 },
            103.99485326662911,
          ],
        ],
      },
    );
  });

  it('CLV is never negative', () => {
    fc.assert(
      fc.property(
        bgParams,
        ggParams,
        customer,
        fc.integer({ min: 1, max: 36 }),
        positive(0, 0.05),
        (bg, gg: GammaGammaParams, c, horizon, rate) => {
          const v = discountedClv(bg, gg, c, { horizonMonths: horizon, monthlyDiscountRate: rate });
          return Number.isFinite(v) && v >= 0;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('intervals are ordered and contain the point estimate', () => {
    fc.assert(
      fc.property(positive(0, 1e6), fc.array(positive(0, 1e6), { maxLength: 50 }), (point, samples) => {
        const i = intervalFrom(point, samples);
        return i.p10 <= i.p50 && i.p50 <= i.p90 && i.p10 <= point && point <= i.p90 && i.p10 >= 0;
      }),
    );
  });

  it('scores a fitted book with Laplace intervals around every point', () => {
    const book = simulateBgNbd(
      { r: 0.4, alpha: 5, a: 0.7, b: 2.5 },
      { customers: 1500, calibrationWeeks: 52, cohortWeeks: 20, seed: 21, spend: { p: 5, q: 4, gamma: 20 } },
    );
    const model = { bgnbd: fitBgNbd(book), gammaGamma: fitGammaGamma(book) };
    const scores = scoreNonContractual(model, book.slice(0, 200), { horizonMonths: 12, monthlyDiscountRate: 0.01, draws: 40, seed: 3 });
    let widths = 0;
    for (const s of scores) {
      expect(s.p10).toBeLessThanOrEqual(s.point);
      expect(s.point).toBeLessThanOrEqual(s.p90);
      expect(s.point).toBeGreaterThanOrEqual(0);
      widths += s.p90 - s.p10;
    }
    // Parameter uncertainty is real: intervals have width.
    expect(widths).toBeGreaterThan(0);
    // A customer who bought often and recently is worth more than one who went quiet long ago.
    const keen = scoreNonContractual(model, [{ x: 10, tx: 50, T: 52, monetary: 30 }], {
      horizonMonths: 12,
      monthlyDiscountRate: 0.01,
      draws: 10,
    })[0];
    const quiet = scoreNonContractual(model, [{ x: 10, tx: 5, T: 52, monetary: 30 }], {
      horizonMonths: 12,
      monthlyDiscountRate: 0.01,
      draws: 10,
    })[0];
    expect(keen?.point).toBeGreaterThan(quiet?.point ?? Infinity);
  });

  it('rejects a non-integer horizon', () => {
    const book = simulateBgNbd(
      { r: 0.4, alpha: 5, a: 0.7, b: 2.5 },
      { customers: 300, calibrationWeeks: 52, cohortWeeks: 20, seed: 2, spend: { p: 5, q: 4, gamma: 20 } },
    );
    const model = { bgnbd: fitBgNbd(book), gammaGamma: fitGammaGamma(book) };
    expect(() => scoreNonContractual(model, book, { horizonMonths: 1.5, monthlyDiscountRate: 0 })).toThrow(/horizonMonths/);
  });
});
