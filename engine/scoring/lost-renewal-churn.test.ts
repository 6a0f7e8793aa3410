import type { AccountId, CanonicalAccount, CanonicalOpportunity, TenantId } from '../../core';
import { withChurnFromLostRenewals } from './lost-renewal-churn';

const account = (id: string, extra: Partial<CanonicalAccount> = {}): CanonicalAccount => ({
  id: id as AccountId,
  tenantId: 't' as TenantId,
  name: id,
  status: 'active',
  attributes: {},
  dataHash: '',
  source: { provider: 'salesforce', externalId: id, modstamp: '2026-01-01T00:00:00Z' },
  ...extra,
});

let n = 0;
const deal = (
  accountId: string,
  kind: CanonicalOpportunity['kind'],
  closeDate: string,
  state: 'won' | 'lost' | 'open',
): CanonicalOpportunity =>
  ({
    id: `o${++n}`,
    tenantId: 't',
    accountId,
    name: 'Renewal',
    kind,
    stage: state,
    closeDate,
    isClosed: state !== 'open',
    isWon: state === 'won',
    createdAt: '2025-01-01T00:00:00Z',
    attributes: {},
    dataHash: '',
    source: { provider: 'salesforce', externalId: `o${n}`, modstamp: '2026-01-01T00:00:00Z' },
  }) as unknown as CanonicalOpportunity;

describe('churn from lost renewals (orgs without a churn field)', () => {
  it('reads a lost renewal with nothing after it as churn on its close date', () => {
    const [a] = withChurnFromLostRenewals(
      [account('a')],
      [deal('a', 'renewal', '2025-06-01', 'won'), deal('a', 'renewal', '2026-06-01', 'lost')],
    );
    expect(a).toMatchObject({ status: 'churned', churnedAt: '2026-06-01T00:00:00.000Z' });
  });

  it('keeps an account that won or still has a deal open after the lost renewal', () => {
    const out = withChurnFromLostRenewals(
      [account('won'), account('open')],
      [
        deal('won', 'renewal', '2026-03-01', 'lost'),
        deal('won', 'upsell', '2026-04-01', 'won'),
        deal('open', 'renewal', '2026-03-01', 'lost'),
        deal('open', 'renewal', '2027-03-01', 'open'),
      ],
    );
    expect(out.map((a) => a.status)).toEqual(['active', 'active']);
  });

  it('ignores lost new-business deals and deleted deals, and never overrides what the CRM says', () => {
    const deleted = { ...deal('d', 'renewal', '2026-03-01', 'lost'), deletedAt: '2026-03-02T00:00:00Z' };
    const out = withChurnFromLostRenewals(
      [
        account('new'),
        account('d'),
        account('crm', { status: 'churned', churnedAt: '2026-01-05T00:00:00Z' }),
        account('p', { status: 'prospect' }),
      ],
      [
        deal('new', 'new', '2026-03-01', 'lost'),
        deleted,
        deal('crm', 'renewal', '2026-05-01', 'lost'),
        deal('p', 'renewal', '2026-05-01', 'lost'),
      ],
    );
    expect(out.map((a) => [a.status, a.churnedAt])).toEqual([
      ['active', undefined],
      ['active', undefined],
      ['churned', '2026-01-05T00:00:00Z'],
      ['prospect', undefined],
    ]);
  });
});
