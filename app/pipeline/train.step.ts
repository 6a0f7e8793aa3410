import { createHash } from 'node:crypto';
import type { Store, TenantId } from '../../core';
import { CHURN_TASK, churnModelVersion } from '../../engine/churn/churn-registry';
import { trainTenantChurn, type TenantChurnOptions, type TenantChurnTraining } from '../../engine/scoring/tenant-churn.trainer';
import { loadTenantRecords } from './tenant-records';

export interface TrainStepResult {
  training: TenantChurnTraining;
  /** The registered version, when a learned model was trained. */
  version: string | null;
  promoted: boolean;
  /** Why the version was or was not made active. */
  decision: string;
}

/** Largest held-out ROC-AUC drop a new version may show and still replace the active one. */
const MAX_AUC_REGRESSION = 0.005;

/**
 * Train on the tenant's own history, register the version with its window, metrics and features,
 * and promote it only when its held-out ROC-AUC does not regress against the active version.
 */
export async function trainChurnStep(
  store: Store,
  tenantId: TenantId,
  now: string,
  options: Partial<TenantChurnOptions> = {},
): Promise<TrainStepResult> {
  const training = trainTenantChurn(await loadTenantRecords(store, tenantId), now, options);
  if (training.kind === 'health-score' || !training.model) {
    await store.appendAudit({
      tenantId,
      at: now,
      actor: 'system',
      action: 'model.cold-start',
      target: CHURN_TASK,
      details: { ...training.metrics, reason: training.reason.en },
    });
    return { training, version: null, promoted: false, decision: training.reason.en };
  }
  const digest = createHash('sha256').update(JSON.stringify(training.model.toJSON())).digest('hex').slice(0, 8);
  const version = `${now.slice(0, 10)}.${digest}`;
  const existing = (await store.listModels(tenantId, CHURN_TASK)).find((m) => m.version === version);
  if (!existing)
    await store.registerModel(
      churnModelVersion(training.model, {
        tenantId,
        version,
        trainingWindow: training.trainingWindow,
        metrics: training.metrics,
        createdAt: now,
      }),
    );
  const active = await store.activeModel(tenantId, CHURN_TASK);
  const previousAuc = active?.metrics.rocAuc;
  const promoted =
    !active ||
    active.version === version ||
    previousAuc === undefined ||
    (training.metrics.rocAuc ?? 0) >= previousAuc - MAX_AUC_REGRESSION;
  if (promoted) await store.activateModel(tenantId, CHURN_TASK, version);
  const decision = promoted
    ? `version ${version} active (held-out ROC-AUC ${(training.metrics.rocAuc ?? 0).toFixed(3)}${previousAuc !== undefined ? ` vs ${previousAuc.toFixed(3)} before` : ''})`
    : `version ${version} kept as candidate: held-out ROC-AUC ${(training.metrics.rocAuc ?? 0).toFixed(3)} regresses from ${previousAuc?.toFixed(3) ?? '?'}`;
  await store.appendAudit({
    tenantId,
    at: now,
    actor: 'system',
    action: promoted ? 'model.promoted' : 'model.held-back',
    target: `${CHURN_TASK}@${version}`,
    details: training.metrics,
  });
  return { training, version, promoted, decision };
}
