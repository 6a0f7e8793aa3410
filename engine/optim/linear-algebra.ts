/** Small dense matrices (a handful of parameters), row-major arrays of rows. */
export type Matrix = number[][];

export function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

export function at(m: Matrix, i: number, j: number): number {
  return (m[i] as number[])[j] as number;
}

/** Lower-triangular L with L·Lᵀ = m, or undefined if m is not positive definite. */
export function cholesky(m: Matrix): Matrix | undefined {
  const n = m.length;
  const l: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = at(m, i, j);
      for (let k = 0; k < j; k++) s -= at(l, i, k) * at(l, j, k);
      if (i === j) {
        if (!(s > 0)) return undefined;
        (l[i] as number[])[i] = Math.sqrt(s);
      } else (l[i] as number[])[j] = s / at(l, j, j);
    }
  }
  return l;
}

/** Inverse of a symmetric positive-definite matrix via Cholesky, or undefined. */
export function invertSpd(m: Matrix): Matrix | undefined {
  const l = cholesky(m);
  if (!l) return undefined;
  const n = m.length;
  const inv: Matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let col = 0; col < n; col++) {
    // Solve L y = e_col, then Lᵀ x = y.
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = i === col ? 1 : 0;
      for (let k = 0; k < i; k++) s -= at(l, i, k) * (y[k] as number);
      y[i] = s / at(l, i, i);
    }
    const x = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i] as number;
      for (let k = i + 1; k < n; k++) s -= at(l, k, i) * (x[k] as number);
      x[i] = s / at(l, i, i);
    }
    for (let i = 0; i < n; i++) (inv[i] as number[])[col] = x[i] as number;
  }
  return inv;
}

/** y = L·z for lower-triangular L. */
export function lowerTimes(l: Matrix, z: readonly number[]): number[] {
  return l.map((row, i) => {
    let s = 0;
    for (let k = 0; k <= i; k++) s += (row[k] as number) * (z[k] as number);
    return s;
  });
}
