import { at, identity, type Matrix } from './linear-algebra';
import { createRandom } from './random';

/**
 * A small robust minimiser for smooth objectives of a few parameters (negative log-likelihoods
 * on log-parameters): Nelder–Mead from several starts to find the basin, then BFGS with central
 * numeric gradients to polish to a tight optimum. Non-finite objective values are treated as +∞,
 * so a likelihood that overflows at a wild trial point just rejects that point.
 */
export type Objective = (x: readonly number[]) => number;

export interface MinimizeOptions {
  /** Extra random starts around x0 (normal noise with sd `restartSpread`). Default 3. */
  restarts?: number;
  restartSpread?: number;
  seed?: number;
  maxIterations?: number;
  tolerance?: number;
  /** Box on every coordinate; outside it the objective is +∞ (keeps degenerate fits from drifting forever). */
  bounds?: readonly [number, number];
}

export interface MinimizeResult {
  x: number[];
  value: number;
  evaluations: number;
  converged: boolean;
  /** Largest absolute gradient component at x (numeric). */
  gradientNorm: number;
}

export function minimize(f: Objective, x0: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  let evaluations = 0;
  const [lo, hi] = options.bounds ?? [-Infinity, Infinity];
  const safe: Objective = (x) => {
    evaluations++;
    for (const xi of x) if (!(xi >= lo && xi <= hi)) return Infinity;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const random = createRandom(options.seed ?? 17);
  const spread = options.restartSpread ?? 1;
  const starts: number[][] = [[...x0]];
  for (let i = 0; i < (options.restarts ?? 3); i++) starts.push(x0.map((v) => v + spread * random.normal()));

  let best: { x: number[]; value: number } | undefined;
  for (const start of starts) {
    if (!Number.isFinite(safe(start))) continue;
    const cand = nelderMead(safe, start, { maxIterations: options.maxIterations ?? 1000, tolerance: 1e-10 });
    if (!best || cand.value < best.value) best = cand;
  }
  if (!best) return { x: [...x0], value: Infinity, evaluations, converged: false, gradientNorm: Infinity };
  // Restart Nelder–Mead once from the best answer: a collapsed simplex often stalls early.
  const again = nelderMead(safe, best.x, { maxIterations: options.maxIterations ?? 1000, tolerance: 1e-12 });
  if (again.value <= best.value) best = again;

  const polished = bfgs(safe, best.x, { maxIterations: 200, tolerance: options.tolerance ?? 1e-8 });
  const final = polished.value <= best.value ? polished : { ...best, gradientNorm: maxAbs(numericGradient(safe, best.x)) };
  return { x: final.x, value: final.value, evaluations, converged: final.gradientNorm < 1e-3, gradientNorm: final.gradientNorm };
}

/**
 * For big data sets: search the basin (with restarts) on a cheap objective over a subsample, then
 * polish on the full objective with BFGS from there. Same answer as `minimize` on the full data
 * when the subsample lands in the same basin, at a fraction of the evaluations.
 */
export function minimizeWithWarmStart(
  full: Objective,
  subsample: Objective,
  x0: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const warm = minimize(subsample, x0, options);
  const [lo, hi] = options.bounds ?? [-Infinity, Infinity];
  let evaluations = warm.evaluations;
  const safe: Objective = (x) => {
    evaluations++;
    for (const xi of x) if (!(xi >= lo && xi <= hi)) return Infinity;
    const v = full(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let polished = bfgs(safe, warm.x, { maxIterations: 200, tolerance: options.tolerance ?? 1e-6 });
  if (!Number.isFinite(polished.value) || polished.gradientNorm > 1e-2) {
    // Polishing stalled: fall back to the full search on all the data.
    const fullResult = minimize(full, polished.value < Infinity ? polished.x : x0, { ...options, restarts: 1 });
    if (fullResult.value < polished.value) polished = fullResult;
  }
  return {
    x: polished.x,
    value: polished.value,
    evaluations,
    converged: polished.gradientNorm < 1e-2,
    gradientNorm: polished.gradientNorm,
  };
}

interface NmOptions {
  maxIterations: number;
  tolerance: number;
}

export function nelderMead(f: Objective, x0: readonly number[], { maxIterations, tolerance }: NmOptions): { x: number[]; value: number } {
  const n = x0.length;
  let simplex: { x: number[]; v: number }[] = [{ x: [...x0], v: f(x0) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] = (x[i] as number) + (Math.abs(x[i] as number) > 1e-3 ? 0.1 * Math.abs(x[i] as number) + 0.1 : 0.25);
    simplex.push({ x, v: f(x) });
  }
  // Adaptive coefficients (Gao & Han 2012) behave better as n grows; n is small, but cheap.
  const alpha = 1;
  const gamma = 1 + 2 / n;
  const rho = 0.75 - 1 / (2 * n);
  const sigma = 1 - 1 / n;
  for (let iter = 0; iter < maxIterations; iter++) {
    simplex.sort((p, q) => p.v - q.v);
    const bestV = (simplex[0] as { v: number }).v;
    const worst = simplex[n] as { x: number[]; v: number };
    const spreadV = Math.abs(worst.v - bestV);
    let spreadX = 0;
    for (const p of simplex)
      for (let j = 0; j < n; j++)
        spreadX = Math.max(spreadX, Math.abs((p.x[j] as number) - ((simplex[0] as { x: number[] }).x[j] as number)));
    if (spreadV <= tolerance * (Math.abs(bestV) + 1e-12) && spreadX < 1e-7) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + ((simplex[i] as { x: number[] }).x[j] as number) / n;
    const along = (t: number) => centroid.map((c, j) => c + t * ((worst.x[j] as number) - c));
    const xr = along(-alpha);
    const vr = f(xr);
    const second = (simplex[n - 1] as { v: number }).v;
    if (vr < bestV) {
      const xe = along(-gamma);
      const ve = f(xe);
      simplex[n] = ve < vr ? { x: xe, v: ve } : { x: xr, v: vr };
    } else if (vr < second) {
      simplex[n] = { x: xr, v: vr };
    } else {
      const outside = vr < worst.v;
      const xc = along(outside ? rho * alpha : -rho);
      const vc = f(xc);
      if (vc < (outside ? vr : worst.v)) simplex[n] = { x: xc, v: vc };
      else {
        const b = (simplex[0] as { x: number[] }).x;
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const x = b.map((bj, j) => bj + sigma * ((p.x[j] as number) - bj));
          return { x, v: f(x) };
        });
      }
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  const top = simplex[0] as { x: number[]; v: number };
  return { x: top.x, value: top.v };
}

export function numericGradient(f: Objective, x: readonly number[]): number[] {
  return x.map((xi, i) => {
    const h = 1e-5 * Math.max(1, Math.abs(xi));
    const up = [...x];
    const down = [...x];
    up[i] = xi + h;
    down[i] = xi - h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** Central-difference Hessian (for Laplace approximations at an optimum). */
export function numericHessian(f: Objective, x: readonly number[], step = 1e-4): Matrix {
  const n = x.length;
  const h = x.map((xi) => step * Math.max(1, Math.abs(xi)));
  const shifted = (i: number, di: number, j: number, dj: number) => {
    const y = [...x];
    y[i] = (y[i] as number) + di;
    y[j] = (y[j] as number) + dj;
    return f(y);
  };
  const f0 = f(x);
  const hess: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const hi = h[i] as number;
    (hess[i] as number[])[i] = (shifted(i, hi, i, 0) - 2 * f0 + shifted(i, -hi, i, 0)) / (hi * hi);
    for (let j = 0; j < i; j++) {
      const hj = h[j] as number;
      const v = (shifted(i, hi, j, hj) - shifted(i, hi, j, -hj) - shifted(i, -hi, j, hj) + shifted(i, -hi, j, -hj)) / (4 * hi * hj);
      (hess[i] as number[])[j] = v;
      (hess[j] as number[])[i] = v;
    }
  }
  return hess;
}

function maxAbs(v: readonly number[]): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  return m;
}

/** BFGS with a backtracking Armijo line search and central numeric gradients. */
export function bfgs(
  f: Objective,
  x0: readonly number[],
  { maxIterations, tolerance }: NmOptions,
): { x: number[]; value: number; gradientNorm: number } {
  const n = x0.length;
  let x = [...x0];
  let fx = f(x);
  let g = numericGradient(f, x);
  let hInv = identity(n);
  for (let iter = 0; iter < maxIterations; iter++) {
    if (maxAbs(g) < tolerance) break;
    const dir = hInv.map((row) => -row.reduce((s, hij, j) => s + hij * (g[j] as number), 0));
    let slope = dir.reduce((s, d, i) => s + d * (g[i] as number), 0);
    if (!(slope < 0)) {
      // Not a descent direction: fall back to steepest descent and reset the curvature estimate.
      hInv = identity(n);
      for (let i = 0; i < n; i++) dir[i] = -(g[i] as number);
      slope = -g.reduce((s, gi) => s + gi * gi, 0);
    }
    let step = 1;
    let xNew = x;
    let fNew = fx;
    let accepted = false;
    for (let k = 0; k < 40; k++) {
      xNew = x.map((xi, i) => xi + step * (dir[i] as number));
      fNew = f(xNew);
      if (fNew <= fx + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const gNew = numericGradient(f, xNew);
    const s = xNew.map((v, i) => v - (x[i] as number));
    const y = gNew.map((v, i) => v - (g[i] as number));
    const sy = s.reduce((acc, si, i) => acc + si * (y[i] as number), 0);
    const improvement = fx - fNew;
    x = xNew;
    fx = fNew;
    g = gNew;
    if (sy > 1e-12) {
      const hy = hInv.map((row) => row.reduce((acc, hij, j) => acc + hij * (y[j] as number), 0));
      const yhy = y.reduce((acc, yi, i) => acc + yi * (hy[i] as number), 0);
      const next: Matrix = identity(n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          (next[i] as number[])[j] =
            at(hInv, i, j) +
            ((sy + yhy) * (s[i] as number) * (s[j] as number)) / (sy * sy) -
            ((hy[i] as number) * (s[j] as number) + (s[i] as number) * (hy[j] as number)) / sy;
        }
      }
      hInv = next;
    }
    if (improvement >= 0 && improvement < 1e-14 * (Math.abs(fx) + 1)) break;
  }
  return { x, value: fx, gradientNorm: maxAbs(g) };
}
