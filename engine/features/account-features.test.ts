import {
  buildRecord,
  type CanonicalAccount,
  type CanonicalActivity,
  type CanonicalTicket,
  type CanonicalTransaction,
  type TenantId,
} from '../../core';
import { seededRandom } from '../churn/random';
import { buildAccountFeatures, type AccountRecords } from './account-features';
import { featureCatalog } from './feature-catalog';
import type { FeatureTable } from './feature-table';

const tenantId = 't1' as TenantId;
const D = '2026-01-01T00:00:00.000Z';
const day = (offset: number): string => new Date(Date.parse(D) + offset * 86_400_000).toISOString();
const date = (offset: number): string => day(offset).slice(0, 10);
const src = (id: string, modstamp: string) => ({ provider: 'hubspot' as const, externalId: id, modstamp });

function account(id: string, modOffset: number, extra: Partial<CanonicalAccount> = {}): CanonicalAccount {
  return buildRecord('account', {
    tenantId,
    id: `hubspot:${id}`,
    source: src(id, day(modOffset)),
    name: id,
    status: 'active',
    customerSince: day(-400),
    contractType: 'one-year',
    attributes: { region: 'emea', nps: 30 },
    ...extra,
  });
}
function ticket(id: string, acc: string, createdOffset: number, modOffset: number, extra: Partial<CanonicalTicket> = {}): CanonicalTicket {
  return buildRecord('ticket', {
    tenantId,
    id: `hubspot:${id}`,
    accountId: `hubspot:${acc}`,
    source: src(id, day(modOffset)),
    subject: 's',
    status: 'open',
    priority: 'high',
    createdAt: day(createdOffset),
    attributes: {},
    ...extra,
  });
}
function activity(id: string, acc: string, offset: number, modOffset: number): CanonicalActivity {
  return buildRecord('activity', {
    tenantId,
    id: `hubspot:${id}`,
    accountId: `hubspot:${acc}`,
    source: src(id, day(modOffset)),
    type: 'meeting',
    occurredAt: day(offset),
    direction: 'inbound',
    attributes: {},
  });
}
function invoice(id: string, acc: string, offset: number, modOffset: number, paidOffset?: number): CanonicalTransaction {
  return buildRecord('transaction', {
    tenantId,
    id: `hubspot:${id}`,
    accountId: `hubspot:${acc}`,
    source: src(id, day(modOffset)),
    kind: 'invoice',
    occurredAt: day(offset),
    amount: 100,
    dueDate: date(offset + 30),
    ...(paidOffset === undefined ? {} : { paidAt: day(paidOffset) }),
    attributes: {},
  });
}

function column(table: FeatureTable, name: string, row: number): number | string | null {
  const c = table.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  if (c.kind === 'numeric') return Number.isNaN(c.values[row]) ? null : (c.values[row] as number);
  const code = c.codes[row] as number;
  return code < 0 ? null : (c.levels[code] as string);
}

function randomHistory(seed: number): AccountRecords {
  const random = seededRandom(seed);
  const offset = () => Math.floor(random() * 400) - 300; // days around D, some after it
  const accounts: CanonicalAccount[] = [];
  const tickets: CanonicalTicket[] = [];
  const activities: CanonicalActivity[] = [];
  const transactions: CanonicalTransaction[] = [];
  for (let a = 0; a < 25; a++) {
    accounts.push(account(`a${a}`, offset(), { seats: 1 + Math.floor(random() * 20), status: random() < 0.85 ? 'active' : 'churned' }));
    for (let k = 0; k < 6; k++) {
      const created = offset();
      const mod = created + Math.floor(random() * 60);
      tickets.push(ticket(`t${a}-${k}`, `a${a}`, created, mod, random() < 0.5 ? { status: 'closed', closedAt: day(mod) } : {}));
      const at = offset();
      activities.push(activity(`c${a}-${k}`, `a${a}`, at, at + Math.floor(random() * 5)));
      const inv = offset();
      const paid = random() < 0.7 ? inv + Math.floor(random() * 60) : undefined;
      transactions.push(invoice(`i${a}-${k}`, `a${a}`, inv, Math.max(inv, paid ?? inv), paid));
    }
  }
  return { accounts, tickets, activities, transactions };
}

const modifiedBy =
  (cutoff: string) =>
  <R extends { source: { modstamp: string } }>(list: readonly R[] | undefined): R[] =>
    (list ?? []).filter((r) => r.source.modstamp <= cutoff);

describe('account features as of a date', () => {
  it('ignore every record modified after the as-of date (point in time)', () => {
    for (const seed of [1, 2, 3]) {
      const all = randomHistory(seed);
      const keep = modifiedBy(D);
      const before = {
        accounts: keep(all.accounts),
        tickets: keep(all.tickets),
        activities: keep(all.activities),
        transactions: keep(all.transactions),
      };
      const full = buildAccountFeatures(all, D);
      const cut = buildAccountFeatures(before, D);
      expect(full.modifiedAfterAsOf).toBeGreaterThan(0);
      expect(cut.modifiedAfterAsOf).toBe(0);
      expect(full.accountIds).toEqual(cut.accountIds);
      expect(full.table.rowCount).toBeGreaterThan(0);
      full.table.columns.forEach((c, i) => {
        const other = cut.table.columns[i];
        expect(other?.name).toBe(c.name);
        for (let r = 0; r < full.table.rowCount; r++) expect(column(full.table, c.name, r)).toEqual(column(cut.table, c.name, r));
      });
    }
  });

  it('computes ticket, activity, payment and tenure features from what was known at the date', () => {
    const records: AccountRecords = {
      accounts: [account('a', -10), account('late', 5), account('lost', -20, { status: 'churned', churnedAt: day(-20) })],
      tickets: [
        ticket('t1', 'a', -5, -5), // open, 5 days old
        ticket('t2', 'a', -40, -1, { status: 'closed', closedAt: day(-1), priority: 'low' }),
        ticket('t3', 'a', -20, 3, { status: 'closed', closedAt: day(3) }), // modified after D: ignored
        ticket('t4', 'a', 2, 2), // created after D: ignored
      ],
      activities: [activity('m1', 'a', -12, -12), activity('m2', 'a', 4, 4)],
      transactions: [invoice('i1', 'a', -100, -50, -50), invoice('i2', 'a', -45, -45)],
    };
    const { table, accountIds, modifiedAfterAsOf } = buildAccountFeatures(records, D);
    expect(accountIds).toEqual(['hubspot:a']);
    expect(modifiedAfterAsOf).toBe(4);
    expect(column(table, 'tickets_30d', 0)).toBe(1);
    expect(column(table, 'tickets_90d', 0)).toBe(2);
    expect(column(table, 'urgent_tickets_90d', 0)).toBe(1);
    expect(column(table, 'open_tickets', 0)).toBe(1);
    expect(column(table, 'oldest_open_ticket_days', 0)).toBeCloseTo(5, 9);
    expect(column(table, 'days_since_activity', 0)).toBeCloseTo(12, 9);
    expect(column(table, 'tenure_days', 0)).toBeCloseTo(400, 9);
    // i1 due day −70, paid −50 → 20 days late; i2 due −15, unpaid → 15 days late so far, overdue.
    expect(column(table, 'payment_delay_days_180d', 0)).toBeCloseTo(17.5, 9);
    expect(column(table, 'overdue_invoices', 0)).toBe(1);
    expect(column(table, 'nps', 0)).toBe(30);
    expect(column(table, 'contract_type', 0)).toBe('one-year');
    expect(column(table, 'attr_region', 0)).toBe('emea');
    // No usage, no text: missing, never zero.
    expect(column(table, 'usage_30d', 0)).toBeNull();
    expect(column(table, 'sentiment_90d', 0)).toBeNull();
  });

  it('has one catalog entry per built-in column', () => {
    const { table } = buildAccountFeatures({ accounts: [account('a', -1)] }, D);
    expect(table.columns.slice(0, featureCatalog.length).map((c) => c.name)).toEqual(featureCatalog.map((e) => e.name));
    expect(new Set(featureCatalog.map((e) => e.name)).size).toBe(featureCatalog.length);
  });
});

describe('days to renewal', () => {
  it('rolls a passed renewal date forward by the contract term (the account renewed), else keeps the date', () => {
    const records: AccountRecords = {
      accounts: [
        account('m', -10, { contractType: 'month-to-month', renewalDate: date(-40) }),
        account('y', -10, { contractType: 'one-year', renewalDate: date(-5) }),
        account('f', -10, { contractType: 'one-year', renewalDate: date(20) }),
        account('o', -10, { contractType: 'other', renewalDate: date(-5) }),
      ],
    };
    const { table, accountIds } = buildAccountFeatures(records, D);
    const days = (id: string) => column(table, 'days_to_renewal', accountIds.indexOf(`hubspot:${id}` as never));
    expect(days('m')).toBe(21); // 2025-11-22 → 2025-12-22 → 2026-01-22
    expect(days('y')).toBe(360);
    expect(days('f')).toBe(20);
    expect(days('o')).toBeNull();
  });
});

describe('attribute columns', () => {
  it('read numbers that CRMs send as text as numbers', () => {
    const accounts = Array.from({ length: 30 }, (_, i) =>
      account(`x${i}`, -10, { attributes: { total_revenue: `${i}.5`, tier: i % 2 ? 'gold' : 'silver' } }),
    );
    const { table } = buildAccountFeatures({ accounts }, D);
    expect(table.columns.find((c) => c.name === 'attr_total_revenue')?.kind).toBe('numeric');
    expect(table.columns.find((c) => c.name === 'attr_tier')?.kind).toBe('categorical');
  });
});
