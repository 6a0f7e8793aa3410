import { buildRecord, type CanonicalOpportunity } from '../../core';
import { TEST_TENANT } from '../../test/helpers/records';
import { purchasesFromWonDeals } from './won-deal-purchases';

const deal = (id: string, fields: Partial<CanonicalOpportunity>): CanonicalOpportunity =>
  buildRecord('opportunity', {
    tenantId: TEST_TENANT,
    id: `salesforce:${id}`,
    accountId: 'salesforce:acc1',
    source: { provider: 'salesforce', externalId: id, modstamp: '2026-01-01T00:00:00.000Z' },
    name: `Deal ${id}`,
    kind: 'renewal',
    stage: 'Closed Won',
    amount: 1200,
    closeDate: '2026-03-31',
    isClosed: true,
    isWon: true,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  });

describe('purchasesFromWonDeals', () => {
  it('turns each won deal with an amount into an order on its close date, and nothing else', () => {
    const orders = purchasesFromWonDeals([
      deal('won', { currency: 'EUR' }),
      deal('lost', { stage: 'Closed Lost', isWon: false }),
      deal('open', { stage: 'Negotiation', isClosed: false, isWon: false }),
      deal('free', { amount: 0 }),
      deal('deleted', { deletedAt: '2026-04-01T00:00:00.000Z' }),
    ]);
    expect(orders.map((o) => [o.id, o.kind, o.occurredAt, o.amount, o.currency, o.accountId])).toEqual([
      ['salesforce:won', 'order', '2026-03-31T00:00:00.000Z', 1200, 'EUR', 'salesforce:acc1'],
    ]);
  });
});
