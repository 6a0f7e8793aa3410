import type { GbdtModel } from './gbdt.model';

/**
 * Exact path-dependent TreeSHAP (Lundberg et al. 2018, Algorithm 2, as in the `shap` C++ code):
 * per-feature contributions in log-odds such that
 *   Σ φ_f = f(x) − E[f]   where E[f] = base score + Σ_trees Σ_leaves value · cover / root cover.
 * Cost is O(trees · leaves · depth²) per row.
 */
export function expectedValue(model: GbdtModel): number {
  let total = model.baseScore;
  for (let t = 0; t < model.treeCount; t++) {
    const root = model.treeStart[t] as number;
    const end = t + 1 < model.treeCount ? (model.treeStart[t + 1] as number) : model.feature.length;
    const rootCover = model.cover[root] as number;
    if (rootCover <= 0) continue;
    for (let node = root; node < end; node++) {
      if ((model.feature[node] as number) < 0) total += ((model.value[node] as number) * (model.cover[node] as number)) / rootCover;
    }
  }
  return total;
}

/** Scratch buffers sized for a model's depth, reused across rows. */
export class TreeShapExplainer {
  private readonly pathFeature: Int32Array;
  private readonly pathZero: Float64Array;
  private readonly pathOne: Float64Array;
  private readonly pathWeight: Float64Array;
  readonly expectedValue: number;

  constructor(private readonly model: GbdtModel) {
    const depth = maxDepth(model) + 2;
    const size = ((depth + 1) * (depth + 2)) / 2 + depth + 2;
    this.pathFeature = new Int32Array(size);
    this.pathZero = new Float64Array(size);
    this.pathOne = new Float64Array(size);
    this.pathWeight = new Float64Array(size);
    this.expectedValue = expectedValue(model);
  }

  /** φ for one row of `x` (row-major, model.nFeatures columns, starting at `offset`). */
  explain(x: ArrayLike<number>, offset: number, phi: Float64Array = new Float64Array(this.model.nFeatures)): Float64Array {
    for (let t = 0; t < this.model.treeCount; t++) this.recurse(this.model.treeStart[t] as number, x, offset, phi, 0, 0, 1, 1, -1);
    return phi;
  }

  private extend(start: number, depth: number, zero: number, one: number, feature: number): void {
    const pf = this.pathFeature;
    const pz = this.pathZero;
    const po = this.pathOne;
    const pw = this.pathWeight;
    pf[start + depth] = feature;
    pz[start + depth] = zero;
    po[start + depth] = one;
    pw[start + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      pw[start + i + 1] = (pw[start + i + 1] as number) + (one * (pw[start + i] as number) * (i + 1)) / (depth + 1);
      pw[start + i] = (zero * (pw[start + i] as number) * (depth - i)) / (depth + 1);
    }
  }

  private unwind(start: number, depth: number, index: number): void {
    const pw = this.pathWeight;
    const one = this.pathOne[start + index] as number;
    const zero = this.pathZero[start + index] as number;
    let next = pw[start + depth] as number;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = pw[start + i] as number;
        pw[start + i] = (next * (depth + 1)) / ((i + 1) * one);
        next = tmp - ((pw[start + i] as number) * zero * (depth - i)) / (depth + 1);
      } else {
        pw[start + i] = ((pw[start + i] as number) * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      this.pathFeature[start + i] = this.pathFeature[start + i + 1] as number;
      this.pathZero[start + i] = this.pathZero[start + i + 1] as number;
      this.pathOne[start + i] = this.pathOne[start + i + 1] as number;
    }
  }

  private unwoundSum(start: number, depth: number, index: number): number {
    const pw = this.pathWeight;
    const one = this.pathOne[start + index] as number;
    const zero = this.pathZero[start + index] as number;
    let next = pw[start + depth] as number;
    let total = 0;
    if (one !== 0) {
      for (let i = depth - 1; i >= 0; i--) {
        const tmp = (next * (depth + 1)) / ((i + 1) * one);
        total += tmp;
        next = (pw[start + i] as number) - (tmp * zero * (depth - i)) / (depth + 1);
      }
    } else {
      for (let i = depth - 1; i >= 0; i--) total += (pw[start + i] as number) / zero / ((depth - i) / (depth + 1));
    }
    return total;
  }

  private recurse(
    node: number,
    x: ArrayLike<number>,
    offset: number,
    phi: Float64Array,
    parentStart: number,
    depth: number,
    zero: number,
    one: number,
    feature: number,
  ): void {
    const m = this.model;
    // Each level works on its own copy of the path, placed right after the parent's.
    const start = depth === 0 ? 0 : parentStart + depth;
    // Plain loops: copyWithin's call overhead dominates for paths this short.
    for (let k = 0; k < depth; k++) {
      this.pathFeature[start + k] = this.pathFeature[parentStart + k] as number;
      this.pathZero[start + k] = this.pathZero[parentStart + k] as number;
      this.pathOne[start + k] = this.pathOne[parentStart + k] as number;
      this.pathWeight[start + k] = this.pathWeight[parentStart + k] as number;
    }
    this.extend(start, depth, zero, one, feature);
    const split = m.feature[node] as number;
    if (split < 0) {
      const leafValue = m.value[node] as number;
      for (let i = 1; i <= depth; i++) {
        const w = this.unwoundSum(start, depth, i);
        const f = this.pathFeature[start + i] as number;
        phi[f] = (phi[f] as number) + w * ((this.pathOne[start + i] as number) - (this.pathZero[start + i] as number)) * leafValue;
      }
      return;
    }
    const v = x[offset + split] as number;
    const thr = m.threshold[node] as number;
    const goLeft = v <= thr ? true : v > thr ? false : m.missingLeft[node] === 1;
    const hot = goLeft ? (m.left[node] as number) : (m.right[node] as number);
    const cold = goLeft ? (m.right[node] as number) : (m.left[node] as number);
    const cover = m.cover[node] as number;
    const hotZero = cover > 0 ? (m.cover[hot] as number) / cover : 0;
    const coldZero = cover > 0 ? (m.cover[cold] as number) / cover : 0;
    let incomingZero = 1;
    let incomingOne = 1;
    let d = depth;
    let index = 0;
    for (; index <= d; index++) if (this.pathFeature[start + index] === split) break;
    if (index !== d + 1) {
      incomingZero = this.pathZero[start + index] as number;
      incomingOne = this.pathOne[start + index] as number;
      this.unwind(start, d, index);
      d -= 1;
    }
    this.recurse(hot, x, offset, phi, start, d + 1, hotZero * incomingZero, incomingOne, split);
    this.recurse(cold, x, offset, phi, start, d + 1, coldZero * incomingZero, 0, split);
  }
}

function maxDepth(model: GbdtModel): number {
  let deepest = 0;
  const walk = (node: number, depth: number): void => {
    if (depth > deepest) deepest = depth;
    if ((model.feature[node] as number) < 0) return;
    walk(model.left[node] as number, depth + 1);
    walk(model.right[node] as number, depth + 1);
  };
  for (let t = 0; t < model.treeCount; t++) walk(model.treeStart[t] as number, 0);
  return deepest;
}
