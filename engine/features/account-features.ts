import {
  SuccessEngineError,
  type AccountId,
  type CanonicalAccount,
  type CanonicalActivity,
  type CanonicalSubscription,
  type CanonicalTicket,
  type CanonicalTransaction,
} from '../../core';
import { textChurnFeatures, type ScoredText } from '../text/text-churn-features';
import { featureCatalog } from './feature-catalog';
import type { CategoricalColumn, FeatureColumn, FeatureTable, NumericColumn } from './feature-table';

/** Canonical records of one tenant (any order). */
export interface AccountRecords {
  accounts: readonly CanonicalAccount[];
  tickets?: readonly CanonicalTicket[];
  activities?: readonly CanonicalActivity[];
  subscriptions?: readonly CanonicalSubscription[];
  transactions?: readonly CanonicalTransaction[];
  /** Texts the local model read (sentiment, topics), PII-masked; only those dated on or before the as-of date count. */
  texts?: readonly AnalysedRecordText[];
}

export interface AnalysedRecordText extends ScoredText {
  maskedText: string;
}

/** Text signals per account as of the same date (the text engine's TextChurnFeatures fit this shape). */
export interface TextSignals {
  accountId: string;
  sentimentMean90: number | null;
  sentimentTrend90: number | null;
  negativeTicketShare90: number | null;
}

export interface AccountFeatureOptions {
  /** Account attributes (custom CRM fields, file-import columns) become `attr_<key>` features, at most this many. */
  maxAttributes: number;
  texts: readonly TextSignals[];
  /**
   * Which attributes become columns, decided over the whole book (see `AttributePlanner`); without
   * it, over these records. A book built page by page needs it so every page has the same columns.
   */
  attributes: AttributePlan;
}

/** The attribute columns of a book: their keys, and which of them read as numbers. */
export interface AttributePlan {
  keys: readonly string[];
  numeric: ReadonlySet<string>;
}

export interface AccountFeatures {
  table: FeatureTable;
  /** Row r of the table is this account. */
  accountIds: AccountId[];
  /** Records left out because they were modified after the as-of date (their as-of state is unknown). */
  modifiedAfterAsOf: number;
}

const DAY = 86_400_000;
const NUMBER = /^-?\d+(\.\d+)?$/;
const ATTRIBUTE_KEYS_USED_ELSEWHERE = new Set(['nps', 'csat']);

interface Stamped {
  source: { modstamp: string };
  deletedAt?: string | null | undefined;
}

function parseTime(value: string, what: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new SuccessEngineError('ENGINE.BAD_INPUT', `${what} is not an ISO date: "${value}"`);
  return ms;
}

/**
 * One feature row per account as of `asOf`, point-in-time correct: a record modified after
 * `asOf` (provider modstamp) is ignored entirely, because the store keeps only its latest version
 * and that version may already reflect the future (a ticket closed later, an account churned
 * later). Events dated after `asOf` are ignored too, and records deleted on or before it.
 * Only accounts that are customers (status active) at `asOf` get a row.
 * Every feature is listed in docs/feature-catalog.md; missing values are NaN, never zero-filled.
 */
/** Account attributes that become features when the caller does not say. */
export const DEFAULT_MAX_ATTRIBUTES = 40;

export function buildAccountFeatures(records: AccountRecords, asOf: string, options: Partial<AccountFeatureOptions> = {}): AccountFeatures {
  const maxAttributes = options.maxAttributes ?? DEFAULT_MAX_ATTRIBUTES;
  const t = parseTime(asOf, 'asOf');
  let modifiedAfterAsOf = 0;
  const visible = <R extends Stamped>(list: readonly R[] | undefined): R[] =>
    (list ?? []).filter((r) => {
      if (parseTime(r.source.modstamp, 'source.modstamp') > t) {
        modifiedAfterAsOf++;
        return false;
      }
      return !(r.deletedAt && parseTime(r.deletedAt, 'deletedAt') <= t);
    });
  const accounts = visible(records.accounts)
    .filter(isCustomer)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const tickets = groupByAccount(visible(records.tickets).filter((x) => parseTime(x.createdAt, 'ticket.createdAt') <= t));
  const activities = groupByAccount(visible(records.activities).filter((x) => parseTime(x.occurredAt, 'activity.occurredAt') <= t));
  const subscriptions = groupByAccount(visible(records.subscriptions).filter((x) => parseTime(x.startDate, 'subscription.startDate') <= t));
  const transactions = groupByAccount(visible(records.transactions).filter((x) => parseTime(x.occurredAt, 'transaction.occurredAt') <= t));
  const texts = new Map((options.texts ?? (records.texts ? textChurnFeatures(records.texts, asOf) : [])).map((x) => [x.accountId, x]));

  const n = accounts.length;
  const numeric = new Map<string, Float64Array>();
  const categorical = new Map<string, (string | null)[]>();
  for (const e of featureCatalog) {
    if (e.kind === 'numeric') numeric.set(e.name, new Float64Array(n).fill(Number.NaN));
    else categorical.set(e.name, new Array<string | null>(n).fill(null));
  }
  const set = (name: string, row: number, value: number): void => {
    const column = numeric.get(name);
    if (column) column[row] = Number.isFinite(value) ? value : Number.NaN;
  };
  const setCategory = (name: string, row: number, value: string | undefined): void => {
    const column = categorical.get(name);
    if (column) column[row] = value ?? null;
  };
  const ratio = (now: number, before: number): number => (before > 0 ? now / before : Number.NaN);

  accounts.forEach((account, row) => {
    const subs = subscriptions.get(account.id) ?? [];
    const activeAt = (when: number) =>
      subs.filter(
        (s) =>
          s.status !== 'trial' && parseTime(s.startDate, 'startDate') <= when && (!s.endDate || parseTime(s.endDate, 'endDate') > when),
      );
    const activeNow = activeAt(t);
    const active90 = activeAt(t - 90 * DAY);
    const sum = (list: CanonicalSubscription[], f: (s: CanonicalSubscription) => number) => list.reduce((acc, s) => acc + f(s), 0);
    const mrr = sum(activeNow, (s) => s.mrr);
    const mrr90 = sum(active90, (s) => s.mrr);
    const since = account.customerSince
      ? parseTime(account.customerSince, 'customerSince')
      : Math.min(...subs.map((s) => parseTime(s.startDate, 'startDate')));
    set('tenure_days', row, Number.isFinite(since) ? (t - since) / DAY : Number.NaN);
    set('mrr', row, activeNow.length ? mrr : Number.NaN);
    set('arr', row, account.arr ?? (activeNow.length ? 12 * mrr : Number.NaN));
    set('mrr_trend_90d', row, activeNow.length ? ratio(mrr, mrr90) : Number.NaN);
    const largest = [...activeNow].sort((a, b) => b.mrr - a.mrr || (a.id < b.id ? -1 : 1))[0];
    setCategory('contract_type', row, account.contractType);
    setCategory('plan', row, account.plan ?? largest?.plan);
    setCategory('industry', row, account.industry);
    setCategory('billing_period', row, largest?.billingPeriod);
    const renewals = [account.renewalDate, ...subs.flatMap((s) => [s.renewalDate, s.endDate])]
      .filter((d): d is string => d !== undefined)
      .map((d) => parseTime(d, 'renewalDate'))
      .filter((ms) => ms >= t);
    const accountRenewal = account.renewalDate
      ? nextRenewal(parseTime(account.renewalDate, 'renewalDate'), account.contractType, t)
      : Number.NaN;
    set(
      'days_to_renewal',
      row,
      accountRenewal >= t ? (accountRenewal - t) / DAY : renewals.length ? (Math.min(...renewals) - t) / DAY : Number.NaN,
    );
    const seatsNow = sum(activeNow, (s) => s.seats ?? 0);
    const seats90 = sum(active90, (s) => s.seats ?? 0);
    const seats = seatsNow > 0 ? seatsNow : (account.seats ?? Number.NaN);
    set('seats', row, seats);
    set('seats_trend_90d', row, seatsNow > 0 ? ratio(seatsNow, seats90) : Number.NaN);

    const tx = transactions.get(account.id) ?? [];
    const inWindow = (ms: number, fromDays: number, toDays: number) => ms > t - fromDays * DAY && ms <= t - toDays * DAY;
    let billed90 = 0;
    let billedPrev = 0;
    let usage30 = 0;
    let usagePrev60 = 0;
    let hasUsage = false;
    let delaySum = 0;
    let delayCount = 0;
    let overdue = 0;
    for (const x of tx) {
      const at = parseTime(x.occurredAt, 'occurredAt');
      if (x.kind === 'invoice' || x.kind === 'order') {
        if (inWindow(at, 90, 0)) billed90 += x.amount;
        else if (inWindow(at, 180, 90)) billedPrev += x.amount;
      }
      if (x.kind === 'usage') {
        hasUsage = true;
        const amount = x.quantity ?? x.amount;
        if (inWindow(at, 30, 0)) usage30 += amount;
        else if (inWindow(at, 90, 30)) usagePrev60 += amount;
      }
      if (x.kind === 'invoice' && x.dueDate) {
        const due = parseTime(x.dueDate, 'dueDate');
        const paid = x.paidAt ? parseTime(x.paidAt, 'paidAt') : Number.NaN;
        const settled = paid <= t ? paid : t;
        if (due <= t && due > t - 180 * DAY) {
          delaySum += Math.max(0, (settled - due) / DAY);
          delayCount++;
        }
        if (due < t && !(paid <= t)) overdue++;
      }
    }
    const invoicesSeen = tx.some((x) => x.kind === 'invoice' || x.kind === 'order');
    set('billed_90d', row, invoicesSeen ? billed90 : Number.NaN);
    set('billed_trend', row, invoicesSeen ? ratio(billed90, billedPrev) : Number.NaN);
    set('usage_30d', row, hasUsage ? usage30 : Number.NaN);
    set('usage_trend', row, hasUsage ? ratio(usage30, usagePrev60 / 2) : Number.NaN);
    set('usage_per_seat_30d', row, hasUsage && seats > 0 ? usage30 / seats : Number.NaN);
    set('payment_delay_days_180d', row, delayCount ? delaySum / delayCount : Number.NaN);
    set('overdue_invoices', row, tx.some((x) => x.kind === 'invoice') ? overdue : Number.NaN);

    const tk = tickets.get(account.id) ?? [];
    let t30 = 0;
    let tPrev60 = 0;
    let t90 = 0;
    let urgent = 0;
    let open = 0;
    let oldestOpen = Number.NaN;
    for (const x of tk) {
      const created = parseTime(x.createdAt, 'createdAt');
      if (inWindow(created, 30, 0)) t30++;
      else if (inWindow(created, 90, 30)) tPrev60++;
      if (inWindow(created, 90, 0)) {
        t90++;
        if (x.priority === 'high' || x.priority === 'urgent') urgent++;
      }
      const closed = x.closedAt ? parseTime(x.closedAt, 'closedAt') : Number.NaN;
      if (x.status !== 'closed' && !(closed <= t)) {
        open++;
        const age = (t - created) / DAY;
        if (!(age <= oldestOpen)) oldestOpen = age;
      }
    }
    set('tickets_30d', row, t30);
    set('tickets_90d', row, t90);
    set('ticket_trend', row, (t30 + 1) / (tPrev60 / 2 + 1));
    set('urgent_tickets_90d', row, urgent);
    set('open_tickets', row, open);
    set('oldest_open_ticket_days', row, oldestOpen);

    const acts = (activities.get(account.id) ?? []).filter((a) => a.type !== 'task');
    let latest = Number.NEGATIVE_INFINITY;
    let latestMeeting = Number.NEGATIVE_INFINITY;
    let a30 = 0;
    let aPrev60 = 0;
    let inbound = 0;
    let directed = 0;
    for (const a of acts) {
      const at = parseTime(a.occurredAt, 'occurredAt');
      latest = Math.max(latest, at);
      if (a.type === 'meeting') latestMeeting = Math.max(latestMeeting, at);
      if (inWindow(at, 30, 0)) a30++;
      else if (inWindow(at, 90, 30)) aPrev60++;
      if (inWindow(at, 90, 0) && a.direction) {
        directed++;
        if (a.direction === 'inbound') inbound++;
      }
    }
    set('days_since_activity', row, Number.isFinite(latest) ? (t - latest) / DAY : Number.NaN);
    set('days_since_meeting', row, Number.isFinite(latestMeeting) ? (t - latestMeeting) / DAY : Number.NaN);
    set('activities_30d', row, a30);
    set('activity_trend', row, (a30 + 1) / (aPrev60 / 2 + 1));
    set('inbound_share_90d', row, directed ? inbound / directed : Number.NaN);

    const attr = account.attributes;
    set('nps', row, typeof attr.nps === 'number' ? attr.nps : Number.NaN);
    set('csat', row, typeof attr.csat === 'number' ? attr.csat : Number.NaN);
    const text = texts.get(account.id);
    set('sentiment_90d', row, text?.sentimentMean90 ?? Number.NaN);
    set('sentiment_trend_90d', row, text?.sentimentTrend90 ?? Number.NaN);
    set('negative_ticket_share_90d', row, text?.negativeTicketShare90 ?? Number.NaN);
  });

  const columns: FeatureColumn[] = featureCatalog.map((e) =>
    e.kind === 'numeric'
      ? numericColumn(e.name, numeric.get(e.name) as Float64Array)
      : categoricalColumn(e.name, categorical.get(e.name) ?? []),
  );
  columns.push(...attributeColumns(accounts, options.attributes ?? planOf(accounts, maxAttributes)));
  return { table: { rowCount: n, columns }, accountIds: accounts.map((a) => a.id), modifiedAfterAsOf };
}

export const TERM_MONTHS: Partial<Record<NonNullable<CanonicalAccount['contractType']>, number>> = {
  'month-to-month': 1,
  'one-year': 12,
  'two-year': 24,
};

/**
 * A live account whose renewal date has passed renewed (else it would have churned): its next
 * renewal is one contract term later. CRMs often roll the date forward only at month end, and a
 * past date would otherwise read as "unknown".
 */
function nextRenewal(renewal: number, contract: CanonicalAccount['contractType'], t: number): number {
  const term = contract ? TERM_MONTHS[contract] : undefined;
  if (renewal >= t || term === undefined) return renewal;
  const d = new Date(renewal);
  for (let k = 1; k <= 1200; k += 1) {
    const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k * term, d.getUTCDate());
    if (next >= t) return next;
  }
  return renewal;
}

/** Records keyed by the account they belong to, in input order. */
export function groupByAccount<R extends { accountId: string }>(list: readonly R[]): Map<string, R[]> {
  const map = new Map<string, R[]>();
  for (const r of list) {
    const group = map.get(r.accountId);
    if (group) group.push(r);
    else map.set(r.accountId, [r]);
  }
  return map;
}

function numericColumn(name: string, values: Float64Array): NumericColumn {
  return { kind: 'numeric', name, values };
}

function categoricalColumn(name: string, values: readonly (string | null)[]): CategoricalColumn {
  const levels: string[] = [];
  const index = new Map<string, number>();
  const codes = Int32Array.from(values, (v) => {
    if (v === null || v.trim() === '') return -1;
    let code = index.get(v);
    if (code === undefined) {
      code = levels.length;
      levels.push(v);
      index.set(v, code);
    }
    return code;
  });
  return { kind: 'categorical', name, codes, levels };
}

const isCustomer = (a: CanonicalAccount): boolean => a.status === 'active';

/** A record as the as-of date sees it: modified by then and not deleted by then. */
function visibleAt(r: Stamped, t: number): boolean {
  return parseTime(r.source.modstamp, 'source.modstamp') <= t && !(r.deletedAt && parseTime(r.deletedAt, 'deletedAt') <= t);
}

/**
 * Gathers, page by page, which attributes the book's customers carry and whether every present
 * value of each reads as a number; `plan` keeps the most common ones (ties by key), as a single
 * pass over the whole book would.
 */
export class AttributePlanner {
  private readonly presence = new Map<string, number>();
  private readonly notNumeric = new Set<string>();

  observe(accounts: readonly CanonicalAccount[], asOf?: string): void {
    const t = asOf === undefined ? undefined : parseTime(asOf, 'asOf');
    for (const a of accounts) {
      if (!isCustomer(a) || (t !== undefined && !visibleAt(a, t))) continue;
      for (const [key, value] of Object.entries(a.attributes)) {
        if (value === null || ATTRIBUTE_KEYS_USED_ELSEWHERE.has(key)) continue;
        this.presence.set(key, (this.presence.get(key) ?? 0) + 1);
        if (!readsAsNumber(value)) this.notNumeric.add(key);
      }
    }
  }

  plan(max: number): AttributePlan {
    const keys = [...this.presence.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, max)
      .map(([key]) => key)
      .sort();
    return { keys, numeric: new Set(keys.filter((k) => !this.notNumeric.has(k))) };
  }
}

// CRMs send every property as text: "29.85" is a number, "true" a yes/no (read as words).
const readsAsNumber = (v: unknown): boolean =>
  typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && NUMBER.test(v.trim()));

function planOf(customers: readonly CanonicalAccount[], max: number): AttributePlan {
  const planner = new AttributePlanner();
  planner.observe(customers);
  return planner.plan(max);
}

/** Generic columns from account attributes, as the plan says: numeric ones as numbers, the rest as words. */
function attributeColumns(accounts: readonly CanonicalAccount[], plan: AttributePlan): FeatureColumn[] {
  return plan.keys.map((key) => {
    const values = accounts.map((a) => a.attributes[key] ?? null);
    const name = `attr_${key}`;
    if (plan.numeric.has(key))
      return numericColumn(
        name,
        Float64Array.from(values, (v) => (v === null ? Number.NaN : Number(v))),
      );
    return categoricalColumn(
      name,
      values.map((v) => (v === null ? null : String(v))),
    );
  });
}
