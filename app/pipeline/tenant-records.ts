import type { RecordStore, TenantId } from '../../core';
import type { AccountRecords } from '../../engine/features/account-features';

/** Everything the engine reads for one tenant: the latest version of every live record. */
export function loadTenantRecords(store: RecordStore, tenantId: TenantId): AccountRecords {
  return {
    accounts: store.listRecords(tenantId, 'account'),
    tickets: store.listRecords(tenantId, 'ticket'),
    activities: store.listRecords(tenantId, 'activity'),
    subscriptions: store.listRecords(tenantId, 'subscription'),
    transactions: store.listRecords(tenantId, 'transaction'),
    // What the text model read (text.analyze): features take the texts dated before their as-of date.
    texts: store.listAnalysedTexts(tenantId).map((t) => ({ accountId: t.accountId, at: t.at, kind: t.kind, score: t.score, label: t.label, topics: t.topics, maskedText: t.maskedText })),
  };
}
