import type { CanonicalAccount, CanonicalSubscription, CanonicalTicket } from '../../core';
import { TERM_MONTHS, type AccountRecords } from '../features/account-features';

const DAY = 86_400_000;

/** The tenant's book as it stood `horizonDays` before `now`, with what happened next as labels. */
export interface LabelledSnapshot {
  asOf: string;
  records: AccountRecords;
  /** 1 when the account churned in (asOf, now], 0 when it was still a customer at `now`. */
  labels: Map<string, 0 | 1>;
}

/**
 * "Had this run N days ago": rebuilds each record as it stood at `now − horizonDays` from the
 * dates the records carry (churnedAt, closedAt, endDate, deletedAt), then labels the accounts
 * that were customers then by whether they churned since.
 *
 * Why: a first sync gives only the latest version of every record, all modified recently, so a
 * modstamp-based as-of read would see nothing. Fields without their own date (plan, ARR, seats,
 * contract type) are taken as they are now; that is the one approximation, documented in
 * docs/feature-catalog.md. Once the store holds versions from before `asOf`, read those instead.
 */
export function historicalSnapshot(records: AccountRecords, now: string, horizonDays: number): LabelledSnapshot {
  const nowMs = Date.parse(now);
  const t0 = nowMs - horizonDays * DAY;
  const asOf = new Date(t0).toISOString();
  const labels = new Map<string, 0 | 1>();
  const accounts: CanonicalAccount[] = [];
  for (const account of records.accounts) {
    const rebuilt = accountAt(account, t0, nowMs);
    if (!rebuilt) continue;
    accounts.push(rebuilt.account);
    labels.set(account.id, rebuilt.label);
  }
  return {
    asOf,
    labels,
    records: {
      accounts,
      tickets: (records.tickets ?? []).map((t) => ticketAt(t, t0, asOf)),
      activities: (records.activities ?? []).map((a) => clampStamp(a, t0, asOf)),
      subscriptions: (records.subscriptions ?? []).map((s) => subscriptionAt(s, t0, asOf)),
      transactions: (records.transactions ?? []).map((x) => clampStamp(x, t0, asOf)),
      // Dated texts: features keep those on or before asOf, so the snapshot needs no rebuilding.
      ...(records.texts ? { texts: records.texts } : {}),
    },
  };
}

function accountAt(account: CanonicalAccount, t0: number, now: number): { account: CanonicalAccount; label: 0 | 1 } | null {
  if (account.status === 'prospect') return null;
  if (account.customerSince && Date.parse(account.customerSince) > t0) return null;
  const churnedAt = account.churnedAt ? Date.parse(account.churnedAt) : Number.NaN;
  if (account.status === 'churned' && !Number.isFinite(churnedAt)) return null; // can't place it in time
  if (churnedAt <= t0) return null; // already gone at t0
  const label: 0 | 1 = churnedAt > t0 && churnedAt <= now ? 1 : 0;
  const { churnedAt: _gone, ...rest } = account;
  const renewalDate = renewalAt(account, t0);
  const asOfAccount = clampStamp(
    { ...rest, status: 'active' as const, ...(renewalDate ? { renewalDate } : {}) },
    t0,
    new Date(t0).toISOString(),
  );
  return { account: asOfAccount, label };
}

/**
 * The renewal that was next at t0: a renewed contract's date has moved on by whole terms since, so
 * it is stepped back while the earlier anniversary still falls after t0. Without this, every
 * account renewed since t0 looks far from renewal then, and only those that left look due.
 */
function renewalAt(account: CanonicalAccount, t0: number): string | undefined {
  const term = account.contractType ? TERM_MONTHS[account.contractType] : undefined;
  if (!account.renewalDate || term === undefined) return account.renewalDate;
  const renewal = Date.parse(account.renewalDate);
  if (!Number.isFinite(renewal) || renewal <= t0) return account.renewalDate;
  const d = new Date(renewal);
  let at = renewal;
  for (let k = 1; k <= 1200; k++) {
    const earlier = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k * term, d.getUTCDate());
    if (earlier <= t0) break;
    at = earlier;
  }
  return at === renewal ? account.renewalDate : new Date(at).toISOString().slice(0, account.renewalDate.length > 10 ? undefined : 10);
}

function ticketAt(ticket: CanonicalTicket, t0: number, asOf: string): CanonicalTicket {
  const closedLater = ticket.closedAt !== undefined && Date.parse(ticket.closedAt) > t0;
  if (!closedLater) return clampStamp(ticket, t0, asOf);
  const { closedAt: _later, ...open } = ticket;
  return clampStamp({ ...open, status: 'open' as const }, t0, asOf);
}

function subscriptionAt(subscription: CanonicalSubscription, t0: number, asOf: string): CanonicalSubscription {
  const endedLater = subscription.endDate !== undefined && Date.parse(subscription.endDate) > t0;
  const status = endedLater && (subscription.status === 'cancelled' || subscription.status === 'expired') ? 'active' : subscription.status;
  return clampStamp({ ...subscription, status }, t0, asOf);
}

/** The version "as of t0" is stamped at most t0; a deletion after t0 had not happened yet. */
function clampStamp<R extends { source: { modstamp: string }; deletedAt?: string | null | undefined }>(
  record: R,
  t0: number,
  asOf: string,
): R {
  const deletedLater = record.deletedAt ? Date.parse(record.deletedAt) > t0 : false;
  const modifiedLater = Date.parse(record.source.modstamp) > t0;
  if (!deletedLater && !modifiedLater) return record;
  const copy = { ...record, source: { ...record.source, modstamp: modifiedLater ? asOf : record.source.modstamp } };
  if (deletedLater) copy.deletedAt = null;
  return copy;
}
