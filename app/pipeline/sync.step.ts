import {
  isSuccessEngineError,
  type CanonicalActivity,
  type ConnectionId,
  type CrmConnector,
  type EntityName,
  type Store,
  type TenantId,
} from '../../core';
import { recordConnectorFindings } from '../settings/connector-findings';

export interface SyncPageResult {
  entity: EntityName;
  done: boolean;
  upserted: number;
  unchanged: number;
  deleted: number;
  rejected: number;
  /** Accounts whose data changed on this page: the ones to re-score. */
  changedAccountIds: string[];
}

export interface SyncTarget {
  tenantId: TenantId;
  connectionId: ConnectionId;
  entity: EntityName;
}

/**
 * One page of one entity: pull from the saved cursor, upsert (unchanged records are skipped by
 * dataHash), apply deletions, quarantine rejected rows in the audit log with the field at fault,
 * then save the cursor. A crash before the cursor is saved re-pulls the page, which upserts as
 * unchanged: no duplicates, no gaps.
 *
 * When the CRM can no longer replay deletions since the cursor (`CONNECTOR.RESYNC_REQUIRED`), the
 * entity is reloaded from the start and, at its last page, records the reload did not see are
 * marked deleted. The sweep runs before the cursor is saved: a crash in between re-pulls the last
 * page as an ordinary one, never a sweep against a partial seen-set.
 */
export async function syncPage(store: Store, connector: CrmConnector, target: SyncTarget): Promise<SyncPageResult> {
  const { tenantId, connectionId, entity } = target;
  const page = await pullOrBeginResync(store, connector, target);
  const summary = await store.upsertRecords(entity, page.records);
  let deleted = page.deletions.length
    ? await store.markDeleted(
        tenantId,
        entity,
        connector.provider,
        page.deletions.map((d) => d.externalId),
        page.deletions[0]?.deletedAt ?? new Date().toISOString(),
      )
    : 0;
  if (page.rejected.length > 0) {
    await store.appendAudit({
      tenantId,
      at: new Date().toISOString(),
      actor: 'sync',
      action: 'sync.rows-quarantined',
      target: `${connector.provider}/${entity}`,
      details: { rows: page.rejected },
    });
  }
  if (page.findings?.length) {
    // What the CRM would not let us read (a property or scope missing): named for the admin; the sync goes on.
    await store.appendAudit({
      tenantId,
      at: new Date().toISOString(),
      actor: 'sync',
      action: 'sync.connector-findings',
      target: `${connector.provider}/${entity}`,
      details: { findings: page.findings },
    });
    await recordConnectorFindings(store, tenantId, entity, page.findings, new Date());
  }
  const changed = new Set(summary.changedIds);
  if (entity === 'activity')
    await answerRecommendationsFromTasks(store, tenantId, page.records.filter((r) => changed.has(r.id)) as CanonicalActivity[]);
  const changedAccountIds = new Set(
    entity === 'account'
      ? changed
      : page.records
          .filter((r) => changed.has(r.id))
          .map((r) => (r as { accountId?: string }).accountId)
          .filter((id): id is string => id !== undefined),
  );
  const resync = await store.resyncInProgress(tenantId, connectionId, entity);
  if (resync) {
    // Rejected rows exist in the CRM too: seen, so not swept.
    await store.recordResyncSeen(tenantId, connectionId, entity, [
      ...page.records.map((r) => r.source.externalId),
      ...page.rejected.map((r) => r.externalId),
    ]);
    if (page.done) {
      const swept = await store.finishResync(tenantId, connectionId, entity, connector.provider, new Date().toISOString());
      deleted += swept.deleted;
      for (const id of swept.accountIds) changedAccountIds.add(id);
      await store.appendAudit({
        tenantId,
        at: new Date().toISOString(),
        actor: 'sync',
        action: 'sync.resync-finished',
        target: `${connector.provider}/${entity}`,
        details: { startedAt: resync.startedAt, sweptAsDeleted: swept.deleted },
      });
    }
  }
  await store.saveCursor(tenantId, connectionId, entity, page.nextCursor);
  return {
    entity,
    done: page.done,
    upserted: summary.inserted + summary.updated,
    unchanged: summary.unchanged,
    deleted,
    rejected: page.rejected.length,
    changedAccountIds: [...changedAccountIds],
  };
}

/** Our tasks completed or cancelled in the CRM answer the recommendations they were made for. */
async function answerRecommendationsFromTasks(store: Store, tenantId: TenantId, activities: readonly CanonicalActivity[]): Promise<void> {
  const answers = activities
    .filter((a) => a.type === 'task' && (a.taskStatus === 'completed' || a.taskStatus === 'cancelled'))
    // The CRM does not say when a task was completed; its last change is the closest we have.
    .map((a) => ({
      crmTaskId: a.source.externalId,
      status: a.taskStatus === 'completed' ? ('completed' as const) : ('dismissed' as const),
      at: a.source.modstamp,
    }));
  if (answers.length > 0) await store.answerActionsByTask(tenantId, answers);
}

/** Pull from the saved cursor; if the CRM asks for a full reload, begin one and pull its first page. */
async function pullOrBeginResync(store: Store, connector: CrmConnector, target: SyncTarget): ReturnType<CrmConnector['pullPage']> {
  const { tenantId, connectionId, entity } = target;
  try {
    return await connector.pullPage(entity, await store.getCursor(tenantId, connectionId, entity));
  } catch (error) {
    if (!isSuccessEngineError(error, 'CONNECTOR.RESYNC_REQUIRED')) throw error;
    const at = new Date().toISOString();
    await store.beginResync(tenantId, connectionId, entity, at, error.message);
    await store.appendAudit({
      tenantId,
      at,
      actor: 'sync',
      action: 'sync.resync-started',
      target: `${connector.provider}/${entity}`,
      details: { reason: error.message },
    });
    return connector.pullPage(entity, null);
  }
}

/** Pages of one entity until the stream is drained for now. */
export async function syncEntity(
  store: Store,
  connector: CrmConnector,
  target: SyncTarget,
  onPage?: (result: SyncPageResult) => void,
): Promise<SyncPageResult> {
  const total: SyncPageResult = {
    entity: target.entity,
    done: false,
    upserted: 0,
    unchanged: 0,
    deleted: 0,
    rejected: 0,
    changedAccountIds: [],
  };
  const changed = new Set<string>();
  while (!total.done) {
    const page = await syncPage(store, connector, target);
    total.done = page.done;
    total.upserted += page.upserted;
    total.unchanged += page.unchanged;
    total.deleted += page.deleted;
    total.rejected += page.rejected;
    for (const id of page.changedAccountIds) changed.add(id);
    onPage?.(page);
  }
  total.changedAccountIds = [...changed];
  return total;
}
