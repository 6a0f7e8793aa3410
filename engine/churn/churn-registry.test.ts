import type { TenantId } from '../../core';
import type { FeatureTable } from '../features/feature-table';
import { trainChurnModel } from './churn-model';
import { churnModelFromVersion, churnModelRef, churnModelVersion } from './churn-registry';
import { seededRandom } from './random';

describe('churn model registry artifacts', () => {
  const random = seededRandom(3);
  const n = 300;
  const x = Float64Array.from({ length: n }, () => random());
  const labels = Uint8Array.from(x, (v) => (random() < v ? 1 : 0));
  const table: FeatureTable = { rowCount: n, columns: [{ kind: 'numeric', name: 'risk', values: x }] };
  const model = trainChurnModel(
    table,
    labels,
    Uint32Array.from({ length: n }, (_, i) => i),
    { gbdt: { nTrees: 30 } },
  );
  const info = {
    tenantId: 't' as TenantId,
    version: '2026-01-01.1',
    trainingWindow: { from: '2025-01-01', to: '2026-01-01' },
    metrics: { rocAuc: 0.7 },
    createdAt: '2026-01-01T00:00:00.000Z',
  };

  it('round-trips through a JSON ModelVersion with identical scores', () => {
    const stored = JSON.parse(JSON.stringify(churnModelVersion(model, info))) as ReturnType<typeof churnModelVersion>;
    expect(stored).toMatchObject({ task: 'churn', status: 'candidate', features: ['risk'], version: info.version });
    const loaded = churnModelFromVersion(stored);
    const rows = [0, 1, 2, 3, 4];
    expect(Array.from(loaded.predictProbability(table, rows))).toEqual(Array.from(model.predictProbability(table, rows)));
    expect(churnModelRef(stored)).toEqual({ name: 'churn', version: info.version, kind: 'learned' });
  });

  it('refuses artifacts of another task or format', () => {
    const version = churnModelVersion(model, info);
    expect(() => churnModelFromVersion({ ...version, task: 'clv' })).toThrow(/not a churn-model\/1 artifact/);
    expect(() => churnModelFromVersion({ ...version, artifact: { format: 'other' } })).toThrow(/not a churn-model\/1 artifact/);
  });
});
