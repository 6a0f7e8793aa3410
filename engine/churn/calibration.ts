import { brierScore } from '../metrics/classification.metrics';
import { sigmoid } from './random';

/**
 * Maps a raw log-odds score to a calibrated probability. Every calibrator here is monotone
 * non-decreasing in the score, so calibration never reorders accounts (ROC-AUC is unchanged
 * except for ties that isotonic steps introduce).
 */
export type CalibratorState =
  | { kind: 'none' }
  | { kind: 'platt'; a: number; b: number }
  /** Isotonic step function: block score bounds and fitted rates, interpolated between blocks. */
  | { kind: 'isotonic'; x: number[]; y: number[] };

export function applyCalibrator(state: CalibratorState, score: number): number {
  switch (state.kind) {
    case 'none':
      return sigmoid(score);
    case 'platt':
      return sigmoid(state.a * score + state.b);
    case 'isotonic':
      return interpolate(state.x, state.y, score);
  }
}

function interpolate(xs: readonly number[], ys: readonly number[], v: number): number {
  const n = xs.length;
  if (n === 0) return 0.5;
  if (v <= (xs[0] as number)) return ys[0] as number;
  if (v >= (xs[n - 1] as number)) return ys[n - 1] as number;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= v) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo] as number;
  const x1 = xs[hi] as number;
  const y0 = ys[lo] as number;
  const y1 = ys[hi] as number;
  return x1 > x0 ? y0 + ((y1 - y0) * (v - x0)) / (x1 - x0) : y1;
}

/** Platt scaling: p = σ(a·s + b), fitted by Newton's method on log-loss (a tiny ridge keeps it stable). */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): CalibratorState {
  let a = 1;
  let b = 0;
  for (let iteration = 0; iteration < 50; iteration++) {
    let ga = 1e-6 * (a - 1);
    let gb = 0;
    let haa = 1e-6;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] as number;
      const p = sigmoid(a * s + b);
      const r = p - (labels[i] as number);
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r * s;
      gb += r;
      haa += w * s * s;
      hab += w * s;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-18)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  // A negative slope would reverse the ranking; fall back to the identity in that degenerate case.
  return a > 0 ? { kind: 'platt', a, b } : { kind: 'none' };
}

/** Isotonic regression by pool-adjacent-violators over scores sorted ascending. */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): CalibratorState {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => (scores[i] as number) - (scores[j] as number) || i - j);
  // Blocks: [sum of y, weight, min score, max score]
  const sumY: number[] = [];
  const weight: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const i of order) {
    const s = scores[i] as number;
    const yv = labels[i] as number;
    const last = weight.length - 1;
    if (last >= 0 && hi[last] === s) {
      // Equal scores must share one fitted value.
      sumY[last] = (sumY[last] as number) + yv;
      weight[last] = (weight[last] as number) + 1;
    } else {
      sumY.push(yv);
      weight.push(1);
      lo.push(s);
      hi.push(s);
    }
    while (weight.length > 1) {
      const k = weight.length - 1;
      if ((sumY[k - 1] as number) / (weight[k - 1] as number) <= (sumY[k] as number) / (weight[k] as number)) break;
      sumY[k - 1] = (sumY[k - 1] as number) + (sumY[k] as number);
      weight[k - 1] = (weight[k - 1] as number) + (weight[k] as number);
      hi[k - 1] = hi[k] as number;
      sumY.pop();
      weight.pop();
      lo.pop();
      hi.pop();
    }
  }
  const x: number[] = [];
  const y: number[] = [];
  for (let k = 0; k < weight.length; k++) {
    const rate = (sumY[k] as number) / (weight[k] as number);
    x.push(lo[k] as number);
    y.push(rate);
    if ((hi[k] as number) > (lo[k] as number)) {
      x.push(hi[k] as number);
      y.push(rate);
    }
  }
  return { kind: 'isotonic', x, y };
}

export interface CalibrationChoice {
  calibrator: CalibratorState;
  /** Cross-validated Brier score of each candidate on the validation scores. */
  brierByKind: Record<CalibratorState['kind'], number>;
}

/**
 * Chooses none / Platt / isotonic by Brier score under `folds`-fold cross-fitting on out-of-sample
 * validation scores (fitting and judging a calibrator on the same rows would always favour
 * isotonic), then fits the winner on all of them.
 */
export function chooseCalibrator(scores: ArrayLike<number>, labels: ArrayLike<number>, folds = 5): CalibrationChoice {
  const n = scores.length;
  const candidates = { none: () => ({ kind: 'none' }) as CalibratorState, platt: fitPlatt, isotonic: fitIsotonic };
  const brierByKind = { none: 0, platt: 0, isotonic: 0 };
  for (const kind of ['none', 'platt', 'isotonic'] as const) {
    const predicted = new Float64Array(n);
    for (let f = 0; f < folds; f++) {
      const fitS: number[] = [];
      const fitY: number[] = [];
      for (let i = 0; i < n; i++) {
        if (i % folds !== f) {
          fitS.push(scores[i] as number);
          fitY.push(labels[i] as number);
        }
      }
      const calibrator = candidates[kind](fitS, fitY);
      for (let i = f; i < n; i += folds) predicted[i] = applyCalibrator(calibrator, scores[i] as number);
    }
    brierByKind[kind] = brierScore(predicted, labels);
  }
  let best: CalibratorState['kind'] = 'none';
  for (const kind of ['platt', 'isotonic'] as const) if (brierByKind[kind] < brierByKind[best] - 1e-6) best = kind;
  return { calibrator: candidates[best](scores, labels), brierByKind };
}
