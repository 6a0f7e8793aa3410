import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { ModelVersion, TenantId } from '../../core';
import { SqliteStore } from '../../store';
import { makeAccount } from '../../test/helpers/records';
import { computeChurnDrift, DriftMonitor, driftInWorkerThread } from './drift-monitor';
import { createMetrics } from './metrics';

const T = 'tenant-drift' as TenantId;

function model(features: string[]): ModelVersion {
  return {
    tenantId: T,
    task: 'churn',
    version: 'v1',
    status: 'candidate',
    algorithm: 'test',
    trainingWindow: { from: '2026-06-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' },
    metrics: {},
    features,
    artifact: {},
    createdAt: '2026-07-01T00:00:00.000Z',
  };
}

describe('drift of the active churn model', () => {
  let store: SqliteStore;
  let file: string;
  beforeEach(async () => {
    file = path.join(mkdtempSync(path.join(os.tmpdir(), 'se-drift-')), 'store.sqlite');
    store = new SqliteStore({ path: file });
    await store.upsertTenant({ id: T, name: 'T', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    // At training time every account had 10 seats; since then half grew to 100 and ARR moved too.
    const early = '2026-05-01T00:00:00.000Z';
    await store.upsertRecords(
      'account',
      Array.from({ length: 40 }, (_, i) =>
        makeAccount(
          String(i),
          {
            seats: 10,
            arr: 10_000 + i,
            customerSince: '2025-01-01T00:00:00.000Z',
            source: { provider: 'hubspot', externalId: String(i), modstamp: early },
          },
          T,
        ),
      ),
    );
    await store.upsertRecords(
      'account',
      Array.from({ length: 20 }, (_, i) =>
        makeAccount(
          String(i),
          {
            seats: 100,
            arr: 10_000 + i,
            customerSince: '2025-01-01T00:00:00.000Z',
            source: { provider: 'hubspot', externalId: String(i), modstamp: '2026-09-01T00:00:00.000Z' },
          },
          T,
        ),
      ),
    );
  });
  afterEach(async () => store.close());

  it('says so when there is no active learned model, or no accounts on one side', async () => {
    expect(await computeChurnDrift(store, T, new Date('2026-10-01T00:00:00Z'))).toMatchObject({ status: 'no-model', task: 'churn' });
    await store.registerModel({
      ...model(['seats']),
      trainingWindow: { from: '2025-06-01T00:00:00.000Z', to: '2025-07-01T00:00:00.000Z' },
    });
    await store.activateModel(T, 'churn', 'v1');
    expect(await computeChurnDrift(store, T, new Date('2026-10-01T00:00:00Z'))).toMatchObject({
      status: 'no-data',
      message: { en: 'no active accounts in the training rows (as of 2025-06-01T00:00:00.000Z) to compare' },
    });
  });

  it('compares the training rows (store as of the window) with the live book, per model feature', async () => {
    await store.registerModel(model(['seats', 'arr', 'not_a_feature']));
    await store.activateModel(T, 'churn', 'v1');
    const report = await computeChurnDrift(store, T, new Date('2026-10-01T00:00:00Z'));
    if (report.status !== 'ok') throw new Error('expected a report');
    expect(report.reference.rows).toBe(40);
    expect(report.current.rows).toBe(40);
    const seats = report.features.find((f) => f.feature === 'seats');
    const arr = report.features.find((f) => f.feature === 'arr');
    expect(seats?.level).toBe('significant');
    expect(arr?.psi).toBeCloseTo(0, 9);
    expect(report.features[0]?.feature).toBe('seats');
    expect(report.skipped).toEqual(['not_a_feature']);
  });

  it('publishes PSI as the se_feature_psi gauge and caches the report', async () => {
    await store.registerModel(model(['seats']));
    await store.activateModel(T, 'churn', 'v1');
    const metrics = createMetrics({ defaultMetrics: false });
    let now = new Date('2026-10-01T00:00:00Z');
    const monitor = new DriftMonitor({ store, metrics, log: pino({ level: 'silent' }), now: () => now, ttlMs: 60_000 });
    const first = await monitor.report(T);
    expect(await metrics.registry.getSingleMetricAsString('se_feature_psi')).toMatch(
      /se_feature_psi\{tenant="tenant-drift",feature="seats"\} [1-9]/,
    );
    now = new Date('2026-10-01T00:00:30Z');
    expect(await monitor.report(T)).toBe(first);
    expect(await monitor.report(T, { refresh: true })).not.toBe(first);
  });

  it('computes the same report in a worker thread, off the event loop', async () => {
    await store.registerModel(model(['seats', 'arr']));
    await store.activateModel(T, 'churn', 'v1');
    const now = new Date('2026-10-01T00:00:00Z');
    const inThread = await driftInWorkerThread(
      { databasePath: file },
      { execArgv: ['-r', path.join(__dirname, '../../test/helpers/ts-register.js')] },
    )(T, now);
    expect(inThread).toEqual(await computeChurnDrift(store, T, now));
  });
});
