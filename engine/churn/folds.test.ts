import { foldRows, stratifiedFolds } from './folds';

describe('stratified folds', () => {
  it('puts the k-th row of each class in fold k mod folds, in file order', () => {
    const labels = [1, 0, 0, 1, 0, 1, 1, 0, 0, 0];
    // class 1 rows: 0,3,5,6 → folds 0,1,2,0; class 0 rows: 1,2,4,7,8,9 → folds 0,1,2,0,1,2
    expect(Array.from(stratifiedFolds(labels, 3))).toEqual([0, 0, 1, 1, 2, 2, 0, 0, 1, 2]);
  });

  it('keeps class shares nearly equal across folds and partitions every row once', () => {
    const labels = Array.from({ length: 103 }, (_, i) => (i % 7 === 0 || i % 11 === 0 ? 1 : 0));
    const fold = stratifiedFolds(labels, 5);
    const rows = Uint32Array.from(labels.keys());
    const seen = new Set<number>();
    const positivesPerFold: number[] = [];
    for (let f = 0; f < 5; f++) {
      const { train, test } = foldRows(rows, fold, f);
      expect(train.length + test.length).toBe(rows.length);
      for (const r of test) {
        expect(seen.has(r)).toBe(false);
        seen.add(r);
      }
      positivesPerFold.push([...test].filter((r) => labels[r] === 1).length);
    }
    expect(seen.size).toBe(rows.length);
    expect(Math.max(...positivesPerFold) - Math.min(...positivesPerFold)).toBeLessThanOrEqual(1);
  });
});
