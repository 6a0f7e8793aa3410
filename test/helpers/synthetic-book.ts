import {
  buildRecord,
  type CanonicalAccount,
  type CanonicalActivity,
  type CanonicalSubscription,
  type CanonicalTicket,
  type CanonicalTransaction,
  type Store,
  type TenantId,
} from '../../core';
import { SqliteStore } from '../../store/sqlite/sqlite-store';

/** The scoring instant the synthetic book is built around. */
export const SYNTHETIC_NOW = '2026-06-01T00:00:00.000Z';

export interface SyntheticRecords {
  accounts: CanonicalAccount[];
  tickets: CanonicalTicket[];
  activities: CanonicalActivity[];
  subscriptions: CanonicalSubscription[];
  transactions: CanonicalTransaction[];
}

const DAY = 86_400_000;
const at = (daysBefore: number): string => new Date(Date.parse(SYNTHETIC_NOW) - daysBefore * DAY).toISOString();
const day = (daysBefore: number): string => at(daysBefore).slice(0, 10);
const CONTRACTS = ['month-to-month', 'one-year', 'two-year'] as const;
const PLANS = ['starter', 'team', 'enterprise'] as const;

/** Account ids sort as numbers do (bytewise), so id ranges are contiguous index ranges. */
export const syntheticAccountId = (i: number): string => `hubspot:${String(i).padStart(9, '0')}`;

/** A cheap deterministic spread of i over [0, 1). */
const spread = (i: number, salt: number): number => {
  let h = (i * 2654435761 + salt * 40503) >>> 0;
  h ^= h >>> 15;
  h = Math.imul(h, 2246822519) >>> 0;
  h ^= h >>> 13;
  return (h >>> 0) / 4294967296;
};

/**
 * Canonical records of accounts [from, to) of a deterministic book: a mix that exercises every
 * scoring path (contracts on the company and as subscriptions for sBG, repeat purchases for
 * BG/NBD, open tickets, activity, churned accounts, custom attributes, shared owners so weekly
 * capacity binds). Built for scoring tests and the score-book benchmark, not for realism.
 */
export function syntheticRecords(tenantId: TenantId, from: number, to: number): SyntheticRecords {
  const out: SyntheticRecords = { accounts: [], tickets: [], activities: [], subscriptions: [], transactions: [] };
  const source = (externalId: string) => ({ provider: 'hubspot' as const, externalId, modstamp: at(200) });
  for (let i = from; i < to; i++) {
    const id = syntheticAccountId(i);
    const churned = i % 10 === 0;
    const tenure = 60 + Math.floor(spread(i, 1) * 1500);
    out.accounts.push(
      buildRecord('account', {
        tenantId,
        id,
        source: { ...source(String(i)), modstamp: churned ? at(1) : at(200) },
        name: `Account ${i}`,
        ownerId: `owner-${i % 40}`,
        arr: 1200 * (1 + Math.floor(spread(i, 2) * 100)),
        currency: 'USD',
        plan: PLANS[i % 3],
        // Accounts that buy as they go (i % 4 = 1) have no contract: BG/NBD values them.
        ...(i % 4 === 1 ? {} : { contractType: CONTRACTS[i % 3] }),
        customerSince: at(tenure),
        renewalDate: day(-Math.floor(spread(i, 3) * 300)),
        status: churned ? 'churned' : 'active',
        ...(churned ? { churnedAt: at(1 + (i % 60)) } : {}),
        seats: 1 + (i % 50),
        attributes: {
          region: i % 2 ? 'emea' : 'apac',
          nps: String(Math.floor(spread(i, 4) * 11)),
          ...(i % 7 === 0 ? { tier: 'gold' } : {}),
        },
      }),
    );
    if (i % 3 === 0 && i % 4 !== 1) {
      out.subscriptions.push(
        buildRecord('subscription', {
          tenantId,
          id: `hubspot:sub-${i}`,
          source: source(`sub-${i}`),
          accountId: id,
          plan: PLANS[i % 3] as string,
          status: churned ? 'cancelled' : 'active',
          startDate: day(tenure),
          ...(churned ? { endDate: day(i % 60) } : {}),
          billingPeriod: 'monthly',
          mrr: 100 * (1 + (i % 20)),
          currency: 'USD',
        }),
      );
    }
    if (i % 4 === 1) {
      for (let k = 0; k < 3; k++) {
        out.transactions.push(
          buildRecord('transaction', {
            tenantId,
            id: `hubspot:tx-${i}-${k}`,
            source: source(`tx-${i}-${k}`),
            accountId: id,
            kind: 'order',
            occurredAt: at(20 + Math.floor(spread(i, 10 + k) * 300)),
            amount: 50 + Math.floor(spread(i, 20 + k) * 500),
            currency: 'USD',
          }),
        );
      }
    }
    if (i % 5 === 0) {
      out.tickets.push(
        buildRecord('ticket', {
          tenantId,
          id: `hubspot:t-${i}`,
          source: source(`t-${i}`),
          accountId: id,
          subject: 'Cannot export reports',
          status: 'open',
          priority: i % 2 ? 'high' : 'medium',
          createdAt: at(5 + (i % 30)),
        }),
      );
    }
    out.activities.push(
      buildRecord('activity', {
        tenantId,
        id: `hubspot:a-${i}`,
        source: source(`a-${i}`),
        accountId: id,
        type: 'email',
        occurredAt: at(1 + Math.floor(spread(i, 5) * 120)),
        direction: 'inbound',
      }),
    );
  }
  return out;
}

/** A store in memory holding the tenant and its synthetic accounts [0, accounts) with every record kind. */
export async function syntheticStore(tenantId: TenantId, accounts: number): Promise<Store> {
  const store = new SqliteStore({ path: ':memory:' });
  await store.upsertTenant({ id: tenantId, name: 'Tenant', locale: 'en', createdAt: '2026-01-01T00:00:00.000Z' });
  const book = syntheticRecords(tenantId, 0, accounts);
  await store.upsertRecords('account', book.accounts);
  await store.upsertRecords('subscription', book.subscriptions);
  await store.upsertRecords('transaction', book.transactions);
  await store.upsertRecords('ticket', book.tickets);
  await store.upsertRecords('activity', book.activities);
  return store;
}
