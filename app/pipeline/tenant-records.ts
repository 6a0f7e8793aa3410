import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AccountRange, AnalysedText, OrgCurrencies, ScoreSet, Store, TenantId } from '../../core';
import type { AccountRecords, AnalysedRecordText } from '../../engine/features/account-features';
import type { BookPage, PageNeeds } from '../../engine/scoring/book-scorer';
import { withChurnFromLostRenewals } from '../../engine/scoring/lost-renewal-churn';
import { purchasesFromWonDeals } from '../../engine/scoring/won-deal-purchases';
import { toCorporateCurrency } from '../../engine/features/currency-conversion';
import { orgCurrencies } from '../settings/org-currencies';

/** Accounts read from the store at a time when the book is scored in pages (a few queries a page). */
export const SCORING_PAGE_ACCOUNTS = 1000;
/**
 * Accounts scored in one synchronous stretch (about 40 ms for 200). A page is handed to the scorer
 * in slices with a turn of the event loop between them, so the rate-paced CRM calls and job-lock
 * renewals of the same worker keep moving while it scores: with 5,000-account stretches the
 * write-back of earlier pages sent about 3 requests a second instead of 10 while scoring ran.
 */
export const SCORING_SLICE_ACCOUNTS = 200;

/** A book with no invoices, orders or usage at all (a vanilla org) is valued from its won deals. */
async function dealsStandInForPurchases(store: Store, tenantId: TenantId): Promise<boolean> {
  return (await store.countRecords(tenantId, 'transaction')) === 0;
}

/** Everything the engine reads for one tenant: the latest version of every live record. */
export async function loadTenantRecords(store: Store, tenantId: TenantId): Promise<AccountRecords> {
  const currencies = await orgCurrencies(store, tenantId);
  const opportunities = await store.listRecords(tenantId, 'opportunity');
  const records: AccountRecords = {
    // Where the CRM has no churn field, a lost renewal says who left.
    accounts: withChurnFromLostRenewals(await store.listRecords(tenantId, 'account'), opportunities),
    tickets: await store.listRecords(tenantId, 'ticket'),
    activities: await store.listRecords(tenantId, 'activity'),
    subscriptions: await store.listRecords(tenantId, 'subscription'),
    transactions: (await dealsStandInForPurchases(store, tenantId))
      ? purchasesFromWonDeals(opportunities)
      : await store.listRecords(tenantId, 'transaction'),
    // What the text model read (text.analyze): features take the texts dated before their as-of date.
    texts: (await store.listAnalysedTexts(tenantId)).map(recordText),
  };
  return currencies ? toCorporateCurrency(records, currencies) : records;
}

/**
 * The same records a page of accounts at a time (keyset pages of account ids), each page with
 * the records of its accounts only, read by account range; and, when asked, their latest scores.
 * Pages are handed out in slices of `sliceSize` accounts, each with its own account range.
 */
export function tenantRecordPages(
  store: Store,
  tenantId: TenantId,
  pageSize = SCORING_PAGE_ACCOUNTS,
  sliceSize = SCORING_SLICE_ACCOUNTS,
): (needs: PageNeeds) => AsyncIterable<BookPage> {
  return async function* (needs) {
    const currencies = await orgCurrencies(store, tenantId);
    const fromDeals = await dealsStandInForPurchases(store, tenantId);
    let after: string | undefined;
    for (;;) {
      const accounts = await store.listRecords(tenantId, 'account', {
        limit: pageSize,
        ...(after === undefined ? {} : { afterId: after }),
      });
      const last = accounts.at(-1);
      if (!last) return;
      const range: AccountRange = { ...(after === undefined ? {} : { after }), through: last.id };
      const page = {
        records: inCorporateCurrency(await pageRecords(store, tenantId, accounts, range, needs, fromDeals), currencies),
        ...(await previousScores(store, tenantId, range, needs)),
        accounts: range,
      };
      for (const slice of slicesOf(page, sliceSize)) {
        yield slice;
        // SQLite reads are synchronous too: without these turns a pass over the book would hold every timer of the process.
        await nextTurn();
      }
      after = last.id;
      if (accounts.length < pageSize) return;
    }
  };
}

const inCorporateCurrency = (records: AccountRecords, currencies: OrgCurrencies | null): AccountRecords =>
  currencies ? toCorporateCurrency(records, currencies) : records;

/** A page cut into slices of `size` accounts, each with its own records and account range. */
function* slicesOf(page: BookPage & { accounts: AccountRange }, size: number): Generator<BookPage> {
  const { accounts } = page.records;
  if (accounts.length <= size) {
    yield page;
    return;
  }
  const count = Math.ceil(accounts.length / size);
  const sliceOf = new Map<string, number>(accounts.map((a, i) => [a.id as string, Math.floor(i / size)]));
  const split = <T extends { accountId: string }>(rows: readonly T[] | undefined): T[][] | undefined => {
    if (!rows) return undefined;
    const out = Array.from({ length: count }, (): T[] => []);
    for (const r of rows) {
      const k = sliceOf.get(r.accountId);
      if (k !== undefined) out[k]?.push(r);
    }
    return out;
  };
  const { tickets, activities, subscriptions, transactions, texts } = page.records;
  const parts = {
    tickets: split(tickets),
    activities: split(activities),
    subscriptions: split(subscriptions),
    transactions: split(transactions),
    texts: split(texts),
  };
  for (let k = 0; k < count; k++) {
    const mine = accounts.slice(k * size, (k + 1) * size);
    const after = k === 0 ? page.accounts.after : (accounts[k * size - 1]?.id as string);
    const records: AccountRecords = { accounts: mine };
    for (const [name, rows] of Object.entries(parts)) if (rows) Object.assign(records, { [name]: rows[k] });
    yield {
      records,
      ...(page.previous ? { previous: page.previous } : {}),
      accounts: { ...(after === undefined ? {} : { after }), through: (mine.at(-1) as { id: string }).id },
    };
  }
}

async function pageRecords(
  store: Store,
  tenantId: TenantId,
  accounts: AccountRecords['accounts'],
  range: AccountRange,
  needs: PageNeeds,
  fromDeals: boolean,
): Promise<AccountRecords> {
  const q = { accounts: range };
  const opportunities = await store.listRecords(tenantId, 'opportunity', q);
  return {
    accounts: withChurnFromLostRenewals([...accounts], opportunities),
    subscriptions: await store.listRecords(tenantId, 'subscription', q),
    transactions: fromDeals ? purchasesFromWonDeals(opportunities) : await store.listRecords(tenantId, 'transaction', q),
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
