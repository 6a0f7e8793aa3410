import { brierScore } from '../metrics/classification.metrics';
import { logit, sigmoid } from './random';

/**
 * Maps a raw log-odds score to a calibrated probability. Every calibrator here is monotone
 * non-decreasing in the score, so calibration never reorders accounts (ROC-AUC is unchanged
 * except for ties that isotonic steps introduce).
 */
export type CalibratorState =
  | { kind: 'none'; min?: number; max?: number }
  | { kind: 'platt'; a: number; b: number; min?: number; max?: number }
  /** Isotonic step function: block score bounds and fitted rates (models trained before centred isotonic). */
  | { kind: 'isotonic'; x: number[]; y: number[] }
  /**
   * Centred isotonic regression (Oron & Flournoy 2017, https://doi.org/10.1080/19466315.2017.1286256):
   * isotonic block rates placed at each block's mean score and interpolated, so accounts keep their
   * order within a block instead of sharing a step; logistic tails with the Platt slope beyond the
   * outer blocks; `min`/`max` bound what the calibration data can support.
   */
  | { kind: 'centered-isotonic'; x: number[]; y: number[]; slope: number; min: number; max: number };

export function applyCalibrator(state: CalibratorState, score: number): number {
  switch (state.kind) {
    case 'none':
      return clamp(sigmoid(score), state.min, state.max);
    case 'platt':
      return clamp(sigmoid(state.a * score + state.b), state.min, state.max);
    case 'isotonic':
      return interpolate(state.x, state.y, score);
    case 'centered-isotonic':
      return Math.min(state.max, Math.max(state.min, centered(state, score)));
  }
}

const clamp = (p: number, min = 0, max = 1): number => Math.min(max, Math.max(min, p));

/** The most certainty `n` calibration rows support: half an observation away from 0 and 1. */
export function supportedBounds(n: number): { min: number; max: number } {
  const bound = 0.5 / (n + 1);
  return { min: bound, max: 1 - bound };
}

function centered(state: Extract<CalibratorState, { kind: 'centered-isotonic' }>, score: number): number {
  const first = state.x[0];
  const last = state.x[state.x.length - 1];
  if (first === undefined || last === undefined) return 0.5;
  if (score < first) return sigmoid(logit(state.y[0] as number) + state.slope * (score - first));
  if (score > last) return sigmoid(logit(state.y[state.y.length - 1] as number) + state.slope * (score - last));
  return interpolate(state.x, state.y, score);
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

interface PavBlock {
  sumY: number;
  weight: number;
  sumScore: number;
  lo: number;
  hi: number;
}

/** Pool-adjacent-violators over (score, label) sorted by score; equal scores share a block. */
function pavBlocks(scores: ArrayLike<number>, labels: ArrayLike<number>): PavBlock[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => (scores[i] as number) - (scores[j] as number) || i - j);
  const blocks: PavBlock[] = [];
  for (const i of order) {
    const s = scores[i] as number;
    const y = labels[i] as number;
    const top = blocks[blocks.length - 1];
    if (top && top.hi === s) {
      top.sumY += y;
      top.weight += 1;
      top.sumScore += s;
    } else {
      blocks.push({ sumY: y, weight: 1, sumScore: s, lo: s, hi: s });
    }
    poolViolators(blocks);
  }
  return blocks;
}

/** Merges the last block into its predecessor while their rates are not strictly increasing. */
function poolViolators(blocks: PavBlock[]): void {
  while (blocks.length > 1) {
    const cur = blocks[blocks.length - 1] as PavBlock;
    const prev = blocks[blocks.length - 2] as PavBlock;
    const prevRate = prev.sumY / prev.weight;
    const curRate = cur.sumY / cur.weight;
    if (prevRate < curRate) break;
    prev.sumY += cur.sumY;
    prev.weight += cur.weight;
    prev.sumScore += cur.sumScore;
    prev.hi = cur.hi;
    blocks.pop();
  }
}

/** Isotonic regression by pool-adjacent-violators over scores sorted ascending (a step function). */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): CalibratorState {
  const x: number[] = [];
  const y: number[] = [];
  for (const block of pavBlocks(scores, labels)) {
    const rate = block.sumY / block.weight;
    x.push(block.lo);
    y.push(rate);
    if (block.hi > block.lo) {
      x.push(block.hi);
      y.push(rate);
    }
  }
  return { kind: 'isotonic', x, y };
}

/**
 * Centred isotonic regression with smoothed rates: pool-adjacent-violators on the scores, each
 * block's rate shrunk by half an observation each way (Jeffreys) so no block claims 0 % or 100 %,
 * pooled again where shrinking broke the order (or left two rates equal), then placed at the
 * block's mean score. The output stays within [0.5/(n+1), 1 − 0.5/(n+1)]: n calibration rows
 * cannot support more certainty than that.
 */
export function fitCenteredIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): CalibratorState {
  const n = scores.length;
  if (n === 0) return { kind: 'none' };
  const smoothed: PavBlock[] = [];
  for (const block of pavBlocks(scores, labels)) {
    const mean = block.sumScore / block.weight;
    smoothed.push({ sumY: block.sumY + 0.5, weight: block.weight + 1, sumScore: mean * (block.weight + 1), lo: block.lo, hi: block.hi });
    poolViolators(smoothed);
  }
  const platt = fitPlatt(scores, labels);
  return {
    kind: 'centered-isotonic',
    x: smoothed.map((b) => b.sumScore / b.weight),
    y: smoothed.map((b) => b.sumY / b.weight),
    slope: platt.kind === 'platt' ? platt.a : 1,
    ...supportedBounds(n),
  };
}

export interface CalibrationChoice {
  calibrator: CalibratorState;
  /** Cross-validated Brier score of each candidate on the validation scores ('isotonic' is the centred one). */
  brierByKind: Record<'none' | 'platt' | 'isotonic', number>;
}

/**
 * Chooses none / Platt / isotonic by Brier score under `folds`-fold cross-fitting on out-of-sample
 * validation scores (fitting and judging a calibrator on the same rows would always favour
 * isotonic), then fits the winner on all of them.
 */
export function chooseCalibrator(scores: ArrayLike<number>, labels: ArrayLike<number>, folds = 5): CalibrationChoice {
  const n = scores.length;
  const candidates = { none: () => ({ kind: 'none' }) as CalibratorState, platt: fitPlatt, isotonic: fitCenteredIsotonic };
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
  let best: keyof CalibrationChoice['brierByKind'] = 'none';
  for (const kind of ['platt', 'isotonic'] as const) if (brierByKind[kind] < brierByKind[best] - 1e-6) best = kind;
  const chosen = candidates[best](scores, labels);
  // Whichever wins, no account is told 0 % or 100 %.
  return { calibrator: chosen.kind === 'none' || chosen.kind === 'platt' ? { ...chosen, ...supportedBounds(n) } : chosen, brierByKind };
}
