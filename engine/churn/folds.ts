/**
 * Deterministic stratified folds that other tools can reproduce: within each class, the k-th row
 * (0-based, in the given order) goes to fold k mod `folds`.
 */
export function stratifiedFolds(labels: ArrayLike<number>, folds: number): Int32Array {
  const fold = new Int32Array(labels.length);
  const seen = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) {
    const cls = labels[i] as number;
    const k = seen.get(cls) ?? 0;
    fold[i] = k % folds;
    seen.set(cls, k + 1);
  }
  return fold;
}

/** Rows (as given) split by fold: `train` is every row outside fold f, `test` the rows inside. */
export function foldRows(rows: ArrayLike<number>, fold: Int32Array, f: number): { train: Uint32Array; test: Uint32Array } {
  const train: number[] = [];
  const test: number[] = [];
  for (let k = 0; k < rows.length; k++) ((fold[k] as number) === f ? test : train).push(rows[k] as number);
  return { train: Uint32Array.from(train), test: Uint32Array.from(test) };
}
