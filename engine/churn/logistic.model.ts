import { SuccessEngineError } from '../../core';
import { sigmoid } from './random';

/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS with a Cholesky solve).
 * Objective: Σ log-loss + (λ/2)·‖β‖² (intercept unpenalised), the same as scikit-learn with C = 1/λ.
 * Inputs are expected standardised (see TabularEncoder.linearMatrix), so one λ fits all columns.
 */
export interface LogisticState {
  format: 'logistic/1';
  intercept: number;
  coefficients: number[];
  lambda: number;
}

export class LogisticModel {
  readonly coefficients: Float64Array;

  constructor(readonly state: LogisticState) {
    this.coefficients = Float64Array.from(state.coefficients);
  }

  get intercept(): number {
    return this.state.intercept;
  }

  predictRaw(x: Float64Array, n: number): Float64Array {
    const d = this.coefficients.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = this.state.intercept;
      for (let j = 0; j < d; j++) z += (this.coefficients[j] as number) * (x[i * d + j] as number);
      out[i] = z;
    }
    return out;
  }

  /**
   * Exact contributions for a linear model: β_j · (x_j − mean_j), where mean_j is the training mean
   * of the encoded column. They sum to f(x) − f(mean).
   */
  contributions(
    x: ArrayLike<number>,
    offset: number,
    means: Float64Array,
    phi: Float64Array = new Float64Array(this.coefficients.length),
  ): Float64Array {
    for (let j = 0; j < this.coefficients.length; j++)
      phi[j] = (this.coefficients[j] as number) * ((x[offset + j] as number) - (means[j] as number));
    return phi;
  }
}

/**
 * Hessian cost is n·d² per iteration; above this many multiply-adds it is estimated from an evenly
 * spaced subset of rows (the gradient always uses every row, and a line search keeps each step
 * downhill), so wide one-hot designs on large files stay tractable.
 */
const HESSIAN_BUDGET = 3e8;

export function trainLogistic(
  x: Float64Array,
  n: number,
  d: number,
  y: ArrayLike<number>,
  lambda: number,
  maxIterations = 50,
  hessianBudget = HESSIAN_BUDGET,
): LogisticModel {
  if (x.length !== n * d) throw new SuccessEngineError('ENGINE.BAD_INPUT', `logistic matrix has ${x.length} cells, expected ${n} × ${d}`);
  const p = d + 1; // last slot is the intercept
  let beta = new Float64Array(p);
  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i] as number;
  beta[d] = Math.log((positives + 0.5) / (n - positives + 0.5));
  const stride = Math.max(1, Math.ceil((n * d * d) / 2 / hessianBudget));
  const hessian = new Float64Array(p * p);
  const gradient = new Float64Array(p);
  const objectiveAt = (b: Float64Array): number => {
    let objective = 0;
    for (let i = 0; i < n; i++) {
      const row = i * d;
      let z = b[d] as number;
      for (let j = 0; j < d; j++) z += (b[j] as number) * (x[row + j] as number);
      // log(1 + e^z) − y·z, computed stably.
      objective += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - (y[i] as number) * z;
    }
    for (let j = 0; j < d; j++) objective += 0.5 * lambda * (b[j] as number) ** 2;
    return objective;
  };
  let current = objectiveAt(beta);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    hessian.fill(0);
    gradient.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      let z = beta[d] as number;
      for (let j = 0; j < d; j++) z += (beta[j] as number) * (x[row + j] as number);
      const prob = sigmoid(z);
      const r = prob - (y[i] as number);
      for (let j = 0; j < d; j++) gradient[j] = (gradient[j] as number) + r * (x[row + j] as number);
      gradient[d] = (gradient[d] as number) + r;
      if (i % stride !== 0) continue;
      const w = Math.max(prob * (1 - prob), 1e-12) * stride;
      for (let j = 0; j < d; j++) {
        const xj = x[row + j] as number;
        if (xj === 0) continue;
        const wx = w * xj;
        const hr = j * p;
        for (let k = 0; k <= j; k++) hessian[hr + k] = (hessian[hr + k] as number) + wx * (x[row + k] as number);
        hessian[d * p + j] = (hessian[d * p + j] as number) + wx;
      }
      hessian[d * p + d] = (hessian[d * p + d] as number) + w;
    }
    for (let j = 0; j < d; j++) {
      gradient[j] = (gradient[j] as number) + lambda * (beta[j] as number);
      hessian[j * p + j] = (hessian[j * p + j] as number) + lambda;
    }
    // Mirror the lower triangle (the intercept row was filled as row d).
    for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) hessian[k * p + j] = hessian[j * p + k] as number;
    const step = choleskySolve(hessian, gradient, p);
    // Backtracking: halve the Newton step until the objective does not increase.
    let t = 1;
    let candidate = new Float64Array(p);
    let next = current;
    for (let halvings = 0; halvings < 30; halvings++, t /= 2) {
      candidate = beta.map((b, j) => b - t * (step[j] as number));
      next = objectiveAt(candidate);
      if (next <= current) break;
    }
    if (!(next <= current)) break;
    beta = candidate;
    const improvement = current - next;
    current = next;
    if (improvement < 1e-12 * Math.max(1, Math.abs(current))) break;
  }
  return new LogisticModel({ format: 'logistic/1', intercept: beta[d] as number, coefficients: Array.from(beta.subarray(0, d)), lambda });
}

/** Solves A·s = b for symmetric positive-definite A (a tiny ridge keeps it definite). */
function choleskySolve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * p + j] as number;
      for (let k = 0; k < j; k++) sum -= (l[i * p + k] as number) * (l[j * p + k] as number);
      if (i === j) l[i * p + i] = Math.sqrt(Math.max(sum, 1e-10));
      else l[i * p + j] = sum / (l[j * p + j] as number);
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = b[i] as number;
    for (let k = 0; k < i; k++) sum -= (l[i * p + k] as number) * (z[k] as number);
    z[i] = sum / (l[i * p + i] as number);
  }
  const s = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let sum = z[i] as number;
    for (let k = i + 1; k < p; k++) sum -= (l[k * p + i] as number) * (s[k] as number);
    s[i] = sum / (l[i * p + i] as number);
  }
  return s;
}
