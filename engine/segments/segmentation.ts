import { SuccessEngineError, type LocalizedText } from '../../core';
import { kMeans, silhouette } from './kmeans';
import { rfmScores, type RfmScore } from './rfm';

/** One account's value and risk as the segmenter sees them. */
export interface SegmentInput {
  accountId: string;
  /** Value: CLV point (or ARR when CLV is unavailable), in the tenant currency. */
  value: number;
  /** Churn probability in [0, 1]. */
  risk: number;
  /** Change in churn probability since the previous scoring (optional). */
  riskTrend?: number;
  /** RFM inputs (optional; purchase-based tenants). */
  recencyDays?: number;
  frequency?: number;
  monetary?: number;
}

export interface SegmentProfile {
  /** Mean value, churn probability and risk trend of the members, in raw units. */
  value: number;
  risk: number;
  riskTrend: number;
}

export interface Segment {
  /** Stable across runs: derived from the profile, or carried over from the matching previous segment. */
  id: string;
  name: LocalizedText;
  size: number;
  profile: SegmentProfile;
  /** Centroid in standardised feature space. */
  centroid: number[];
}

export interface SegmentModel {
  features: string[];
  mean: number[];
  sd: number[];
  k: number;
  silhouette: number;
  /** Silhouette for every k tried (how k was chosen). */
  silhouetteByK: Record<number, number>;
  segments: Segment[];
}

export interface SegmentAssignment {
  accountId: string;
  segmentId: string;
  rfm?: RfmScore;
}

export interface SegmentOptions {
  kMin?: number;
  kMax?: number;
  seed?: number;
  /** The last run's model: segments whose profile has barely moved keep their ids. */
  previous?: SegmentModel;
  /** Silhouette is O(n²); it is computed on an evenly spread sample of at most this many accounts. */
  silhouetteSample?: number;
}

/**
 * k-means on standardised value (log scale: spend is skewed) and risk (plus risk trend when given),
 * with k chosen by the mean silhouette over kMin..kMax. Each segment is named from its profile
 * ("high value, rising risk" / "高价值，风险上升"). RFM codes are attached when RFM inputs exist.
 */
export function segmentAccounts(
  rows: readonly SegmentInput[],
  options: SegmentOptions = {},
): { model: SegmentModel; assignments: SegmentAssignment[] } {
  rows.forEach((r, i) => {
    if (!Number.isFinite(r.value) || !(r.risk >= 0 && r.risk <= 1) || (r.riskTrend !== undefined && !Number.isFinite(r.riskTrend))) {
      throw new SuccessEngineError(
        'ENGINE.BAD_INPUT',
        `segment row ${i} (${r.accountId}): value must be finite, risk in [0, 1], riskTrend finite`,
        { index: i },
      );
    }
  });
  const kMin = Math.max(2, options.kMin ?? 2);
  const kMax = Math.min(options.kMax ?? 6, rows.length - 1);
  if (rows.length < 3 || kMax < kMin)
    throw new SuccessEngineError('ENGINE.INSUFFICIENT_DATA', `segmentation needs at least ${kMin + 1} accounts, got ${rows.length}`);

  const withTrend = rows.some((r) => r.riskTrend !== undefined);
  const features = withTrend ? ['log-value', 'risk', 'risk-trend'] : ['log-value', 'risk'];
  const raw = rows.map((r) =>
    withTrend ? [Math.log1p(Math.max(0, r.value)), r.risk, r.riskTrend ?? 0] : [Math.log1p(Math.max(0, r.value)), r.risk],
  );
  const mean = features.map((_, j) => raw.reduce((s, p) => s + (p[j] as number), 0) / raw.length);
  const sd = features.map(
    (_, j) => Math.sqrt(raw.reduce((s, p) => s + ((p[j] as number) - (mean[j] as number)) ** 2, 0) / raw.length) || 1,
  );
  const points = raw.map((p) => p.map((v, j) => (v - (mean[j] as number)) / (sd[j] as number)));

  const sampleEvery = Math.max(1, Math.ceil(points.length / (options.silhouetteSample ?? 1500)));
  const sampleIdx = points.map((_, i) => i).filter((i) => i % sampleEvery === 0);
  const silhouetteByK: Record<number, number> = {};
  let best: { k: number; s: number; result: ReturnType<typeof kMeans> } | undefined;
  for (let k = kMin; k <= kMax; k++) {
    const result = kMeans(points, k, { seed: options.seed ?? 1 });
    const s = silhouette(
      sampleIdx.map((i) => points[i] as number[]),
      sampleIdx.map((i) => result.labels[i] as number),
      k,
    );
    silhouetteByK[k] = s;
    // Ties go to the smaller k: fewer segments are easier to act on.
    if (!best || s > best.s + 1e-9) best = { k, s, result };
  }
  const chosen = (best as NonNullable<typeof best>).result;

  const members = chosen.centroids.map((_, j) => rows.filter((__, i) => chosen.labels[i] === j));
  const segments = chosen.centroids
    .map((centroid, j) => {
      const list = members[j] as SegmentInput[];
      const avg = (f: (r: SegmentInput) => number) => (list.length ? list.reduce((s, r) => s + f(r), 0) / list.length : 0);
      return {
        j,
        centroid,
        size: list.length,
        profile: { value: avg((r) => r.value), risk: avg((r) => r.risk), riskTrend: avg((r) => r.riskTrend ?? 0) },
      };
    })
    .filter((s) => s.size > 0)
    // Deterministic order whatever labels k-means produced: most valuable first.
    .sort((a, b) => b.profile.value - a.profile.value || a.profile.risk - b.profile.risk);

  const named = distinctNames(segments.map((s) => ({ ...s, ...describe(s.centroid, withTrend) })));
  const ids = assignIds(named, sd, options.previous);
  const model: SegmentModel = {
    features,
    mean,
    sd,
    k: named.length,
    silhouette: (best as NonNullable<typeof best>).s,
    silhouetteByK,
    segments: named.map((s, i) => ({ id: ids[i] as string, name: s.name, size: s.size, profile: s.profile, centroid: s.centroid })),
  };
  const idByLabel = new Map(named.map((s, i) => [s.j, ids[i] as string]));
  const hasRfm = rows.every((r) => r.recencyDays !== undefined && r.frequency !== undefined && r.monetary !== undefined);
  const rfm = hasRfm
    ? rfmScores(
        rows.map((r) => ({
          accountId: r.accountId,
          recencyDays: r.recencyDays as number,
          frequency: r.frequency as number,
          monetary: r.monetary as number,
        })),
      )
    : undefined;
  const assignments = rows.map((r, i) => ({
    accountId: r.accountId,
    segmentId: idByLabel.get(chosen.labels[i] as number) as string,
    ...(rfm ? { rfm: rfm[i] as RfmScore } : {}),
  }));
  return { model, assignments };
}

type Level = 'high' | 'mid' | 'low';
type RiskLevel = 'rising' | 'very-high' | 'high' | 'moderate' | 'low';

const VALUE_TEXT: Record<Level, LocalizedText> = {
  high: { en: 'high value', zh: '高价值' },
  mid: { en: 'mid value', zh: '中等价值' },
  low: { en: 'low value', zh: '低价值' },
};
const RISK_TEXT: Record<RiskLevel, LocalizedText> = {
  rising: { en: 'rising risk', zh: '风险上升' },
  'very-high': { en: 'very high risk', zh: '极高风险' },
  high: { en: 'high risk', zh: '高风险' },
  moderate: { en: 'moderate risk', zh: '中等风险' },
  low: { en: 'low risk', zh: '低风险' },
};

/** Name from the centroid's standard scores: ±0.25 sd separates high/low from the middle, and over 1 sd of risk is very high. */
function describe(centroid: readonly number[], withTrend: boolean): { name: LocalizedText; slug: string } {
  const [v, r, t] = [centroid[0] as number, centroid[1] as number, withTrend ? (centroid[2] as number) : 0];
  const value: Level = v > 0.25 ? 'high' : v < -0.25 ? 'low' : 'mid';
  const risk: RiskLevel = t > 0.5 ? 'rising' : r > 1 ? 'very-high' : r > 0.25 ? 'high' : r < -0.25 ? 'low' : 'moderate';
  return {
    name: { en: `${VALUE_TEXT[value].en}, ${RISK_TEXT[risk].en}`, zh: `${VALUE_TEXT[value].zh}，${RISK_TEXT[risk].zh}` },
    slug: `seg-${value}-value-${risk}-risk`,
  };
}

/** Two segments with one profile name are told apart by number, least risky first ("…, high risk (2)"). */
function distinctNames<S extends { name: LocalizedText; profile: SegmentProfile }>(segments: S[]): S[] {
  const byName = new Map<string, S[]>();
  for (const s of segments) byName.set(s.name.en, [...(byName.get(s.name.en) ?? []), s]);
  const renamed = new Map<S, LocalizedText>();
  for (const group of byName.values()) {
    if (group.length < 2) continue;
    [...group]
      .sort((a, b) => a.profile.risk - b.profile.risk)
      .forEach((s, i) => renamed.set(s, { en: `${s.name.en} (${i + 1})`, zh: `${s.name.zh}（${i + 1}）` }));
  }
  return segments.map((s) => (renamed.has(s) ? { ...s, name: renamed.get(s) as LocalizedText } : s));
}

/**
 * Ids: a segment close (≤ 1 sd) to a previous segment's profile keeps that id; otherwise it gets
 * its profile slug (numbered if two segments share a profile). So ids survive re-runs and only
 * change when a segment's meaning changes.
 */
function assignIds(
  segments: readonly { slug: string; profile: SegmentProfile }[],
  sd: readonly number[],
  previous?: SegmentModel,
): string[] {
  const ids = new Array<string | undefined>(segments.length).fill(undefined);
  const used = new Set<string>();
  if (previous) {
    const key = (p: SegmentProfile) => [
      Math.log1p(Math.max(0, p.value)) / (sd[0] as number),
      p.risk / (sd[1] as number),
      sd.length > 2 ? p.riskTrend / (sd[2] as number) : 0,
    ];
    const pairs: { i: number; id: string; d: number }[] = [];
    segments.forEach((s, i) => {
      const a = key(s.profile);
      for (const old of previous.segments) {
        const b = key(old.profile);
        pairs.push({ i, id: old.id, d: Math.sqrt(a.reduce((acc, x, j) => acc + (x - (b[j] as number)) ** 2, 0)) });
      }
    });
    pairs.sort((x, y) => x.d - y.d);
    for (const p of pairs) {
      if (p.d > 1 || ids[p.i] !== undefined || used.has(p.id)) continue;
      ids[p.i] = p.id;
      used.add(p.id);
    }
  }
  segments.forEach((s, i) => {
    if (ids[i] !== undefined) return;
    let id = s.slug;
    for (let n = 2; used.has(id); n++) id = `${s.slug}-${n}`;
    ids[i] = id;
    used.add(id);
  });
  return ids as string[];
}

/**
 * The segment of an account the model was not fitted on (a book is segmented on a sample): the
 * nearest centroid in the model's standardised space.
 */
export function assignSegment(model: SegmentModel, row: Pick<SegmentInput, 'value' | 'risk' | 'riskTrend'>): Segment {
  const raw = [Math.log1p(Math.max(0, row.value)), row.risk, row.riskTrend ?? 0].slice(0, model.features.length);
  const point = raw.map((v, j) => (v - (model.mean[j] as number)) / (model.sd[j] as number));
  let best = model.segments[0] as Segment;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const segment of model.segments) {
    const d = segment.centroid.reduce((s, c, j) => s + (c - (point[j] as number)) ** 2, 0);
    if (d < bestDistance) [best, bestDistance] = [segment, d];
  }
  return best;
}
