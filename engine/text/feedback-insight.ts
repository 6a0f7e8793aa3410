import { SuccessEngineError } from '../../core';
import type { PiiMasker } from './pii-masking';
import { normalizeText, tokenize } from './text-normalize';

export interface FeedbackItem {
  id: string;
  accountId: string;
  at: string;
  text: string;
  vector: Float32Array;
  label?: 'positive' | 'neutral' | 'negative';
  /** Model ref of the embedding, so clusters say what they were built on. */
  modelId?: string;
}

export interface TopicCluster {
  id: number;
  size: number;
  /** Most frequent distinctive words/characters, a cheap name for the cluster. */
  keywords: string[];
  /** Texts nearest the centroid, PII-masked. */
  quotes: string[];
  negativeShare: number;
  memberIds: string[];
}

/** Deterministic PRNG for k-means++ seeding. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cosineDistance(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return na === 0 || nb === 0 ? 1 : 1 - dot / Math.sqrt(na * nb);
}

const STOP = new Set([
  'the',
  'a',
  'an',
  'and',
  'or',
  'to',
  'of',
  'in',
  'on',
  'for',
  'is',
  'was',
  'it',
  'i',
  'we',
  'you',
  'my',
  'our',
  'this',
  'that',
  'with',
  'be',
  'are',
  'but',
  'not',
  'so',
  'at',
  '的',
  '了',
  '是',
  '我',
  '也',
  '都',
  '就',
  '很',
  '在',
  '和',
  '有',
  '不',
  '还',
  '!',
  '?',
  '！',
  '？',
]);

/**
 * Spherical k-means (cosine) over embeddings, k-means++ seeding from a fixed seed, so the same
 * feedback gives the same clusters. Each cluster keeps its nearest quotes, masked.
 */
export function clusterFeedback(
  items: readonly FeedbackItem[],
  k: number,
  masker: PiiMasker,
  options: { seed?: number; iterations?: number; quotes?: number } = {},
): TopicCluster[] {
  if (!Number.isInteger(k) || k < 1) throw new SuccessEngineError('ENGINE.BAD_INPUT', `k must be a positive integer, got ${k}`);
  if (items.length === 0) return [];
  const dim = items[0]?.vector.length ?? 0;
  items.forEach((it, i) => {
    if (it.vector.length !== dim)
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `item ${i} (${it.id}) has a ${it.vector.length}-dim vector, expected ${dim}`);
  });
  const kk = Math.min(k, items.length);
  const rand = mulberry32(options.seed ?? 1);
  const centroids: Float32Array[] = [Float32Array.from((items[Math.floor(rand() * items.length)] as FeedbackItem).vector)];
  while (centroids.length < kk) {
    const d = items.map((it) => Math.min(...centroids.map((c) => cosineDistance(it.vector, c))) ** 2);
    const total = d.reduce((a, b) => a + b, 0);
    let r = rand() * total;
    let pick = 0;
    for (; pick < d.length - 1; pick++) {
      r -= d[pick] as number;
      if (r <= 0) break;
    }
    centroids.push(Float32Array.from((items[pick] as FeedbackItem).vector));
  }
  let assign = new Array<number>(items.length).fill(0);
  for (let iter = 0; iter < (options.iterations ?? 50); iter++) {
    const next = items.map((it) => {
      let best = 0;
      let bestD = Infinity;
      centroids.forEach((c, j) => {
        const dist = cosineDistance(it.vector, c);
        if (dist < bestD) {
          bestD = dist;
          best = j;
        }
      });
      return best;
    });
    const changed = next.some((a, i) => a !== assign[i]);
    assign = next;
    centroids.forEach((c, j) => {
      const members = items.filter((_, i) => assign[i] === j);
      if (members.length === 0) return;
      c.fill(0);
      for (const m of members) for (let x = 0; x < dim; x++) c[x] = (c[x] as number) + (m.vector[x] as number);
    });
    if (!changed && iter > 0) break;
  }
  const clusters: TopicCluster[] = [];
  centroids.forEach((c, j) => {
    const members = items.map((it, i) => ({ it, i })).filter(({ i }) => assign[i] === j);
    if (members.length === 0) return;
    const nearest = [...members]
      .sort((a, b) => cosineDistance(a.it.vector, c) - cosineDistance(b.it.vector, c))
      .slice(0, options.quotes ?? 3);
    clusters.push({
      id: j,
      size: members.length,
      keywords: keywords(
        members.map((m) => m.it.text),
        items.map((it) => it.text),
      ),
      quotes: nearest.map((m) => masker.mask(m.it.text).text),
      negativeShare: members.filter((m) => m.it.label === 'negative').length / members.length,
      memberIds: members.map((m) => m.it.id),
    });
  });
  return clusters.sort((a, b) => b.size - a.size || a.id - b.id);
}

function keywords(texts: readonly string[], all: readonly string[], n = 5): string[] {
  const count = (list: readonly string[]): Map<string, number> => {
    const m = new Map<string, number>();
    for (const t of list)
      for (const w of new Set(tokenize(normalizeText(t)))) if (!STOP.has(w) && !/^\d+$/.test(w)) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  };
  const inCluster = count(texts);
  const overall = count(all);
  return [...inCluster.entries()]
    .map(([w, c]) => ({ w, lift: c / texts.length / (((overall.get(w) ?? c) + 1) / (all.length + 1)), c }))
    .filter((x) => x.c >= Math.min(2, texts.length))
    .sort((a, b) => b.lift * Math.log1p(b.c) - a.lift * Math.log1p(a.c) || (a.w < b.w ? -1 : 1))
    .slice(0, n)
    .map((x) => x.w);
}

export interface TopicTrendPoint {
  topic: string;
  /** Period start, ISO date (Monday for weeks, 1st for months), UTC. */
  period: string;
  count: number;
  negative: number;
}

export function periodStart(at: string, bucket: 'week' | 'month'): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) throw new SuccessEngineError('ENGINE.BAD_INPUT', `"${at}" is not an ISO date`);
  if (bucket === 'month') return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-01`;
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7)));
  return monday.toISOString().slice(0, 10);
}

/** Counts per topic per period, with how many were negative. */
export function topicTrends(items: readonly { at: string; topic: string; label?: string }[], bucket: 'week' | 'month'): TopicTrendPoint[] {
  const m = new Map<string, TopicTrendPoint>();
  for (const it of items) {
    const period = periodStart(it.at, bucket);
    const key = `${it.topic}\u0000${period}`;
    const p = m.get(key) ?? { topic: it.topic, period, count: 0, negative: 0 };
    p.count++;
    if (it.label === 'negative') p.negative++;
    m.set(key, p);
  }
  return [...m.values()].sort((a, b) => (a.topic === b.topic ? a.period.localeCompare(b.period) : a.topic.localeCompare(b.topic)));
}

export interface NegativeSpike {
  topic: string;
  period: string;
  negative: number;
  baselineMean: number;
  reason: { en: string; zh: string };
}

/**
 * A topic's negative count in a period is a spike when it is at least `minCount` and exceeds the
 * mean of the previous `baselinePeriods` periods by `factor` times plus two standard deviations.
 */
export function negativeSpikes(
  trends: readonly TopicTrendPoint[],
  options: { minCount?: number; factor?: number; baselinePeriods?: number } = {},
): NegativeSpike[] {
  const minCount = options.minCount ?? 3;
  const factor = options.factor ?? 2;
  const window = options.baselinePeriods ?? 8;
  const byTopic = new Map<string, TopicTrendPoint[]>();
  for (const p of trends) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
  const spikes: NegativeSpike[] = [];
  for (const [topic, points] of byTopic) {
    const sorted = [...points].sort((a, b) => a.period.localeCompare(b.period));
    sorted.forEach((p, i) => {
      if (i === 0 || p.negative < minCount) return;
      const base = sorted.slice(Math.max(0, i - window), i).map((x) => x.negative);
      const mean = base.reduce((a, b) => a + b, 0) / base.length;
      const sd = Math.sqrt(base.reduce((a, b) => a + (b - mean) ** 2, 0) / base.length);
      if (p.negative > factor * mean + 2 * sd) {
        spikes.push({
          topic,
          period: p.period,
          negative: p.negative,
          baselineMean: mean,
          reason: {
            en: `${p.negative} negative comments about "${topic}" in the period from ${p.period}, against ${mean.toFixed(1)} on average before`,
            zh: `自 ${p.period} 起关于“${topic}”的负面反馈 ${p.negative} 条，此前平均 ${mean.toFixed(1)} 条`,
          },
        });
      }
    });
  }
  return spikes;
}
