import { SuccessEngineError, type AccountId, type CrmConnector, type ScoreSet, type Store, type TenantId } from '../../core';
import { resolveCrmTasks } from '../settings/tenant-settings';
import { createTasksStep } from './tasks.step';
import { writeBackStep, type WriteBackSummary } from './writeback.step';

export interface WriteBackBatchResult {
  written: number;
  unchanged: number;
  failed: number;
  tasks?: { created: number; exists: number; failed: number };
}

/**
 * One `writeback.batch` job: the accounts' latest scores into the CRM, then owner tasks for the top
 * action when the tenant turned them on. Failed records fail the batch (retryable); written ones and
 * made tasks are skipped by the retry (the connector's ledger and a read first; tasks are keyed).
 */
export async function writeBackBatchStep(
  store: Store,
  connector: CrmConnector,
  tenantId: TenantId,
  accountIds: readonly string[],
  onSummary?: (summary: WriteBackSummary) => void,
): Promise<WriteBackBatchResult> {
  const scores = (
    await Promise.all(accountIds.map(async (id) => (await store.scoreHistory(tenantId, id as AccountId, { limit: 1 }))[0]))
  ).filter((s): s is ScoreSet => s !== undefined);
  const summary = await writeBackStep(store, connector, tenantId, scores, accountIds.length);
  onSummary?.(summary);
  const retryable = summary.failed.filter((f) => f.code !== 'CONNECTOR.NOT_HUBSPOT');
  if (retryable.length > 0)
    throw new SuccessEngineError(
      'PIPELINE.WRITEBACK_PARTIAL',
      `${retryable.length} of ${scores.length} write-backs failed, first: ${retryable[0]?.accountExternalId} ${retryable[0]?.code} ${retryable[0]?.message}`,
      { failed: retryable.length },
    );
  const taskSetting = await resolveCrmTasks(store, tenantId);
  const tasks = taskSetting.enabled
    ? await createTasksStep(store, connector, tenantId, scores, {
        ...(taskSetting.bands ? { bands: taskSetting.bands } : {}),
        ...(taskSetting.dueInDays !== undefined ? { dueInDays: taskSetting.dueInDays } : {}),
      })
    : null;
  const taskFailures = tasks?.failed.filter((f) => f.retryable) ?? [];
  if (taskFailures.length > 0)
    throw new SuccessEngineError(
      'PIPELINE.TASKS_PARTIAL',
      `${taskFailures.length} owner tasks failed, first: ${taskFailures[0]?.accountExternalId} ${taskFailures[0]?.code} ${taskFailures[0]?.message}`,
      { failed: taskFailures.length },
    );
  return {
    written: summary.written,
    unchanged: summary.unchanged,
    failed: summary.failed.length,
    ...(tasks ? { tasks: { created: tasks.created, exists: tasks.exists, failed: tasks.failed.length } } : {}),
  };
}
