import type { StoreLocation } from '../open-store';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isErrorCode, SuccessEngineError, type EntityName, type Store, type TenantId } from '../../core';
import { CHURN_TASK } from '../../engine/churn/churn-registry';
import { featureTableDrift, type FeatureDrift } from '../../engine/drift/feature-drift';
import { buildAccountFeatures, type AccountRecords } from '../../engine/features/account-features';
import { historicalSnapshot } from '../../engine/scoring/history-snapshot';
import type { Logger } from '../log/logger';
import { loadTenantRecords } from '../pipeline/tenant-records';
import type { Metrics } from './metrics';

const DAY = 86_400_000;

export type DriftReport =
  | {
      status: 'ok';
      tenantId: string;
      task: string;
      modelVersion: string;
      /** The model's training rows: features as of `reference.asOf`, as the trainer built them. */
      reference: { asOf: string; rows: number };
      /** The newest scoring batch: the live book as of its `computedAt`. */
      current: { asOf: string; rows: number };
      features: FeatureDrift[];
      skipped: string[];
      computedAt: string;
    }
  | { status: 'no-model' | 'no-data'; tenantId: string; task: string; message: { en: string; zh: string }; computedAt: string };

async function recordsAsOf(store: Store, tenantId: TenantId, at: string): Promise<AccountRecords> {
  const read = async <E extends EntityName>(entity: E) => store.listRecords(tenantId, entity, { modifiedAtOrBefore: at });
  return {
    accounts: await read('account'),
    tickets: await read('ticket'),
    activities: await read('activity'),
    subscriptions: await read('subscription'),
    transactions: await read('transaction'),
  };
}

/**
 * Drift of the active churn model's inputs: PSI per model feature between its training rows
 * (rebuilt exactly as the trainer did: the store as of the window's end, the labelled snapshot at
 * its start) and the newest scoring batch (the live book at the latest `computedAt`).
 */
export async function computeChurnDrift(store: Store, tenantId: TenantId, now: Date): Promise<DriftReport> {
  const computedAt = now.toISOString();
  const model = await store.activeModel(tenantId, CHURN_TASK);
  if (!model) {
    return {
      status: 'no-model',
      tenantId,
      task: CHURN_TASK,
      computedAt,
      message: {
        en: 'no active learned churn model (the health score has no training data to drift from)',
        zh: '没有启用的流失学习模型（健康评分没有可比较的训练数据）',
      },
    };
  }
  const { from, to } = model.trainingWindow;
  const horizonDays = Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / DAY));
  const snapshot = historicalSnapshot(await recordsAsOf(store, tenantId, to), to, horizonDays);
  const reference = buildAccountFeatures(snapshot.records, snapshot.asOf);
  const latest = (await store.latestScores(tenantId)).reduce<string | null>(
    (max, s) => (max === null || s.computedAt > max ? s.computedAt : max),
    null,
  );
  const currentAsOf = latest ?? computedAt;
  const current = buildAccountFeatures(await loadTenantRecords(store, tenantId), currentAsOf);
  if (reference.table.rowCount === 0 || current.table.rowCount === 0) {
    const side =
      reference.table.rowCount === 0
        ? { en: `the training rows (as of ${snapshot.asOf})`, zh: `训练数据（截至 ${snapshot.asOf}）` }
        : { en: `the live book (as of ${currentAsOf})`, zh: `当前客户（截至 ${currentAsOf}）` };
    return {
      status: 'no-data',
      tenantId,
      task: CHURN_TASK,
      computedAt,
      message: { en: `no active accounts in ${side.en} to compare`, zh: `${side.zh}中没有可比较的活跃客户` },
    };
  }
  const { drift, skipped } = featureTableDrift(reference.table, current.table, { features: model.features });
  return {
    status: 'ok',
    tenantId,
    task: CHURN_TASK,
    modelVersion: model.version,
    reference: { asOf: snapshot.asOf, rows: reference.table.rowCount },
    current: { asOf: currentAsOf, rows: current.table.rowCount },
    features: drift,
    skipped,
    computedAt,
  };
}

export type DriftCompute = (tenantId: TenantId, now: Date) => Promise<DriftReport>;

/**
 * Drift computed in a worker thread over its own connection to the SQLite file: rebuilding two
 * feature tables takes about 0.4 CPU-s per 10k accounts, which must not stall the event loop
 * that answers webhooks.
 */
export function driftInWorkerThread(location: StoreLocation, options: { timeoutMs?: number; execArgv?: string[] } = {}): DriftCompute {
  const timeoutMs = options.timeoutMs ?? 120_000;
  // dist/…/drift.worker.js normally; the .ts source under a TypeScript require hook (tests).
  const script = path.join(__dirname, `drift.worker${path.extname(__filename)}`);
  return (tenantId, now) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(script, {
        workerData: { location, tenantId, now: now.toISOString() },
        ...(options.execArgv ? { execArgv: options.execArgv } : {}),
      });
      // A report in progress must not hold up a SIGTERM shutdown.
      worker.unref();
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new SuccessEngineError('ENGINE.TIMEOUT', `drift report for ${tenantId} took longer than ${timeoutMs} ms`));
      }, timeoutMs);
      worker.once('message', (m: { ok: true; report: DriftReport } | { ok: false; code: string; message: string }) => {
        clearTimeout(timer);
        if (m.ok) resolve(m.report);
        else reject(new SuccessEngineError(isErrorCode(m.code) ? m.code : 'ENGINE.FAILED', m.message));
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
}

/**
 * Computes drift per tenant at most once per `ttlMs` and keeps the `se_feature_psi` gauge in
 * step with the last report. Concurrent requests for one tenant share one computation.
 */
export class DriftMonitor {
  private readonly cache = new Map<string, { report: DriftReport; at: number }>();
  private readonly running = new Map<string, Promise<DriftReport>>();
  private readonly compute: DriftCompute;

  constructor(
    private readonly deps: { store: Store; metrics: Metrics; log: Logger; now?: () => Date; ttlMs?: number; compute?: DriftCompute },
  ) {
    this.compute = deps.compute ?? (async (tenantId, now) => computeChurnDrift(deps.store, tenantId, now));
  }

  report(tenantId: TenantId, options: { refresh?: boolean } = {}): Promise<DriftReport> {
    const now = this.deps.now?.() ?? new Date();
    const hit = this.cache.get(tenantId);
    if (hit && !options.refresh && now.getTime() - hit.at < (this.deps.ttlMs ?? 15 * 60_000)) return Promise.resolve(hit.report);
    const inFlight = this.running.get(tenantId);
    if (inFlight) return inFlight;
    const started = Date.now();
    const run = this.compute(tenantId, now)
      .then((report) => {
        this.cache.set(tenantId, { report, at: now.getTime() });
        const psi: Record<string, number> = {};
        if (report.status === 'ok') for (const f of report.features) psi[f.feature] = f.psi;
        this.deps.metrics.setFeatureDrift(tenantId, psi);
        const worst = report.status === 'ok' ? report.features[0] : undefined;
        this.deps.log.info(
          {
            tenantId,
            status: report.status,
            features: report.status === 'ok' ? report.features.length : 0,
            worst: worst ? { feature: worst.feature, psi: Number(worst.psi.toFixed(4)) } : null,
            ms: Date.now() - started,
          },
          'feature drift computed',
        );
        return report;
      })
      .finally(() => this.running.delete(tenantId));
    this.running.set(tenantId, run);
    return run;
  }
}
