import { SuccessEngineError } from '../../core';
import type { SparseVector } from './hashed-features';

export interface LogisticRegressionOptions {
  /** Inverse L2 strength, as in the usual `C` (loss summed over rows + ||w||² / 2C). */
  c: number;
  maxIterations: number;
  /** Stop when the objective improves by less than this fraction. */
  tolerance: number;
  /** L-BFGS history length. */
  memory: number;
}

export const defaultLogisticOptions: LogisticRegressionOptions = { c: 10, maxIterations: 300, tolerance: 1e-7, memory: 8 };

/**
 * L2-regularised logistic regression on sparse rows: one logit for two classes, softmax for more.
 * Trained full-batch with L-BFGS from zero weights, so the same data gives the same model.
 */
export class LogisticRegressionModel {
  private constructor(
    readonly classCount: number,
    /** Hashed feature → dense column; features never seen in training carry no weight. */
    private readonly columns: ReadonlyMap<number, number>,
    /** Row-major [logit][column], then one bias per logit at the end. */
    private readonly theta: Float64Array,
  ) {}

  static train(
    rows: readonly SparseVector[],
    labels: readonly number[],
    classCount: number,
    options: Partial<LogisticRegressionOptions> = {},
  ): LogisticRegressionModel {
    const opts = { ...defaultLogisticOptions, ...options };
    if (rows.length !== labels.length)
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `rows (${rows.length}) and labels (${labels.length}) differ in length`);
    if (rows.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'no training rows');
    if (classCount < 2) throw new SuccessEngineError('ENGINE.BAD_INPUT', `need at least two classes, got ${classCount}`);
    labels.forEach((y, i) => {
      if (!Number.isInteger(y) || y < 0 || y >= classCount)
        throw new SuccessEngineError('ENGINE.BAD_INPUT', `label at row ${i} is ${y}, expected 0..${classCount - 1}`);
    });
    const columns = new Map<number, number>();
    const dense = rows.map((row) => {
      const cols = new Uint32Array(row.indices.length);
      row.indices.forEach((key, j) => {
        let col = columns.get(key);
        if (col === undefined) {
          col = columns.size;
          columns.set(key, col);
        }
        cols[j] = col;
      });
      return { cols, values: row.values };
    });
    const logits = classCount === 2 ? 1 : classCount;
    const d = columns.size;
    const objective = makeObjective(dense, labels, logits, d, 1 / opts.c);
    const theta = lbfgs(objective, new Float64Array(logits * d + logits), opts);
    return new LogisticRegressionModel(classCount, columns, theta);
  }

  /** Class probabilities for one row. */
  predictProba(row: SparseVector): number[] {
    const logits = this.classCount === 2 ? 1 : this.classCount;
    const d = this.columns.size;
    const z = new Float64Array(logits);
    for (let k = 0; k < logits; k++) z[k] = this.theta[logits * d + k] as number;
    row.indices.forEach((key, j) => {
      const col = this.columns.get(key);
      if (col === undefined) return;
      const x = row.values[j] as number;
      for (let k = 0; k < logits; k++) z[k] = (z[k] as number) + (this.theta[k * d + col] as number) * x;
    });
    if (logits === 1) {
      const p = sigmoid(z[0] as number);
      return [1 - p, p];
    }
    return softmax(z);
  }

  predict(row: SparseVector): number {
    const p = this.predictProba(row);
    let best = 0;
    for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[best] as number)) best = k;
    return best;
  }
}

interface DenseRow {
  cols: Uint32Array;
  values: Float64Array;
}

type Objective = (theta: Float64Array, grad: Float64Array) => number;

function makeObjective(rows: readonly DenseRow[], labels: readonly number[], logits: number, d: number, lambda: number): Objective {
  const z = new Float64Array(Math.max(logits, 2));
  return (theta, grad) => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as DenseRow;
      const y = labels[i] as number;
      for (let k = 0; k < logits; k++) {
        let s = theta[logits * d + k] as number;
        for (let j = 0; j < row.cols.length; j++) s += (theta[k * d + (row.cols[j] as number)] as number) * (row.values[j] as number);
        z[k] = s;
      }
      if (logits === 1) {
        const s = z[0] as number;
        // log(1 + e^-s) for y=1, log(1 + e^s) for y=0, computed stably.
        const m = y === 1 ? -s : s;
        loss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
        addGradient(grad, row, 0, d, sigmoid(s) - y, logits);
      } else {
        let max = -Infinity;
        for (let k = 0; k < logits; k++) max = Math.max(max, z[k] as number);
        let sum = 0;
        for (let k = 0; k < logits; k++) sum += Math.exp((z[k] as number) - max);
        const logSum = max + Math.log(sum);
        loss += logSum - (z[y] as number);
        for (let k = 0; k < logits; k++) addGradient(grad, row, k, d, Math.exp((z[k] as number) - logSum) - (k === y ? 1 : 0), logits);
      }
    }
    let reg = 0;
    for (let i = 0; i < logits * d; i++) {
      const w = theta[i] as number;
      reg += w * w;
      grad[i] = (grad[i] as number) + lambda * w;
    }
    return loss + 0.5 * lambda * reg;
  };
}

function addGradient(grad: Float64Array, row: DenseRow, k: number, d: number, residual: number, logits: number): void {
  if (residual === 0) return;
  for (let j = 0; j < row.cols.length; j++) {
    const idx = k * d + (row.cols[j] as number);
    grad[idx] = (grad[idx] as number) + residual * (row.values[j] as number);
  }
  grad[logits * d + k] = (grad[logits * d + k] as number) + residual;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** Limited-memory BFGS with a backtracking (Armijo) line search. */
function lbfgs(f: Objective, x0: Float64Array, opts: LogisticRegressionOptions): Float64Array {
  const n = x0.length;
  let x = x0;
  let g = new Float64Array(n);
  let fx = f(x, g);
  const sHist: Float64Array[] = [];
  const yHist: Float64Array[] = [];
  const rhoHist: number[] = [];
  const dir = new Float64Array(n);
  const alpha = new Float64Array(opts.memory);
  for (let iter = 0; iter < opts.maxIterations; iter++) {
    // Two-loop recursion: dir = -H g.
    for (let i = 0; i < n; i++) dir[i] = -(g[i] as number);
    for (let h = sHist.length - 1; h >= 0; h--) {
      const a = (rhoHist[h] as number) * dot(sHist[h] as Float64Array, dir);
      alpha[h] = a;
      const y = yHist[h] as Float64Array;
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) - a * (y[i] as number);
    }
    if (sHist.length > 0) {
      const last = sHist.length - 1;
      const yy = dot(yHist[last] as Float64Array, yHist[last] as Float64Array);
      const gamma = 1 / ((rhoHist[last] as number) * yy);
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) * gamma;
    } else {
      const gn = Math.sqrt(dot(g, g));
      if (gn === 0) break;
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) / gn;
    }
    for (let h = 0; h < sHist.length; h++) {
      const b = (rhoHist[h] as number) * dot(yHist[h] as Float64Array, dir);
      const s = sHist[h] as Float64Array;
      const a = alpha[h] as number;
      for (let i = 0; i < n; i++) dir[i] = (dir[i] as number) + (a - b) * (s[i] as number);
    }
    let slope = dot(g, dir);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      sHist.length = 0;
      yHist.length = 0;
      rhoHist.length = 0;
      for (let i = 0; i < n; i++) dir[i] = -(g[i] as number);
      slope = dot(g, dir);
    }
    let step = 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Infinity;
    for (let ls = 0; ls < 40; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = (x[i] as number) + step * (dir[i] as number);
      fNew = f(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(fNew < fx)) break;
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = (xNew[i] as number) - (x[i] as number);
      y[i] = (gNew[i] as number) - (g[i] as number);
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (sHist.length === opts.memory) {
        sHist.shift();
        yHist.shift();
        rhoHist.shift();
      }
      sHist.push(s);
      yHist.push(y);
      rhoHist.push(1 / sy);
    }
    const improvement = (fx - fNew) / Math.max(Math.abs(fx), 1);
    x = xNew;
    g = gNew;
    fx = fNew;
    if (improvement < opts.tolerance) break;
  }
  return x;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function softmax(z: Float64Array): number[] {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  const e = Array.from(z, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
