import type { RecordStore, TenantId } from '../../core';
import type { AccountRecords } from '../../engine/features/account-features';
import { withChurnFromLostRenewals } from '../../engine/scoring/lost-renewal-churn';

/** Everything the engine reads for one tenant: the latest version of every live record. */
export function loadTenantRecords(store: RecordStore, tenantId: TenantId): AccountRecords {
  return {
    // Where the CRM has no churn field, a lost renewal says who left.
    accounts: withChurnFromLostRenewals(store.listRecords(tenantId, 'account'), store.listRecords(tenantId, 'opportunity')),
    tickets: store.listRecords(tenantId, 'ticket'),
    activities: store.listRecords(tenantId, 'activity'),
    subscriptions: store.listRecords(tenantId, 'subscription'),
    transactions: store.listRecords(tenantId, 'transaction'),
    // What the text model read (text.analyze): features take the texts dated before their as-of date.
    texts: store.listAnalysedTexts(tenantId).map((t) => ({
      accountId: t.accountId,
      at: t.at,
      kind: t.kind,
      score: t.score,
      label: t.label,
      topics: t.topics,
      maskedText: t.maskedText,
    })),
  };
}
