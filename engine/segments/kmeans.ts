import { createRandom } from '../optim/random';

export interface KMeansResult {
  k: number;
  centroids: number[][];
  labels: number[];
  inertia: number;
}

function distance2(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const d = (a[j] as number) - (b[j] as number);
    s += d * d;
  }
  return s;
}

/** k-means (Lloyd) with k-means++ seeding and several seeded restarts; best inertia wins. */
export function kMeans(
  points: readonly number[][],
  k: number,
  options: { seed?: number; restarts?: number; maxIterations?: number } = {},
): KMeansResult {
  const random = createRandom(options.seed ?? 1);
  let best: KMeansResult | undefined;
  for (let attempt = 0; attempt < (options.restarts ?? 5); attempt++) {
    const result = lloyd(
      points,
      seedPlusPlus(points, k, () => random.next()),
      options.maxIterations ?? 100,
    );
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best as KMeansResult;
}

function seedPlusPlus(points: readonly number[][], k: number, next: () => number): number[][] {
  const centroids: number[][] = [[...(points[Math.floor(next() * points.length)] as number[])]];
  const d2 = points.map((p) => distance2(p, centroids[0] as number[]));
  while (centroids.length < k) {
    const total = d2.reduce((s, v) => s + v, 0);
    let pick = 0;
    if (total > 0) {
      let u = next() * total;
      while (pick < points.length - 1 && u >= (d2[pick] as number)) u -= d2[pick++] as number;
    } else pick = Math.floor(next() * points.length);
    const c = [...(points[pick] as number[])];
    centroids.push(c);
    points.forEach((p, i) => (d2[i] = Math.min(d2[i] as number, distance2(p, c))));
  }
  return centroids;
}

function lloyd(points: readonly number[][], initial: number[][], maxIterations: number): KMeansResult {
  const k = initial.length;
  const dim = points[0]?.length ?? 0;
  let centroids = initial;
  const labels = new Array<number>(points.length).fill(0);
  for (let iter = 0; iter < maxIterations; iter++) {
    let changed = false;
    points.forEach((p, i) => {
      let bestJ = 0;
      let bestD = Infinity;
      centroids.forEach((c, j) => {
        const d = distance2(p, c);
        if (d < bestD) {
          bestD = d;
          bestJ = j;
        }
      });
      if (labels[i] !== bestJ) changed = true;
      labels[i] = bestJ;
    });
    const sums = Array.from({ length: k }, () => new Array<number>(dim).fill(0));
    const counts = new Array<number>(k).fill(0);
    points.forEach((p, i) => {
      const j = labels[i] as number;
      counts[j] = (counts[j] as number) + 1;
      p.forEach((v, d) => ((sums[j] as number[])[d] = ((sums[j] as number[])[d] as number) + v));
    });
    // An emptied cluster keeps its old centroid rather than collapsing to NaN.
    centroids = sums.map((s, j) => ((counts[j] as number) > 0 ? s.map((v) => v / (counts[j] as number)) : (centroids[j] as number[])));
    if (!changed && iter > 0) break;
  }
  let inertia = 0;
  points.forEach((p, i) => (inertia += distance2(p, centroids[labels[i] as number] as number[])));
  return { k, centroids, labels, inertia };
}

/** Mean silhouette coefficient (Rousseeuw 1987) in [−1, 1]; higher = better separated clusters. */
export function silhouette(points: readonly number[][], labels: readonly number[], k: number): number {
  const n = points.length;
  if (n < 2 || k < 2) return 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const l = labels[j] as number;
      sums[l] = (sums[l] as number) + Math.sqrt(distance2(points[i] as number[], points[j] as number[]));
      counts[l] = (counts[l] as number) + 1;
    }
    const own = labels[i] as number;
    if ((counts[own] as number) === 0) continue; // a singleton's silhouette is 0
    const a = (sums[own] as number) / (counts[own] as number);
    let b = Infinity;
    for (let l = 0; l < k; l++) if (l !== own && (counts[l] as number) > 0) b = Math.min(b, (sums[l] as number) / (counts[l] as number));
    if (Number.isFinite(b)) total += (b - a) / Math.max(a, b);
  }
  return total / n;
}
