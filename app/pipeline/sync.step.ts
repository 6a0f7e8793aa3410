import type { ConnectionId, CrmConnector, EntityName, RecordStore, TenantId } from '../../core';

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
 */
export async function syncPage(store: RecordStore, connector: CrmConnector, target: SyncTarget): Promise<SyncPageResult> {
  const { tenantId, connectionId, entity } = target;
  const page = await connector.pullPage(entity, store.getCursor(tenantId, connectionId, entity));
  const summary = store.upsertRecords(entity, page.records);
  const deleted = page.deletions.length
    ? store.markDeleted(tenantId, entity, connector.provider, page.deletions.map((d) => d.externalId), page.deletions[0]?.deletedAt ?? new Date().toISOString())
    : 0;
  if (page.rejected.length > 0) {
    store.appendAudit({ tenantId, at: new Date().toISOString(), actor: 'sync', action: 'sync.rows-quarantined', target: `${connector.provider}/${entity}`, details: { rows: page.rejected } });
  }
  store.saveCursor(tenantId, connectionId, entity, page.nextCursor);
  const changed = new Set(summary.changedIds);
  const changedAccountIds =
    entity === 'account' ? [...changed] : [...new Set(page.records.filter((r) => changed.has(r.id)).map((r) => (r as { accountId?: string }).accountId).filter((id): id is string => id !== undefined))];
  return { entity, done: page.done, upserted: summary.inserted + summary.updated, unchanged: summary.unchanged, deleted, rejected: page.rejected.length, changedAccountIds };
}

/** Pages of one entity until the stream is drained for now. */
export async function syncEntity(store: RecordStore, connector: CrmConnector, target: SyncTarget, onPage?: (result: SyncPageResult) => void): Promise<SyncPageResult> {
  const total: SyncPageResult = { entity: target.entity, done: false, upserted: 0, unchanged: 0, deleted: 0, rejected: 0, changedAccountIds: [] };
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
