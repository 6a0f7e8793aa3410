/**
 * Seeded pseudo-random numbers for reproducible bootstraps, synthetic data and restarts.
 * mulberry32 for uniforms; Box–Muller normals; Marsaglia–Tsang gammas.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  normal(): number;
  /** Gamma(shape, scale = 1/rate). */
  gamma(shape: number, rate?: number): number;
  beta(a: number, b: number): number;
  /** Poisson(mean) (inversion for small means, normal approximation for large). */
  poisson(mean: number): number;
  exponential(rate: number): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0 || 0x9e3779b9;
  let spare: number | undefined;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const gamma = (shape: number, rate = 1): number => {
    if (shape < 1) {
      // Boost: Gamma(k) = Gamma(k + 1) · U^{1/k}.
      let u = 0;
      while (u === 0) u = next();
      return gamma(shape + 1, rate) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = next();
      if (u < 1 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / rate;
    }
  };
  return {
    next,
    normal,
    gamma,
    beta(a, b) {
      const x = gamma(a);
      const y = gamma(b);
      return x / (x + y);
    },
    poisson(mean) {
      if (mean <= 0) return 0;
      if (mean > 500) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
      const l = Math.exp(-mean);
      let k = 0;
      let p = next();
      while (p > l) {
        k++;
        p *= next();
      }
      return k;
    },
    exponential(rate) {
      let u = 0;
      while (u === 0) u = next();
      return -Math.log(u) / rate;
    },
  };
}

/** FNV-1a of the key, mixed with the seed: a stable 32-bit number per key (one random stream, or a sampling rank). */
export function hashKey(seed: number, key: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
