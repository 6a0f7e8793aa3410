import { rocAuc } from '../metrics/classification.metrics';
import { defaultGbdtParams, GbdtModel, trainGbdt, type GbdtParams } from './gbdt.model';
import { seededRandom, sigmoid } from './random';

/** y depends on x0 (non-linearly), x1 (interaction with x2), x3 is noise; x1 is sometimes missing. */
function synthetic(n: number, seed: number) {
  const random = seededRandom(seed);
  const d = 4;
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = random() * 4 - 2;
    const x1 = random() * 4 - 2;
    const x2 = random() < 0.5 ? 1 : 0;
    const missing = random() < 0.2;
    x[i * d] = x0;
    x[i * d + 1] = missing ? Number.NaN : x1;
    x[i * d + 2] = x2;
    x[i * d + 3] = random();
    // Missing x1 itself signals risk, so a missing-aware model can use it.
    const z = 2 * Math.abs(x0) - 2 + (x2 ? 2 * x1 : 0) + (missing ? 1.5 : 0);
    y[i] = random() < sigmoid(z) ? 1 : 0;
  }
  return { x, y, n, d };
}

const params: GbdtParams = { ...defaultGbdtParams, nTrees: 150, learningRate: 0.1, maxDepth: 3, earlyStoppingRounds: 20 };

describe('histogram GBDT', () => {
  const train = synthetic(4000, 1);
  const test = synthetic(2000, 2);

  it('learns a non-linear signal with interactions far better than chance', () => {
    const { model } = trainGbdt(train, train.d, params);
    const auc = rocAuc(model.predictProbability(test.x, test.n), test.y);
    expect(auc).toBeGreaterThan(0.8);
  });

  it('is deterministic for a seed and differs across seeds when subsampling', () => {
    const a = trainGbdt(train, train.d, params).model.predictRaw(test.x, 50);
    const b = trainGbdt(train, train.d, params).model.predictRaw(test.x, 50);
    const c = trainGbdt(train, train.d, { ...params, seed: 99 }).model.predictRaw(test.x, 50);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('routes missing values to a learned side and uses missingness as signal', () => {
    const { model } = trainGbdt(train, train.d, params);
    const row = (x1: number) => Float64Array.from([0.5, x1, 0, 0.5]);
    const missing = model.predictRaw(row(Number.NaN), 1)[0] as number;
    const present = model.predictRaw(row(0), 1)[0] as number;
    expect(Number.isFinite(missing)).toBe(true);
    expect(missing).toBeGreaterThan(present);
  });

  it('early stopping keeps the best validation iteration', () => {
    const result = trainGbdt(train, train.d, { ...params, nTrees: 400, learningRate: 0.3 }, test);
    expect(result.bestIteration).toBeLessThan(400);
    expect(result.model.treeCount).toBe(result.bestIteration);
    const best = Math.min(...result.validationLoss);
    expect(result.validationLoss[result.bestIteration - 1]).toBe(best);
  });

  it('regularisation shrinks leaf values', () => {
    const loose = trainGbdt(train, train.d, { ...params, nTrees: 1, lambda: 0 }).model;
    const tight = trainGbdt(train, train.d, { ...params, nTrees: 1, lambda: 1000 }).model;
    const maxLeaf = (m: GbdtModel) => Math.max(...Array.from(m.value).map(Math.abs));
    expect(maxLeaf(tight)).toBeLessThan(maxLeaf(loose));
  });

  it('batched scoring equals walking each tree node by node, including missing values and odd batch sizes', () => {
    const { model } = trainGbdt(train, train.d, params);
    const n = 103;
    const raw = model.predictRaw(test.x, n);
    for (let i = 0; i < n; i++) {
      let expected = model.baseScore;
      for (let t = 0; t < model.treeCount; t++) expected += model.value[model.leafOf(t, test.x, i * test.d)] as number;
      expect(raw[i]).toBeCloseTo(expected, 12);
    }
  });

  it('round-trips through its JSON state with identical predictions', () => {
    const { model } = trainGbdt(train, train.d, params);
    const copy = new GbdtModel(JSON.parse(JSON.stringify(model.toState())) as ReturnType<GbdtModel['toState']>);
    expect(Array.from(copy.predictRaw(test.x, test.n))).toEqual(Array.from(model.predictRaw(test.x, test.n)));
  });
});

describe('monotone constraints', () => {
  const train = synthetic(3000, 5);
  // Risk along x0 on a grid, everything else held fixed.
  const along = (model: GbdtModel): number[] => {
    const grid = Array.from({ length: 41 }, (_, k) => -2 + k * 0.1);
    const x = new Float64Array(grid.length * train.d);
    grid.forEach((v, k) => {
      x[k * train.d] = v;
      x[k * train.d + 1] = 0.5;
      x[k * train.d + 3] = 0.5;
    });
    return Array.from(model.predictRaw(x, grid.length));
  };
  const falls = (values: number[]): boolean => values.every((v, k) => k === 0 || v <= (values[k - 1] as number) + 1e-12);

  it('keeps a constrained feature’s effect going one way, even where the data bend (risk is U-shaped in x0)', () => {
    const free = trainGbdt(train, train.d, params).model;
    const constrained = trainGbdt(train, train.d, { ...params, monotone: [-1, 0, 0, 0] }).model;
    expect(falls(along(free))).toBe(false);
    expect(falls(along(constrained))).toBe(true);
  });
});
