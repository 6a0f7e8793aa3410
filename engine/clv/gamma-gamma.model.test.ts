import { simulateBgNbd } from './bg-nbd.simulator';
import { expectedSpend, fitGammaGamma, gammaGammaLogLikelihood } from './gamma-gamma.model';

describe('Gamma-Gamma', () => {
  const spend = { p: 6, q: 3.7, gamma: 15 };

  it('recovers spend parameters from a simulated book and is currency-scale invariant', () => {
    const book = simulateBgNbd(
      { r: 0.6, alpha: 4, a: 0.8, b: 2.4 },
      { customers: 8000, calibrationWeeks: 52, cohortWeeks: 12, seed: 8, spend },
    );
    const fit = fitGammaGamma(book);
    expect(fit.params.p / spend.p).toBeGreaterThan(0.85);
    expect(fit.params.p / spend.p).toBeLessThan(1.15);
    expect(fit.params.q / spend.q).toBeGreaterThan(0.85);
    expect(fit.params.q / spend.q).toBeLessThan(1.15);
    // Population mean spend pγ/(q−1) is identified more tightly than the parts.
    const mean = (fit.params.p * fit.params.gamma) / (fit.params.q - 1);
    expect(mean / ((spend.p * spend.gamma) / (spend.q - 1))).toBeCloseTo(1, 1);
    const cents = fitGammaGamma(book.map((c) => ({ ...c, monetary: c.monetary * 100 })));
    expect(cents.params.p).toBeCloseTo(fit.params.p, 3);
    expect(cents.params.gamma / 100).toBeCloseTo(fit.params.gamma, 3);
  });

  it('shrinks a customer’s mean toward the population mean, less so with more transactions', () => {
    const population = (spend.p * spend.gamma) / (spend.q - 1);
    const one = expectedSpend(spend, { x: 1, monetary: 100 });
    const many = expectedSpend(spend, { x: 50, monetary: 100 });
    expect(one).toBeGreaterThan(population);
    expect(one).toBeLessThan(100);
    expect(many).toBeGreaterThan(one);
    expect(expectedSpend(spend, { x: 0, monetary: 0 })).toBeCloseTo(population, 9);
  });

  it('falls back to the customer’s own mean when q ≤ 1 makes the population mean infinite', () => {
    expect(expectedSpend({ p: 2, q: 0.8, gamma: 5 }, { x: 0, monetary: 0 })).toBe(0);
    expect(Number.isFinite(expectedSpend({ p: 0.05, q: 0.8, gamma: 5 }, { x: 1, monetary: 40 }))).toBe(true);
  });

  it('likelihood is a density in the mean spend (integrates to about 1)', () => {
    let total = 0;
    const step = 0.05;
    for (let m = step / 2; m < 400; m += step) total += Math.exp(gammaGammaLogLikelihood(spend, { x: 3, monetary: m })) * step;
    expect(total).toBeCloseTo(1, 3);
  });

  it('needs repeat customers with spend', () => {
    expect(() =>
      fitGammaGamma([
        { x: 0, monetary: 0 },
        { x: 2, monetary: 0 },
      ]),
    ).toThrow(/at least 2/);
  });
});
