import { ClvScoreSchema } from '../../core';
import { simulateBgNbd } from './bg-nbd.simulator';
import { chooseClvMethod, contractHistory, scoreBookClv, type AccountClvEvidence } from './clv-method';

const day0 = Date.UTC(2024, 0, 1);
const iso = (weeks: number) => new Date(day0 + Math.round(weeks * 7) * 86_400_000).toISOString();
const date = (weeks: number) => iso(weeks).slice(0, 10);

/** Purchase-only accounts drawn from BG/NBD, plus subscription accounts with varied tenure and churn. */
function book(): AccountClvEvidence[] {
  const out: AccountClvEvidence[] = [];
  const sims = simulateBgNbd(
    { r: 0.5, alpha: 4, a: 0.8, b: 2.5 },
    { customers: 400, calibrationWeeks: 52, cohortWeeks: 26, seed: 4, spend: { p: 5, q: 4, gamma: 20 } },
  );
  sims.forEach((s, i) => {
    const first = 52 - s.T;
    const transactions = [{ kind: 'order' as const, amount: 30, occurredAt: iso(first) }];
    for (let k = 1; k <= s.x; k++)
      transactions.push({ kind: 'order', amount: s.monetary, occurredAt: iso(first + (k === s.x ? s.tx : (s.tx * k) / s.x)) });
    out.push({ accountId: `p${i}`, subscriptions: [], transactions, currency: 'USD' });
  });
  for (let i = 0; i < 200; i++) {
    const startMonth = i % 24;
    const lifetime = 1 + ((i * 7) % 30);
    const start = new Date(Date.UTC(2023, startMonth, 1));
    const end = new Date(Date.UTC(2023, startMonth + lifetime, 1));
    const churned = end.getTime() <= Date.UTC(2025, 0, 1) && i % 3 !== 0;
    out.push({
      accountId: `s${i}`,
      subscriptions: [
        {
          status: churned ? 'cancelled' : 'active',
          startDate: start.toISOString().slice(0, 10),
          ...(churned ? { endDate: end.toISOString().slice(0, 10) } : {}),
          billingPeriod: 'monthly',
          mrr: 100 + i,
        },
      ],
      transactions: [],
      ...(i % 2 ? { churnProbability: (i % 10) / 10 } : {}),
      currency: 'USD',
    });
  }
  out.push({ accountId: 'empty', subscriptions: [], transactions: [], currency: 'USD' });
  return out;
}

describe('CLV method choice', () => {
  it('values subscribers contractually, buyers with BG/NBD, and records why', () => {
    const sub = chooseClvMethod(
      { subscriptions: [{ status: 'active', startDate: '2024-01-01', billingPeriod: 'annual', mrr: 10 }], transactions: [] },
      { contractual: true, nonContractual: true },
    );
    expect(sub.method).toBe('contractual');
    const buyer = chooseClvMethod(
      { subscriptions: [], transactions: [{ kind: 'order', amount: 5, occurredAt: '2024-01-01T00:00:00Z' }] },
      { contractual: true, nonContractual: true },
    );
    expect(buyer.method).toBe('non-contractual');
    expect(buyer.reason.zh.length).toBeGreaterThan(0);
    const fallback = chooseClvMethod(
      {
        subscriptions: [{ status: 'active', startDate: '2024-01-01', billingPeriod: 'annual', mrr: 10 }],
        transactions: [{ kind: 'invoice', amount: 5, occurredAt: '2024-01-01T00:00:00Z' }],
      },
      { contractual: false, nonContractual: true },
    );
    expect(fallback.method).toBe('non-contractual');
    expect(
      chooseClvMethod(
        { subscriptions: [], transactions: [{ kind: 'refund', amount: -5, occurredAt: '2024-01-01T00:00:00Z' }] },
        { contractual: true, nonContractual: true },
      ).method,
    ).toBe('none');
  });

  it('turns subscriptions into whole billing periods with a start-quarter cohort', () => {
    const asOf = Math.floor(Date.UTC(2025, 0, 15) / 86_400_000);
    const h = contractHistory([{ status: 'active', startDate: '2024-02-10', billingPeriod: 'quarterly', mrr: 50 }], asOf);
    expect(h).toMatchObject({ periods: 3, churned: false, cohort: '2024-Q1', periodMonths: 3, mrr: 50 });
    const gone = contractHistory(
      [{ status: 'cancelled', startDate: '2024-01-01', endDate: '2024-04-01', billingPeriod: 'monthly', mrr: 50 }],
      asOf,
    );
    expect(gone).toMatchObject({ periods: 3, churned: true });
    expect(contractHistory([{ status: 'trial', startDate: '2024-01-01', billingPeriod: 'monthly', mrr: 0 }], asOf)).toBeUndefined();
  });

  it('scores a mixed book: every valued account gets a valid ClvScore carrying its method', () => {
    const results = scoreBookClv(book(), { asOf: date(52), horizonMonths: 12, monthlyDiscountRate: 0.01, draws: 20 });
    const methods = new Map(results.map((r) => [r.accountId, r.score?.method ?? r.choice.method]));
    expect(methods.get('p0')).toBe('non-contractual');
    expect(methods.get('s0')).toBe('contractual');
    expect(methods.get('empty')).toBe('none');
    for (const r of results) if (r.score) expect(ClvScoreSchema.safeParse(r.score).success).toBe(true);
    const active = results.filter((r) => r.accountId.startsWith('s') && r.score && r.score.point > 0);
    expect(active.length).toBeGreaterThan(10);
  });
});
