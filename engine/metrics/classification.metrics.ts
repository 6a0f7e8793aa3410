import { SuccessEngineError } from '../../core';

/** Scores and 0/1 labels of equal length; every metric here checks this once. */
function checkInputs(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
  if (scores.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'metrics need at least one scored row');
}

/** Row indices sorted by descending score (ties keep input order, so results are deterministic). */
function descendingOrder(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number) || a - b);
  return order;
}

/**
 * ROC-AUC by the rank-sum (Mann-Whitney) formula with average ranks for ties, which equals the
 * trapezoidal area under the ROC curve. NaN when only one class is present.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(scores, labels);
  const n = scores.length;
  const order = descendingOrder(scores);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Ascending ranks: the row at descending position p has rank n - p.
  let rankSumPositives = 0;
  let p = 0;
  while (p < n) {
    let q = p;
    const s = scores[order[p] as number] as number;
    while (q + 1 < n && scores[order[q + 1] as number] === s) q++;
    const averageRank = n - (p + q) / 2;
    for (let k = p; k <= q; k++) if (labels[order[k] as number] === 1) rankSumPositives += averageRank;
    p = q + 1;
  }
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * PR-AUC as average precision (the step-wise sum used by scikit-learn's average_precision_score):
 * Σ (R_k − R_{k−1}) · P_k over distinct score thresholds. NaN without positives.
 */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(scores, labels);
  const n = scores.length;
  const order = descendingOrder(scores);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
  if (positives === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let previousRecall = 0;
  let ap = 0;
  let p = 0;
  while (p < n) {
    const s = scores[order[p] as number] as number;
    while (p < n && scores[order[p] as number] === s) {
      if (labels[order[p] as number] === 1) tp++;
      seen++;
      p++;
    }
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / seen);
    previousRecall = recall;
  }
  return ap;
}

/** Mean squared difference between probability and outcome. */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(probabilities, labels);
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const d = (probabilities[i] as number) - (labels[i] as number);
    sum += d * d;
  }
  return sum / probabilities.length;
}

/** Mean negative log-likelihood, with probabilities clipped away from 0 and 1. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkInputs(probabilities, labels);
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, probabilities[i] as number));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / probabilities.length;
}

export interface CalibrationBin {
  /** Bin bounds [lower, upper); the last bin includes 1. */
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Equal-width probability bins (empty bins are kept with count 0 and NaN rates). */
export function calibrationTable(probabilities: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): CalibrationBin[] {
  checkInputs(probabilities, labels);
  const count = new Float64Array(bins);
  const sumP = new Float64Array(bins);
  const sumY = new Float64Array(bins);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[b] = (count[b] as number) + 1;
    sumP[b] = (sumP[b] as number) + p;
    sumY[b] = (sumY[b] as number) + (labels[i] as number);
  }
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const c = count[b] as number;
    out.push({
      lower: b / bins,
      upper: (b + 1) / bins,
      count: c,
      meanPredicted: c ? (sumP[b] as number) / c : Number.NaN,
      observedRate: c ? (sumY[b] as number) / c : Number.NaN,
    });
  }
  return out;
}

/** Expected calibration error: Σ_bins (n_b / n) · |mean predicted − observed rate|, equal-width bins. */
export function expectedCalibrationError(probabilities: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): number {
  const table = calibrationTable(probabilities, labels, bins);
  let ece = 0;
  for (const bin of table) if (bin.count > 0) ece += (bin.count / probabilities.length) * Math.abs(bin.meanPredicted - bin.observedRate);
  return ece;
}

export interface ClassificationReport {
  rocAuc: number;
  prAuc: number;
  brier: number;
  ece: number;
  logLoss: number;
  n: number;
  positives: number;
  calibration: CalibrationBin[];
}

export function classificationReport(probabilities: ArrayLike<number>, labels: ArrayLike<number>): ClassificationReport {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  return {
    rocAuc: rocAuc(probabilities, labels),
    prAuc: prAuc(probabilities, labels),
    brier: brierScore(probabilities, labels),
    ece: expectedCalibrationError(probabilities, labels),
    logLoss: logLoss(probabilities, labels),
    n: labels.length,
    positives,
    calibration: calibrationTable(probabilities, labels),
  };
}
