import type { FeatureTable } from '../features/feature-table';
import { rocAuc } from '../metrics/classification.metrics';
import { evaluateChurn } from './churn-evaluation';
import { ChurnModel, trainChurnModel } from './churn-model';
import { seededRandom, sigmoid } from './random';

/** A small churn-like table: tenure (numeric), contract (categorical), tickets (numeric with gaps). */
function churnTable(n: number, seed: number): { table: FeatureTable; labels: Uint8Array } {
  const random = seededRandom(seed);
  const tenure = new Float64Array(n);
  const tickets = new Float64Array(n);
  const contract = new Int32Array(n);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    tenure[i] = Math.floor(random() * 72);
    contract[i] = random() < 0.1 ? -1 : Math.floor(random() * 3);
    tickets[i] = random() < 0.15 ? Number.NaN : Math.floor(random() * 6);
    const z =
      -0.04 * (tenure[i] as number) + (contract[i] === 0 ? 1.5 : 0) + 0.3 * (Number.isNaN(tickets[i]) ? 2 : (tickets[i] as number)) - 1;
    labels[i] = random() < sigmoid(z) ? 1 : 0;
  }
  return {
    table: {
      rowCount: n,
      columns: [
        { kind: 'numeric', name: 'tenure', values: tenure },
        { kind: 'categorical', name: 'contract', codes: contract, levels: ['monthly', 'annual', 'two-year'] },
        { kind: 'numeric', name: 'tickets', values: tickets },
      ],
    },
    labels,
  };
}

describe('churn model', () => {
  const { table, labels } = churnTable(1500, 21);
  const rows = Uint32Array.from({ length: 1200 }, (_, i) => i);
  const test = Uint32Array.from({ length: 300 }, (_, i) => 1200 + i);
  const model = trainChurnModel(table, labels, rows, { gbdt: { nTrees: 120 } });

  it('ranks held-out accounts well and returns probabilities', () => {
    const p = model.predictProbability(table, test);
    expect(rocAuc(p, labels.subarray(1200))).toBeGreaterThan(0.7);
    for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('explanations sum to the probability minus the reference probability', () => {
    const explained = model.explain(table, test.subarray(0, 20));
    const p = model.predictProbability(table, test.subarray(0, 20));
    explained.forEach((e, i) => {
      expect(e.probability).toBeCloseTo(p[i] as number, 12);
      const sum = e.contributions.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(e.probability - e.baseProbability, 9);
    });
  });

  it('serialises to JSON and back with identical predictions', () => {
    const copy = new ChurnModel(JSON.parse(JSON.stringify(model.toJSON())) as ChurnModel['state']);
    expect(Array.from(copy.predictProbability(table, test))).toEqual(Array.from(model.predictProbability(table, test)));
  });

  it('out-of-fold evaluation is deterministic and covers every row', () => {
    const small = churnTable(400, 5);
    const options = { gbdt: { nTrees: 40 } };
    const a = evaluateChurn(small.table, small.labels, 3, options);
    const b = evaluateChurn(small.table, small.labels, 3, options);
    expect(a.report.n).toBe(400);
    expect(a.folds).toHaveLength(3);
    expect(Array.from(a.probabilities)).toEqual(Array.from(b.probabilities));
    expect(a.report.rocAuc).toBeGreaterThan(0.6);
  });
});
