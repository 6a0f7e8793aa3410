import { buildRecord, type CanonicalTransaction } from '../../core';
import { makeAccount, TEST_TENANT } from '../../test/helpers/records';
import { toCorporateCurrency } from './currency-conversion';

const ORG = { corporate: 'USD', rates: { USD: 1, EUR: 0.8, CNY: 7 } };

const tx = (id: string, amount: number, currency?: string): CanonicalTransaction =>
  buildRecord('transaction', {
    tenantId: TEST_TENANT,
    id: `salesforce:${id}`,
    accountId: 'hubspot:a1',
    source: { provider: 'salesforce', externalId: id, modstamp: '2026-01-01T00:00:00.000Z' },
    kind: 'invoice',
    occurredAt: '2026-01-01T00:00:00.000Z',
    amount,
    ...(currency ? { currency } : {}),
  });

describe('toCorporateCurrency', () => {
  it('divides each amount by its currency rate and labels it with the corporate currency', () => {
    const out = toCorporateCurrency(
      {
        accounts: [makeAccount('a1', { arr: 8000, currency: 'EUR' }), makeAccount('a2', { arr: 7000, currency: 'CNY' }), makeAccount('a3')],
        transactions: [tx('t1', 80, 'EUR'), tx('t2', 50)],
      },
      ORG,
    );
    expect(out.accounts.map((a) => [a.arr, a.currency])).toEqual([
      [10000, 'USD'],
      [1000, 'USD'],
      [12000, 'USD'],
    ]);
    // An amount with no currency is in the corporate one (Salesforce omits nothing in multi-currency orgs; files may).
    expect(out.transactions?.map((t) => [t.amount, t.currency])).toEqual([
      [100, 'USD'],
      [50, undefined],
    ]);
  });

  it('leaves out amounts in a currency the org has no rate for rather than mixing them in', () => {
    const out = toCorporateCurrency(
      { accounts: [makeAccount('a1', { arr: 500, currency: 'GBP' })], transactions: [tx('t1', 10, 'GBP'), tx('t2', 10, 'USD')] },
      ORG,
    );
    expect(out.accounts[0]?.arr).toBeUndefined();
    expect(out.accounts[0]?.currency).toBe('USD');
    expect(out.transactions?.map((t) => t.id)).toEqual(['salesforce:t2']);
  });
});
