import { hyp2f1, logAddExp, logGamma, logHyp2f1, logRising, logSumExp } from './special-functions';

describe('special functions', () => {
  it('log-gamma matches factorials and Γ(1/2) = √π', () => {
    let fact = 1;
    for (let n = 1; n <= 30; n++) {
      expect(logGamma(n + 1)).toBeCloseTo(Math.log((fact *= n)), 9);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(0.1)).toBeCloseTo(2.252712651734206, 10);
    expect(logGamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - 0.5772156649e-8, 6);
  });

  it('rising factorial equals the log-gamma difference', () => {
    for (const x of [0.01, 0.2426, 3.7, 120]) {
      for (const n of [0, 1, 5, 31, 33, 400]) expect(logRising(x, n)).toBeCloseTo(logGamma(x + n) - logGamma(x), 7);
    }
  });

  it('log-sum-exp survives values that would overflow exp', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logSumExp([-2000, -2000, -2000])).toBeCloseTo(-2000 + Math.log(3), 12);
  });

  it('2F1 matches closed forms', () => {
    for (const z of [0.01, 0.3, 0.7, 0.95, 0.995]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(-Math.log(1 - z) / z, 9);
      expect(hyp2f1(0.7, 2.3, 2.3, z)).toBeCloseTo(Math.pow(1 - z, -0.7), 8);
      // 2F1(1/2, 1; 3/2; z²) = atanh(z)/z
      expect(hyp2f1(0.5, 1, 1.5, z * z)).toBeCloseTo(Math.atanh(z) / z, 9);
    }
  });

  it('the log form carries a prefactor without overflow for heavy buyers', () => {
    // (1−z)^{a}·2F1(a, b; b; z) = 1 exactly, even where 2F1 alone overflows a double.
    const a = 900;
    const z = 0.6;
    expect(logHyp2f1(a, 5, 5, z, a * Math.log(1 - z))).toBeCloseTo(0, 6);
    expect(Number.isNaN(logHyp2f1(1, 1, 2, 1))).toBe(true);
  });
});
