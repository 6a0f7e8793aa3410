import { cholesky, invertSpd } from './linear-algebra';
import { bfgs, minimize, nelderMead, numericHessian } from './minimize';

const rosenbrock = (v: readonly number[]) => {
  const [x, y] = v as [number, number];
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

describe('minimiser', () => {
  it('finds the Rosenbrock minimum from a poor start', () => {
    const result = minimize(rosenbrock, [-1.5, 2]);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
    expect(result.converged).toBe(true);
  });

  it('treats non-finite objective values as rejections, not answers', () => {
    // log(x) is NaN for x < 0; the minimum of (log x)² + x is inside the valid region.
    const f = (v: readonly number[]) => Math.log(v[0] as number) ** 2 + 0.1 * (v[0] as number);
    const result = minimize(f, [3]);
    expect(result.x[0]).toBeGreaterThan(0);
    expect(Number.isFinite(result.value)).toBe(true);
    // d/dx: 2 ln x / x + 0.1 = 0
    const x = result.x[0] as number;
    expect((2 * Math.log(x)) / x + 0.1).toBeCloseTo(0, 4);
  });

  it('respects a box on the coordinates', () => {
    const result = minimize((v) => (v[0] as number) + (v[1] as number) ** 2, [0, 1], { bounds: [-3, 3] });
    expect(result.x[0]).toBeGreaterThanOrEqual(-3);
    expect(result.x[0]).toBeLessThan(-2.9);
  });

  it('Nelder–Mead and BFGS each descend on a quadratic', () => {
    const q = (v: readonly number[]) => 3 * ((v[0] as number) - 2) ** 2 + ((v[1] as number) + 1) ** 2 + (v[0] as number) * (v[1] as number);
    const nm = nelderMead(q, [0, 0], { maxIterations: 2000, tolerance: 1e-12 });
    const bf = bfgs(q, [0, 0], { maxIterations: 100, tolerance: 1e-9 });
    // Stationary point: 6(x−2) + y = 0, 2(y+1) + x = 0 → x = 26/11, y = −24/11.
    expect(bf.x[0]).toBeCloseTo(26 / 11, 5);
    expect(bf.x[1]).toBeCloseTo(-24 / 11, 5);
    expect(nm.x[0]).toBeCloseTo(26 / 11, 3);
  });

  it('numeric Hessian and its SPD inverse recover a known covariance', () => {
    const h = numericHessian(
      (v) => 0.5 * (4 * (v[0] as number) ** 2 + 2 * (v[0] as number) * (v[1] as number) + 2 * (v[1] as number) ** 2),
      [0.3, -0.2],
    );
    expect(h[0]?.[0]).toBeCloseTo(4, 4);
    expect(h[0]?.[1]).toBeCloseTo(1, 4);
    const inv = invertSpd(h);
    // inverse of [[4,1],[1,2]] = [[2,-1],[-1,4]]/7
    expect(inv?.[0]?.[0]).toBeCloseTo(2 / 7, 4);
    expect(inv?.[0]?.[1]).toBeCloseTo(-1 / 7, 4);
    expect(
      cholesky([
        [1, 2],
        [2, 1],
      ]),
    ).toBeUndefined();
  });
});
