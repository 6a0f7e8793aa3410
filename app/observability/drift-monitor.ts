import type { EntityName, RecordStore, TenantId } from '../../core';
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
  | { status: 'no-model'; tenantId: string; task: string; message: { en: string; zh: string }; computedAt: string };

function recordsAsOf(store: RecordStore, tenantId: TenantId, at: string): AccountRecords {
  const read = <E extends EntityName>(entity: E) => store.listRecords(tenantId, entity, { modifiedAtOrBefore: at });
  return { accounts: read('account'), tickets: read('ticket'), activities: read('activity'), subscriptions: read('subscription'), transactions: read('transaction') };
}

/**
 * Drift of the active churn model's inputs: PSI per model feature between its training rows
 * (rebuilt exactly as the trainer did: the store as of the window's end, the labelled snapshot at
 * its start) and the newest scoring batch (the live book at the latest `computedAt`).
 */
export function computeChurnDrift(store: RecordStore, tenantId: TenantId, now: Date): DriftReport {
  const computedAt = now.toISOString();
  const model = store.activeModel(tenantId, CHURN_TASK);
  if (!model) {
    return { status: 'no-model', tenantId, task: CHURN_TASK, computedAt, message: { en: 'no active learned churn model (the health score has no training data to drift from)', zh: '没有启用的流失学习模型（健康评分没有可比较的训练数据）' } };
  }
  const { from, to } = model.trainingWindow;
  const horizonDays = Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / DAY));
  const snapshot = historicalSnapshot(recordsAsOf(store, tenantId, to), to, horizonDays);
  const reference = buildAccountFeatures(snapshot.records, snapshot.asOf);
  const latest = store.latestScores(tenantId).reduce<string | null>((max, s) => (max === null || s.computedAt > max ? s.computedAt : max), null);
  const currentAsOf = latest ?? computedAt;
  const current = buildAccountFeatures(loadTenantRecords(store, tenantId), currentAsOf);
  const { drift, skipped } = featureTableDrift(reference.table, current.table, { features: model.features });
  return {
    status: 'ok', tenantId, task: CHURN_TASK, modelVersion: model.version,
    reference: { asOf: snapshot.asOf, rows: reference.table.rowCount },
    current: { asOf: currentAsOf, rows: current.table.rowCount },
    features: drift, skipped, computedAt,
  };
}

/**
 * Computes drift per tenant at most once per `ttlMs` (it rebuilds two feature tables) and keeps
 * the `se_feature_psi` gauge in step with the last report.
 */
export class DriftMonitor {
  private readonly cache = new Map<string, { report: DriftReport; at: number }>();

  constructor(
    private readonly deps: { store: RecordStore; metrics: Metrics; log: Logger; now?: () => Date; ttlMs?: number },
  ) {}

  report(tenantId: TenantId, options: { refresh?: boolean } = {}): DriftReport {
    const now = this.deps.now?.() ?? new Date();
    const hit = this.cache.get(tenantId);
    if (hit && !options.refresh && now.getTime() - hit.at < (this.deps.ttlMs ?? 15 * 60_000)) return hit.report;
    const started = Date.now();
    const report = computeChurnDrift(this.deps.store, tenantId, now);
    this.cache.set(tenantId, { report, at: now.getTime() });
    const psi: Record<string, number> = {};
    if (report.status === 'ok') for (const f of report.features) psi[f.feature] = f.psi;
    this.deps.metrics.setFeatureDrift(tenantId, psi);
    const worst = report.status === 'ok' ? report.features[0] : undefined;
    this.deps.log.info({ tenantId, status: report.status, features: report.status === 'ok' ? report.features.length : 0, worst: worst ? { feature: worst.feature, psi: Number(worst.psi.toFixed(4)) } : null, ms: Date.now() - started }, 'feature drift computed');
    return report;
  }
}
