import { buildRecord, type AccountId, type CanonicalAccount, type TenantId } from '../../core';
import { historicalSnapshot } from './history-snapshot';
import { backtestBookForecast } from './renewal-backtest';

const tenantId = 't-renewals' as TenantId;
const NOW = '2026-06-01T00:00:00.000Z';

function account(n: number, fields: Partial<CanonicalAccount>): CanonicalAccount {
  return buildRecord('account', {
    tenantId,
    id: `hubspot:${n}` as AccountId,
    name: `Account ${n}`,
    status: 'active',
    attributes: {},
    customerSince: '2024-01-01T00:00:00.000Z',
    contractType: 'one-year',
    source: { provider: 'hubspot', externalId: String(n), modstamp: '2026-05-30T00:00:00.000Z' },
    ...fields,
  });
}

describe('the book as it stood before: renewals', () => {
  it('steps a renewed contract’s date back to the renewal that was next then', () => {
    const records = {
      accounts: [
        account(1, { renewalDate: '2027-04-15' }), // renewed on 2026-04-15
        account(2, { renewalDate: '2026-04-20', status: 'churned', churnedAt: '2026-04-20T00:00:00.000Z' }),
        account(3, { renewalDate: '2026-12-01' }), // not due until after the window
        account(4, { renewalDate: '2026-07-10', contractType: 'month-to-month' }), // monthly: next was 2026-03-10
      ],
    };
    const snapshot = historicalSnapshot(records, NOW, 90);
    const renewal = (id: string) => snapshot.records.accounts.find((a) => a.id === id)?.renewalDate;
    expect(snapshot.asOf).toBe('2026-03-03T00:00:00.000Z');
    expect(renewal('hubspot:1')).toBe('2026-04-15');
    expect(renewal('hubspot:2')).toBe('2026-04-20');
    expect(renewal('hubspot:3')).toBe('2026-12-01');
    expect(renewal('hubspot:4')).toBe('2026-03-10');
  });
});

describe('renewal forecast backtest', () => {
  it('replays the forecast 90 days back and compares it with who churned at renewal', () => {
    const accounts: CanonicalAccount[] = [];
    // 40 annual contracts renewing in March–May: every fifth one left at its renewal.
    for (let i = 0; i < 40; i++) {
      const month = 3 + (i % 3);
      const day = String(10 + (i % 15)).padStart(2, '0');
      const left = i % 5 === 0;
      accounts.push(
        account(i, {
          arr: 1_000 * (1 + (i % 4)),
          renewalDate: `${left ? 2026 : 2027}-0${month}-${day}`,
          ...(left ? { status: 'churned' as const, churnedAt: `2026-0${month}-${day}T00:00:00.000Z` } : {}),
        }),
      );
    }
    const result = backtestBookForecast({ accounts }, NOW, 90);
    if (!result.backtest) throw new Error(`expected a backtest: ${result.message.en}`);
    const { backtest } = result;
    const lost = accounts.filter((a) => a.status === 'churned').reduce((s, a) => s + (a.arr ?? 0), 0);
    expect(backtest.asOf).toBe('2026-03-03T00:00:00.000Z');
    expect(backtest.arrAtRisk.actual).toBe(lost);
    expect(backtest.months.map((m) => m.month)).toEqual(['2026-03', '2026-04', '2026-05']);
    const due = backtest.months.reduce((s, m) => s + m.arrDue, 0);
    expect(due).toBe(accounts.reduce((s, a) => s + (a.arr ?? 0), 0));
    expect(backtest.months.reduce((s, m) => s + m.actualRenewed, 0)).toBe(due - lost);
    expect(backtest.mape).not.toBeNull();
    expect(backtest.mape as number).toBeGreaterThanOrEqual(0);
  });

  it('says why when no account had ARR and a renewal date then', () => {
    const result = backtestBookForecast({ accounts: [account(1, {})] }, NOW, 90);
    expect(result.backtest).toBeNull();
    if (!result.backtest) expect(result.message.zh).toMatch(/续约/);
  });
});
