import type { AccountRange, AnalysedText, ScoreSet, Store, TenantId } from '../../core';
import type { AccountRecords, AnalysedRecordText } from '../../engine/features/account-features';
import type { BookPage, PageNeeds } from '../../engine/scoring/book-scorer';
import { withChurnFromLostRenewals } from '../../engine/scoring/lost-renewal-churn';

/** Accounts per page when the book is scored in pages: a page's records fit in a few tens of MB. */
export const SCORING_PAGE_ACCOUNTS = 5000;

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
    texts: (await store.listAnalysedTexts(tenantId)).map(recordText),
  };
}

/**
 * The same records a page of accounts at a time (keyset pages of account ids), each page with
 * the records of its accounts only, read by account range; and, when asked, their latest scores.
 */
export function tenantRecordPages(
  store: Store,
  tenantId: TenantId,
  pageSize = SCORING_PAGE_ACCOUNTS,
): (needs: PageNeeds) => AsyncIterable<BookPage> {
  return async function* (needs) {
    let after: string | undefined;
    for (;;) {
      const accounts = await store.listRecords(tenantId, 'account', {
        limit: pageSize,
        ...(after === undefined ? {} : { afterId: after }),
      });
      const last = accounts.at(-1);
      if (!last) return;
      const range: AccountRange = { ...(after === undefined ? {} : { after }), through: last.id };
      yield {
        records: await pageRecords(store, tenantId, accounts, range, needs),
        ...(await previousScores(store, tenantId, range, needs)),
        accounts: range,
      };
      after = last.id;
      if (accounts.length < pageSize) return;
    }
  };
}

async function pageRecords(
  store: Store,
  tenantId: TenantId,
  accounts: AccountRecords['accounts'],
  range: AccountRange,
  needs: PageNeeds,
): Promise<AccountRecords> {
  const q = { accounts: range };
  return {
    accounts: withChurnFromLostRenewals([...accounts], await store.listRecords(tenantId, 'opportunity', q)),
    subscriptions: await store.listRecords(tenantId, 'subscription', q),
    transactions: await store.listRecords(tenantId, 'transaction', q),
    ...(needs.activity
      ? {
          tickets: await store.listRecords(tenantId, 'ticket', q),
          activities: await store.listRecords(tenantId, 'activity', q),
          texts: (await store.listAnalysedTexts(tenantId, q)).map(recordText),
        }
      : {}),
  };
}

async function previousScores(
  store: Store,
  tenantId: TenantId,
  range: AccountRange,
  needs: PageNeeds,
): Promise<{ previous?: Map<string, ScoreSet> }> {
  if (!needs.previous) return {};
  return { previous: new Map((await store.latestScores(tenantId, { accounts: range })).map((s) => [s.accountId, s])) };
}

const recordText = (t: AnalysedText): AnalysedRecordText => ({
  accountId: t.accountId,
  at: t.at,
  kind: t.kind,
  score: t.score,
  label: t.label,
  topics: t.topics,
  maskedText: t.maskedText,
});
