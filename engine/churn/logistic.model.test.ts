import type { LogisticModel } from './logistic.model';
import { trainLogistic } from './logistic.model';
import { seededRandom, sigmoid } from './random';

function data(n: number, d: number, seed: number, beta: readonly number[], intercept: number) {
  const random = seededRandom(seed);
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let z = intercept;
    for (let j = 0; j < d; j++) {
      const v = random() * 2 - 1;
      x[i * d + j] = v;
      z += (beta[j] ?? 0) * v;
    }
    y[i] = random() < sigmoid(z) ? 1 : 0;
  }
  return { x, y };
}

/** Gradient of Σ log-loss + λ/2‖β‖² at the fitted model: zero at the optimum. */
function gradientNorm(model: LogisticModel, x: Float64Array, y: Uint8Array, n: number, d: number): number {
  const g = new Float64Array(d + 1);
  const raw = model.predictRaw(x, n);
  for (let i = 0; i < n; i++) {
    const r = sigmoid(raw[i] as number) - (y[i] as number);
    for (let j = 0; j < d; j++) g[j] = (g[j] as number) + r * (x[i * d + j] as number);
    g[d] = (g[d] as number) + r;
  }
  for (let j = 0; j < d; j++) g[j] = (g[j] as number) + model.state.lambda * (model.coefficients[j] as number);
  return Math.sqrt(g.reduce((a, v) => a + v * v, 0));
}

describe('logistic regression', () => {
  const beta = [1.5, -2, 0.5, 0];
  const n = 20000;
  const { x, y } = data(n, 4, 1, beta, -0.5);

  it('recovers known coefficients with weak regularisation', () => {
    const model = trainLogistic(x, n, 4, y, 1e-6);
    // Standard errors here are about 0.03; allow four of them.
    beta.forEach((b, j) => expect(Math.abs((model.coefficients[j] as number) - b)).toBeLessThan(0.12));
    expect(Math.abs(model.intercept + 0.5)).toBeLessThan(0.12);
  });

  it('reaches the penalised optimum (zero gradient), also when the Hessian is estimated from a row subset', () => {
    const exact = trainLogistic(x, n, 4, y, 10);
    expect(gradientNorm(exact, x, y, n, 4)).toBeLessThan(1e-4);
    const wide = 20;
    const big = data(4000, wide, 2, [1, -1, 0.5], 0);
    const full = trainLogistic(big.x, 4000, wide, big.y, 5);
    // A budget this small estimates the Hessian from every 8th row.
    const sampled = trainLogistic(big.x, 4000, wide, big.y, 5, 100, 1e5);
    expect(gradientNorm(sampled, big.x, big.y, 4000, wide)).toBeLessThan(1e-2);
    full.coefficients.forEach((b, j) => expect(sampled.coefficients[j]).toBeCloseTo(b, 4));
  });

  it('shrinks coefficients as λ grows', () => {
    const loose = trainLogistic(x, n, 4, y, 0.1);
    const tight = trainLogistic(x, n, 4, y, 10000);
    expect(Math.abs(tight.coefficients[0] as number)).toBeLessThan(Math.abs(loose.coefficients[0] as number) / 2);
  });
});
