import type { Store, TenantId } from '../../core';
import type { AccountRecords } from '../../engine/features/account-features';
import { withChurnFromLostRenewals } from '../../engine/scoring/lost-renewal-churn';

/** Everything the engine reads for one tenant: the latest version of every live record. */
export async function loadTenantRecords(store: Store, tenantId: TenantId): Promise<AccountRecords> {
  return {
    // Where the CRM has no churn field, a lost renewal says who left.
    accounts: withChurnFromLostRenewals(await store.listRecords(tenantId, 'account'), await store.listRecords(tenantId, 'opportunity')),
    tickets: await store.listRecords(tenantId, 'ticket'),
    activities: await store.listRecords(tenantId, 'activity'),
    subscriptions: await store.listRecords(tenantId, 'subscription'),
    transactions: await store.listRecords(tenantId, 'transaction'),
    // What the text model read (text.analyze): features take the texts dated before their as-of date.
    texts: (await store.listAnalysedTexts(tenantId)).map((t) => ({
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
