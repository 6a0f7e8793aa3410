import { defaultGbdtParams, trainGbdt, type GbdtModel } from './gbdt.model';
import { seededRandom, sigmoid } from './random';
import { expectedValue, TreeShapExplainer } from './tree-shap';

function data(n: number, seed: number) {
  const random = seededRandom(seed);
  const d = 4;
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = random() < 0.1 ? Number.NaN : random();
    const v = (j: number) => (Number.isNaN(x[i * d + j]) ? 0.5 : (x[i * d + j] as number));
    y[i] = random() < sigmoid(4 * v(0) - 2 + 3 * v(1) * v(2) - 1) ? 1 : 0;
  }
  return { x, y, n, d };
}

/** E[f(x) | x_S] with the tree's cover weights for features outside S (path-dependent). */
function conditional(model: GbdtModel, x: Float64Array, offset: number, subset: Set<number>): number {
  let total = model.baseScore;
  const walk = (node: number): number => {
    const f = model.feature[node] as number;
    if (f < 0) return model.value[node] as number;
    const l = model.left[node] as number;
    const r = model.right[node] as number;
    if (subset.has(f)) {
      const v = x[offset + f] as number;
      const left = v <= (model.threshold[node] as number) || (Number.isNaN(v) && model.missingLeft[node] === 1);
      return walk(left ? l : r);
    }
    const c = model.cover[node] as number;
    return ((model.cover[l] as number) * walk(l) + (model.cover[r] as number) * walk(r)) / c;
  };
  for (let t = 0; t < model.treeCount; t++) total += walk(model.treeStart[t] as number);
  return total;
}

function bruteForceShapley(model: GbdtModel, x: Float64Array, offset: number, d: number): number[] {
  const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
  const phi = new Array<number>(d).fill(0);
  for (let mask = 0; mask < 1 << d; mask++) {
    const subset = new Set<number>();
    for (let j = 0; j < d; j++) if (mask & (1 << j)) subset.add(j);
    const base = conditional(model, x, offset, subset);
    for (let j = 0; j < d; j++) {
      if (subset.has(j)) continue;
      const weight = (factorial(subset.size) * factorial(d - subset.size - 1)) / factorial(d);
      phi[j] = (phi[j] as number) + weight * (conditional(model, x, offset, new Set([...subset, j])) - base);
    }
  }
  return phi;
}

describe('TreeSHAP', () => {
  const train = data(3000, 4);
  const { model } = trainGbdt(train, train.d, { ...defaultGbdtParams, nTrees: 40, maxDepth: 4, learningRate: 0.2, earlyStoppingRounds: 0 });
  const explainer = new TreeShapExplainer(model);

  it('contributions sum to the model output minus the expected value', () => {
    const raw = model.predictRaw(train.x, 200);
    for (let i = 0; i < 200; i++) {
      const phi = explainer.explain(train.x, i * train.d);
      const sum = phi.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo((raw[i] as number) - explainer.expectedValue, 9);
    }
    expect(explainer.expectedValue).toBeCloseTo(expectedValue(model), 12);
  });

  it('matches brute-force Shapley values of the path-dependent conditional expectation', () => {
    for (let i = 0; i < 10; i++) {
      const exact = bruteForceShapley(model, train.x, i * train.d, train.d);
      const fast = explainer.explain(train.x, i * train.d);
      exact.forEach((v, j) => expect(fast[j]).toBeCloseTo(v, 9));
    }
  });

  it('gives zero to a feature the trees never split on', () => {
    const constant = Float64Array.from(train.x, (v, k) => (k % train.d === 3 ? 0.5 : v));
    const trained = trainGbdt({ x: constant, n: train.n, y: train.y }, train.d, {
      ...defaultGbdtParams,
      nTrees: 10,
      earlyStoppingRounds: 0,
    }).model;
    expect(trained.feature.includes(3)).toBe(false);
    const phi = new TreeShapExplainer(trained).explain(constant, 0);
    expect(phi[3]).toBe(0);
    expect(phi.some((v) => v !== 0)).toBe(true);
  });
});
