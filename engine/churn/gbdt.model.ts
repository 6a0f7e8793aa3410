import { SuccessEngineError } from '../../core';
import { logit, seededRandom, sigmoid } from './random';

/**
 * Histogram gradient-boosted trees for binary log-loss, on typed arrays.
 * - Features are bucketed into at most `maxBins` quantile bins; missing values (NaN) get their own
 *   bin, and every split learns which side missing values go to.
 * - Regularised like XGBoost: L2 on leaf weights (`lambda`), minimum hessian per child
 *   (`minChildWeight`), minimum split gain, shrinkage, row and column subsampling.
 * - Depth-wise trees; the larger child's histogram is the parent minus the smaller child's.
 * - Deterministic for a seed (the only randomness is subsampling from a seeded generator).
 */
export interface GbdtParams {
  nTrees: number;
  learningRate: number;
  maxDepth: number;
  minChildWeight: number;
  lambda: number;
  minSplitGain: number;
  /** At most 255: bin 255 is reserved for missing values. */
  maxBins: number;
  subsample: number;
  colsample: number;
  seed: number;
  /** Stop when validation log-loss has not improved for this many trees (needs a validation set). */
  earlyStoppingRounds: number;
  /**
   * Per feature: 1 = output may only rise with the value, −1 = only fall, 0 = free. Enforced as
   * XGBoost does (https://xgboost.readthedocs.io/en/stable/tutorials/monotonic.html): a split whose
   * children's weights go the wrong way is refused, and the children's weights are bounded by
   * their midpoint all the way down.
   */
  monotone?: ArrayLike<number>;
}

export const defaultGbdtParams: GbdtParams = {
  nTrees: 500,
  learningRate: 0.05,
  maxDepth: 4,
  minChildWeight: 5,
  lambda: 1,
  minSplitGain: 0,
  maxBins: 255,
  subsample: 0.8,
  colsample: 0.8,
  seed: 1,
  earlyStoppingRounds: 50,
};

/** Serialisable form: one entry per node, trees concatenated; `treeStart[t]` is tree t's root. */
export interface GbdtState {
  format: 'gbdt/1';
  nFeatures: number;
  baseScore: number;
  treeStart: number[];
  /** -1 for a leaf. */
  feature: number[];
  /** Row goes left when value ≤ threshold. */
  threshold: number[];
  missingLeft: number[];
  left: number[];
  right: number[];
  /** Leaf output in log-odds (shrinkage applied); 0 on internal nodes. */
  value: number[];
  /** Sum of training hessians reaching the node (used by TreeSHAP). */
  cover: number[];
}

const MISSING_BIN = 255;

export class GbdtModel {
  readonly nFeatures: number;
  readonly baseScore: number;
  readonly treeStart: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly cover: Float64Array;

  /**
   * Scoring layout: per tree in breadth-first order with siblings adjacent (right = left + 1).
   * A leaf points to itself with an infinite threshold, so every row can take exactly `depth`
   * branch-free steps per tree, and several rows can walk the same tree side by side.
   */
  private readonly fastFeature: Int32Array;
  private readonly fastThreshold: Float64Array;
  private readonly fastChild: Int32Array;
  private readonly fastMissingRight: Int32Array;
  private readonly fastValue: Float64Array;
  private readonly fastRoot: Int32Array;
  private readonly fastDepth: Int32Array;

  constructor(state: GbdtState) {
    this.nFeatures = state.nFeatures;
    this.baseScore = state.baseScore;
    this.treeStart = Int32Array.from(state.treeStart);
    this.feature = Int32Array.from(state.feature);
    this.threshold = Float64Array.from(state.threshold);
    this.missingLeft = Uint8Array.from(state.missingLeft);
    this.left = Int32Array.from(state.left);
    this.right = Int32Array.from(state.right);
    this.value = Float64Array.from(state.value);
    this.cover = Float64Array.from(state.cover);
    const size = this.feature.length;
    this.fastFeature = new Int32Array(size);
    this.fastThreshold = new Float64Array(size);
    this.fastChild = new Int32Array(size);
    this.fastMissingRight = new Int32Array(size);
    this.fastValue = new Float64Array(size);
    this.fastRoot = new Int32Array(this.treeStart.length);
    this.fastDepth = new Int32Array(this.treeStart.length);
    let next = 0;
    for (let t = 0; t < this.treeStart.length; t++) {
      // Breadth-first: each dequeued node's children are placed together at the end.
      const queue = [this.treeStart[t] as number];
      const slotOf = [next++];
      const depthOf = [0];
      this.fastRoot[t] = slotOf[0] as number;
      for (let q = 0; q < queue.length; q++) {
        const node = queue[q] as number;
        const slot = slotOf[q] as number;
        const f = this.feature[node] as number;
        this.fastDepth[t] = Math.max(this.fastDepth[t] as number, depthOf[q] as number);
        if (f < 0) {
          this.fastFeature[slot] = 0;
          this.fastThreshold[slot] = Number.POSITIVE_INFINITY;
          this.fastChild[slot] = slot;
          this.fastValue[slot] = this.value[node] as number;
          continue;
        }
        this.fastFeature[slot] = f;
        this.fastThreshold[slot] = this.threshold[node] as number;
        this.fastMissingRight[slot] = this.missingLeft[node] ? 0 : 1;
        this.fastChild[slot] = next;
        queue.push(this.left[node] as number, this.right[node] as number);
        slotOf.push(next, next + 1);
        depthOf.push((depthOf[q] as number) + 1, (depthOf[q] as number) + 1);
        next += 2;
      }
    }
  }

  get treeCount(): number {
    return this.treeStart.length;
  }

  toState(): GbdtState {
    return {
      format: 'gbdt/1',
      nFeatures: this.nFeatures,
      baseScore: this.baseScore,
      treeStart: Array.from(this.treeStart),
      feature: Array.from(this.feature),
      threshold: Array.from(this.threshold),
      missingLeft: Array.from(this.missingLeft),
      left: Array.from(this.left),
      right: Array.from(this.right),
      value: Array.from(this.value),
      cover: Array.from(this.cover),
    };
  }

  /** Leaf reached by one row (`x` row-major with `nFeatures` columns, starting at `offset`). */
  leafOf(tree: number, x: ArrayLike<number>, offset: number): number {
    let node = this.treeStart[tree] as number;
    const { feature, threshold, missingLeft, left, right } = this;
    for (;;) {
      const f = feature[node] as number;
      if (f < 0) return node;
      const v = x[offset + f] as number;
      if (v <= (threshold[node] as number)) node = left[node] as number;
      else if (v > (threshold[node] as number)) node = right[node] as number;
      else node = missingLeft[node] ? (left[node] as number) : (right[node] as number);
    }
  }

  /** Raw log-odds for n rows of a row-major matrix. */
  predictRaw(x: Float64Array, n: number, out: Float64Array = new Float64Array(n)): Float64Array {
    const d = this.nFeatures;
    if (x.length < n * d) throw new SuccessEngineError('ENGINE.BAD_INPUT', `matrix has ${x.length} cells, expected ${n} × ${d}`);
    const feature = this.fastFeature;
    const threshold = this.fastThreshold;
    const child = this.fastChild;
    const mr = this.fastMissingRight;
    const value = this.fastValue;
    const roots = this.fastRoot;
    const depths = this.fastDepth;
    const trees = roots.length;
    // Four rows walk each tree together: independent chains of loads the CPU can overlap.
    // Step: right when above the threshold, or when missing (NaN fails every comparison) and missing goes right.
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o0 = i * d;
      const o1 = o0 + d;
      const o2 = o1 + d;
      const o3 = o2 + d;
      let s0 = this.baseScore;
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      for (let t = 0; t < trees; t++) {
        let n0 = roots[t] as number;
        let n1 = n0;
        let n2 = n0;
        let n3 = n0;
        for (let k = depths[t] as number; k > 0; k--) {
          const v0 = x[o0 + (feature[n0] as number)] as number;
          const v1 = x[o1 + (feature[n1] as number)] as number;
          const v2 = x[o2 + (feature[n2] as number)] as number;
          const v3 = x[o3 + (feature[n3] as number)] as number;
          n0 = (child[n0] as number) + (+(v0 > (threshold[n0] as number)) | (+(v0 !== v0) & (mr[n0] as number)));
          n1 = (child[n1] as number) + (+(v1 > (threshold[n1] as number)) | (+(v1 !== v1) & (mr[n1] as number)));
          n2 = (child[n2] as number) + (+(v2 > (threshold[n2] as number)) | (+(v2 !== v2) & (mr[n2] as number)));
          n3 = (child[n3] as number) + (+(v3 > (threshold[n3] as number)) | (+(v3 !== v3) & (mr[n3] as number)));
        }
        s0 += value[n0] as number;
        s1 += value[n1] as number;
        s2 += value[n2] as number;
        s3 += value[n3] as number;
      }
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    }
    for (; i < n; i++) {
      const o = i * d;
      let s = this.baseScore;
      for (let t = 0; t < trees; t++) {
        let node = roots[t] as number;
        for (let k = depths[t] as number; k > 0; k--) {
          const v = x[o + (feature[node] as number)] as number;
          node = (child[node] as number) + (+(v > (threshold[node] as number)) | (+(v !== v) & (mr[node] as number)));
        }
        s += value[node] as number;
      }
      out[i] = s;
    }
    return out;
  }

  predictProbability(x: Float64Array, n: number): Float64Array {
    const raw = this.predictRaw(x, n);
    for (let i = 0; i < n; i++) raw[i] = sigmoid(raw[i] as number);
    return raw;
  }
}

interface Binned {
  /** Row-major bin indices, `bins[i * d + f]`: a histogram pass reads each row's bins together. */
  bins: Uint8Array;
  /** Per feature: raw thresholds; bin b holds values in (t[b-1], t[b]]. */
  thresholds: Float64Array[];
}

/** First index whose threshold is ≥ v, i.e. the number of thresholds below v. */
function binOf(thresholds: Float64Array, v: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((thresholds[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function binFeatures(x: Float64Array, n: number, d: number, maxBins: number): Binned {
  const bins = new Uint8Array(n * d);
  const thresholds: Float64Array[] = [];
  const column = new Float64Array(n);
  for (let f = 0; f < d; f++) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i * d + f] as number;
      if (!Number.isNaN(v)) column[m++] = v;
    }
    const sorted = column.subarray(0, m).slice().sort();
    const distinct: number[] = [];
    for (let k = 0; k < m; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) distinct.push(sorted[k] as number);
    let cuts: number[];
    if (distinct.length <= maxBins) {
      cuts = [];
      for (let k = 0; k + 1 < distinct.length; k++) cuts.push(((distinct[k] as number) + (distinct[k + 1] as number)) / 2);
    } else {
      const chosen = new Set<number>();
      for (let q = 1; q < maxBins; q++) chosen.add(sorted[Math.floor((q * m) / maxBins)] as number);
      const max = distinct[distinct.length - 1] as number;
      cuts = [...chosen].filter((v) => v < max).sort((a, b) => a - b);
    }
    const t = Float64Array.from(cuts);
    thresholds.push(t);
    for (let i = 0; i < n; i++) {
      const v = x[i * d + f] as number;
      bins[i * d + f] = Number.isNaN(v) ? MISSING_BIN : binOf(t, v);
    }
  }
  return { bins, thresholds };
}

interface BuildNode {
  feature: number;
  splitBin: number;
  threshold: number;
  missingLeft: number;
  left: number;
  right: number;
  value: number;
  cover: number;
}

export interface GbdtTrainResult {
  model: GbdtModel;
  /** Trees kept (after early stopping). */
  bestIteration: number;
  /** Validation log-loss per tree, when a validation set was given. */
  validationLoss: number[];
}

export interface MatrixData {
  x: Float64Array;
  n: number;
  y: ArrayLike<number>;
}

export function trainGbdt(train: MatrixData, d: number, params: GbdtParams, validation?: MatrixData): GbdtTrainResult {
  const { x, n, y } = train;
  if (n === 0 || x.length !== n * d)
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `training matrix has ${x.length} cells, expected ${n} × ${d}`);
  if (params.maxBins > 255 || params.maxBins < 2)
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `maxBins must be within 2..255, got ${params.maxBins}`);
  const random = seededRandom(params.seed);
  const { bins, thresholds } = binFeatures(x, n, d, params.maxBins);
  const binCount = Int32Array.from(thresholds, (t) => t.length + 1);

  let positives = 0;
  for (let i = 0; i < n; i++) positives += y[i] as number;
  const baseScore = logit((positives + 0.5) / (n + 1));
  const score = new Float64Array(n).fill(baseScore);
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  const rows = new Uint32Array(n);
  const scratch = new Uint32Array(n);
  const histSize = d * 512;
  const pool: Float64Array[] = [];
  const acquire = (): Float64Array => pool.pop()?.fill(0) ?? new Float64Array(histSize);
  const release = (buffer: Float64Array): void => void pool.push(buffer);

  const valScore = validation ? new Float64Array(validation.n).fill(baseScore) : undefined;
  const validationLoss: number[] = [];
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestIteration = 0;

  const nodes: BuildNode[] = [];
  const treeStart: number[] = [];
  let features = new Int32Array(0);
  const lambda = params.lambda;
  const mcw = params.minChildWeight;

  const buildHistogram = (hist: Float64Array, start: number, end: number): void => {
    const active = features.length;
    for (let k = start; k < end; k++) {
      const i = rows[k] as number;
      const gi = g[i] as number;
      const hi = h[i] as number;
      const rowBase = i * d;
      for (let a = 0; a < active; a++) {
        const f = features[a] as number;
        const b = f * 512 + ((bins[rowBase + f] as number) << 1);
        hist[b] = (hist[b] as number) + gi;
        hist[b + 1] = (hist[b + 1] as number) + hi;
      }
    }
  };

  const monotone = params.monotone;
  const weight = (G: number, H: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, -G / (H + lambda)));
  const allowed = (f: number, GL: number, HL: number, GR: number, HR: number, lo: number, hi: number): boolean => {
    const c = monotone ? (monotone[f] ?? 0) : 0;
    if (c === 0) return true;
    const wl = weight(GL, HL, lo, hi);
    const wr = weight(GR, HR, lo, hi);
    return c > 0 ? wl <= wr : wl >= wr;
  };
  const leaf = (G: number, H: number, lo: number, hi: number): number => {
    nodes.push({
      feature: -1,
      splitBin: 0,
      threshold: 0,
      missingLeft: 0,
      left: -1,
      right: -1,
      value: weight(G, H, lo, hi) * params.learningRate,
      cover: H,
    });
    return nodes.length - 1;
  };

  const build = (start: number, end: number, depth: number, hist: Float64Array, G: number, H: number, lo: number, hi: number): number => {
    if (depth >= params.maxDepth || H < 2 * mcw || end - start < 2) {
      release(hist);
      return leaf(G, H, lo, hi);
    }
    const parentScore = (G * G) / (H + lambda);
    let bestGain = params.minSplitGain;
    let bestFeature = -1;
    let bestBin = 0;
    let bestMissingLeft = 0;
    let bestGL = 0;
    let bestHL = 0;
    for (let a = 0; a < features.length; a++) {
      const f = features[a] as number;
      const base = f * 512;
      const gm = hist[base + 510] as number;
      const hm = hist[base + 511] as number;
      const last = (binCount[f] as number) - 1;
      let GL = 0;
      let HL = 0;
      for (let b = 0; b < last; b++) {
        GL += hist[base + 2 * b] as number;
        HL += hist[base + 2 * b + 1] as number;
        // Missing values to the right.
        let HR = H - HL;
        if (HL >= mcw && HR >= mcw) {
          const GR = G - GL;
          const gain = (GL * GL) / (HL + lambda) + (GR * GR) / (HR + lambda) - parentScore;
          if (gain > bestGain && allowed(f, GL, HL, GR, HR, lo, hi)) {
            bestGain = gain;
            bestFeature = f;
            bestBin = b;
            // Without missing values here, send future missing values to the heavier side.
            bestMissingLeft = hm > 0 ? 0 : HL > HR ? 1 : 0;
            bestGL = GL;
            bestHL = HL;
          }
        }
        if (hm > 0) {
          const GLm = GL + gm;
          const HLm = HL + hm;
          HR = H - HLm;
          if (HLm >= mcw && HR >= mcw) {
            const GR = G - GLm;
            const gain = (GLm * GLm) / (HLm + lambda) + (GR * GR) / (HR + lambda) - parentScore;
            if (gain > bestGain && allowed(f, GLm, HLm, GR, HR, lo, hi)) {
              bestGain = gain;
              bestFeature = f;
              bestBin = b;
              bestMissingLeft = 1;
              bestGL = GLm;
              bestHL = HLm;
            }
          }
        }
      }
    }
    if (bestFeature < 0) {
      release(hist);
      return leaf(G, H, lo, hi);
    }
    // Stable partition of rows[start, end) into left then right.
    let l = start;
    let r = 0;
    for (let k = start; k < end; k++) {
      const i = rows[k] as number;
      const b = bins[i * d + bestFeature] as number;
      const goesLeft = b === MISSING_BIN ? bestMissingLeft === 1 : b <= bestBin;
      if (goesLeft) rows[l++] = i;
      else scratch[r++] = i;
    }
    rows.set(scratch.subarray(0, r), l);
    const mid = l;
    const id = nodes.length;
    nodes.push({
      feature: bestFeature,
      splitBin: bestBin,
      threshold: thresholds[bestFeature]?.[bestBin] as number,
      missingLeft: bestMissingLeft,
      left: -1,
      right: -1,
      value: 0,
      cover: H,
    });
    const leftSmaller = mid - start <= end - mid;
    const small = acquire();
    if (leftSmaller) buildHistogram(small, start, mid);
    else buildHistogram(small, mid, end);
    for (let a = 0; a < features.length; a++) {
      const base = (features[a] as number) * 512;
      for (let b = 0; b < 512; b++) hist[base + b] = (hist[base + b] as number) - (small[base + b] as number);
    }
    const leftHist = leftSmaller ? small : hist;
    const rightHist = leftSmaller ? hist : small;
    const node = nodes[id] as BuildNode;
    // Below a monotone split, the left side stays under the midpoint of the two weights and the right side above it (or the reverse).
    const c = monotone ? (monotone[bestFeature] ?? 0) : 0;
    const middle = c === 0 ? 0 : (weight(bestGL, bestHL, lo, hi) + weight(G - bestGL, H - bestHL, lo, hi)) / 2;
    node.left = build(start, mid, depth + 1, leftHist, bestGL, bestHL, c < 0 ? middle : lo, c > 0 ? middle : hi);
    node.right = build(mid, end, depth + 1, rightHist, G - bestGL, H - bestHL, c > 0 ? middle : lo, c < 0 ? middle : hi);
    return id;
  };

  const allFeatures = Int32Array.from({ length: d }, (_, f) => f);
  for (let t = 0; t < params.nTrees; t++) {
    for (let i = 0; i < n; i++) {
      const p = sigmoid(score[i] as number);
      g[i] = p - (y[i] as number);
      h[i] = Math.max(p * (1 - p), 1e-16);
    }
    let m = 0;
    if (params.subsample < 1) {
      for (let i = 0; i < n; i++) if (random() < params.subsample) rows[m++] = i;
    } else {
      for (let i = 0; i < n; i++) rows[m++] = i;
    }
    if (params.colsample < 1) {
      const shuffled = allFeatures.slice();
      for (let k = d - 1; k > 0; k--) {
        const j = Math.floor(random() * (k + 1));
        const tmp = shuffled[k] as number;
        shuffled[k] = shuffled[j] as number;
        shuffled[j] = tmp;
      }
      features = shuffled.subarray(0, Math.max(1, Math.round(d * params.colsample))).sort();
    } else features = allFeatures;
    let G = 0;
    let H = 0;
    for (let k = 0; k < m; k++) {
      const i = rows[k] as number;
      G += g[i] as number;
      H += h[i] as number;
    }
    const rootHist = acquire();
    buildHistogram(rootHist, 0, m);
    const first = nodes.length;
    treeStart.push(first);
    build(0, m, 0, rootHist, G, H, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    // Update training scores by walking the new tree on bins.
    for (let i = 0; i < n; i++) {
      let node = first;
      let nd = nodes[node] as BuildNode;
      while (nd.feature >= 0) {
        const b = bins[i * d + nd.feature] as number;
        node = (b === MISSING_BIN ? nd.missingLeft === 1 : b <= nd.splitBin) ? nd.left : nd.right;
        nd = nodes[node] as BuildNode;
      }
      score[i] = (score[i] as number) + nd.value;
    }
    if (validation && valScore) {
      const loss = addTreeAndScore(nodes, first, validation, d, valScore);
      validationLoss.push(loss);
      if (loss < bestLoss - 1e-12) {
        bestLoss = loss;
        bestIteration = t + 1;
      } else if (t + 1 - bestIteration >= params.earlyStoppingRounds) break;
    } else bestIteration = t + 1;
  }

  const kept = bestIteration < treeStart.length ? (treeStart[bestIteration] as number) : nodes.length;
  const used = nodes.slice(0, kept);
  const model = new GbdtModel({
    format: 'gbdt/1',
    nFeatures: d,
    baseScore,
    treeStart: treeStart.slice(0, bestIteration),
    feature: used.map((nd) => nd.feature),
    threshold: used.map((nd) => nd.threshold),
    missingLeft: used.map((nd) => nd.missingLeft),
    left: used.map((nd) => nd.left),
    right: used.map((nd) => nd.right),
    value: used.map((nd) => nd.value),
    cover: used.map((nd) => nd.cover),
  });
  return { model, bestIteration, validationLoss };
}

/** Adds one tree's output to the validation scores and returns the validation log-loss. */
function addTreeAndScore(nodes: readonly BuildNode[], root: number, data: MatrixData, d: number, scores: Float64Array): number {
  let loss = 0;
  for (let i = 0; i < data.n; i++) {
    let nd = nodes[root] as BuildNode;
    while (nd.feature >= 0) {
      const v = data.x[i * d + nd.feature] as number;
      const goLeft = Number.isNaN(v) ? nd.missingLeft === 1 : v <= nd.threshold;
      nd = nodes[goLeft ? nd.left : nd.right] as BuildNode;
    }
    const s = (scores[i] as number) + nd.value;
    scores[i] = s;
    const p = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(s)));
    loss -= data.y[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return loss / data.n;
}
