import { SuccessEngineError } from '../../core';

/**
 * Population stability index: PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over bins, where eᵢ is the share of
 * the reference sample (a model's training data) in bin i and aᵢ the share of the current sample
 * (the newest scoring batch). An empty bin counts as `epsilon` so the log stays finite; shares
 * are not renormalised afterwards (the common convention). Read as < 0.1 stable, 0.1–0.25
 * moderate shift, ≥ 0.25 significant shift.
 */
export const PSI_EPSILON = 1e-4;
export const PSI_MODERATE = 0.1;
export const PSI_SIGNIFICANT = 0.25;

export type PsiLevel = 'stable' | 'moderate' | 'significant';

export interface PsiBin {
  label: string;
  /** Share of the reference sample. */
  expected: number;
  /** Share of the current sample. */
  actual: number;
}

export interface PsiResult {
  psi: number;
  level: PsiLevel;
  bins: PsiBin[];
  referenceCount: number;
  currentCount: number;
}

export function psiLevel(psi: number): PsiLevel {
  return psi >= PSI_SIGNIFICANT ? 'significant' : psi >= PSI_MODERATE ? 'moderate' : 'stable';
}

function checkCounts(counts: readonly number[], what: string): number {
  let total = 0;
  for (const [i, c] of counts.entries()) {
    if (!Number.isFinite(c) || c < 0)
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `${what} count of bin ${i} must be a non-negative number, got ${c}`);
    total += c;
  }
  if (total <= 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', `${what} sample is empty`);
  return total;
}

/** PSI from bin counts (or shares) of the two samples, bin by bin. */
export function psiFromCounts(expected: readonly number[], actual: readonly number[], epsilon = PSI_EPSILON): number {
  if (expected.length !== actual.length || expected.length === 0)
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `PSI needs the same number of bins on both sides (reference ${expected.length}, current ${actual.length})`,
    );
  const te = checkCounts(expected, 'reference');
  const ta = checkCounts(actual, 'current');
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max((expected[i] as number) / te, epsilon);
    const a = Math.max((actual[i] as number) / ta, epsilon);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Linear-interpolation quantile (R type 7) of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

function finiteSorted(values: ArrayLike<number>): { sorted: Float64Array; missing: number } {
  const out: number[] = [];
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) out.push(v);
    else missing++;
  }
  return { sorted: Float64Array.from(out).sort(), missing };
}

/** Index of the first edge ≥ x (bins are (−∞, e₀], (e₀, e₁], …, (eₖ₋₁, ∞)). */
function binOf(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const fmt = (x: number) => String(Number(x.toPrecision(4)));

/**
 * PSI of a numeric feature: bin edges at the reference sample's quantiles (`bins` equal-share
 * bins; fewer when values repeat), missing values (NaN) as a bin of their own.
 */
export function numericPsi(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  options: { bins?: number; epsilon?: number } = {},
): PsiResult {
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 2) throw new SuccessEngineError('ENGINE.BAD_INPUT', `bins must be an integer ≥ 2, got ${bins}`);
  if (reference.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'reference sample is empty');
  if (current.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'current sample is empty');
  const ref = finiteSorted(reference);
  const cur = finiteSorted(current);
  const edges: number[] = [];
  if (ref.sorted.length > 0) {
    for (let j = 1; j < bins; j++) {
      const q = quantile(ref.sorted, j / bins);
      if (edges.length === 0 || q > (edges[edges.length - 1] as number)) edges.push(q);
    }
  }
  const count = (s: Float64Array) => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of s) {
      const b = binOf(edges, v);
      counts[b] = (counts[b] as number) + 1;
    }
    return counts;
  };
  const e = count(ref.sorted);
  const a = count(cur.sorted);
  const labels = e.map((_, i) =>
    i === 0
      ? `≤ ${fmt(edges[0] ?? Infinity)}`
      : i === edges.length
        ? `> ${fmt(edges[i - 1] as number)}`
        : `(${fmt(edges[i - 1] as number)}, ${fmt(edges[i] as number)}]`,
  );
  if (ref.missing > 0 || cur.missing > 0) {
    e.push(ref.missing);
    a.push(cur.missing);
    labels.push('missing');
  }
  return result(labels, e, a, options.epsilon);
}

/** PSI of a categorical feature: one bin per level seen on either side, `null` as `missing`. */
export function categoricalPsi(
  reference: readonly (string | null)[],
  current: readonly (string | null)[],
  options: { epsilon?: number } = {},
): PsiResult {
  if (reference.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'reference sample is empty');
  if (current.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'current sample is empty');
  const index = new Map<string, number>();
  const e: number[] = [];
  const a: number[] = [];
  const add = (values: readonly (string | null)[], into: 'e' | 'a') => {
    for (const v of values) {
      const label = v ?? 'missing';
      let i = index.get(label);
      if (i === undefined) {
        i = e.length;
        index.set(label, i);
        e.push(0);
        a.push(0);
      }
      if (into === 'e') e[i] = (e[i] as number) + 1;
      else a[i] = (a[i] as number) + 1;
    }
  };
  add(reference, 'e');
  add(current, 'a');
  return result([...index.keys()], e, a, options.epsilon);
}

function result(labels: string[], e: number[], a: number[], epsilon: number | undefined): PsiResult {
  const te = e.reduce((s, x) => s + x, 0);
  const ta = a.reduce((s, x) => s + x, 0);
  const psi = psiFromCounts(e, a, epsilon ?? PSI_EPSILON);
  return {
    psi,
    level: psiLevel(psi),
    bins: labels.map((label, i) => ({ label, expected: (e[i] as number) / te, actual: (a[i] as number) / ta })),
    referenceCount: te,
    currentCount: ta,
  };
}
