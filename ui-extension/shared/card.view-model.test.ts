import { CardViewSchema, STALE_AFTER_HOURS, buildCardView } from './card.view-model';
import type { AccountId, ScoreSet, TenantId } from '../../core';
import type { CanonicalRecordByEntity } from '../../core';

const tenantId = 't1' as TenantId;
const accountId = 'hubspot:42' as AccountId;
const account = {
  tenantId,
  id: accountId,
  name: 'Acme <b>Corp</b>',
  status: 'active',
  ownerName: 'Ada',
  source: { provider: 'hubspot', externalId: '42', modstamp: '2026-10-01T00:00:00Z' },
  dataHash: 'a'.repeat(64),
  attributes: {},
} as CanonicalRecordByEntity['account'];

function score(computedAt: string, probability: number, extra: Partial<ScoreSet> = {}): ScoreSet {
  return {
    tenantId,
    accountId,
    computedAt,
    modelVersion: 'run-1',
    churn: {
      probability,
      band: probability > 0.5 ? 'high' : 'low',
      model: { name: 'churn', version: 'v3', kind: 'learned' },
      drivers: [
        { feature: 'a', contribution: 2, direction: 'raises', text: { en: 'small', zh: '小' } },
        { feature: 'b', contribution: -9.04, direction: 'lowers', text: { en: 'big', zh: '大' } },
      ],
    },
    nextBestActions: [
      { actionId: 'training', rank: 2, score: 1, title: { en: 'Training', zh: '培训' }, reasons: [{ en: 'r', zh: 'r' }] },
      { actionId: 'exec-call', rank: 1, score: 2, title: { en: 'Call', zh: '电话' }, reasons: [{ en: 'r', zh: 'r' }] },
    ],
    ...extra,
  };
}

describe('buildCardView', () => {
  const now = new Date('2026-10-02T00:00:00Z');

  it('shows the newest score, drivers by size, actions by rank, and a rising trend', () => {
    const view = buildCardView({ account, history: [score('2026-10-01T12:00:00Z', 0.62), score('2026-09-30T12:00:00Z', 0.4)], now });
    expect(CardViewSchema.parse(view)).toEqual(view);
    expect(view.churn?.percent).toBe(62);
    expect(view.churn?.drivers.map((d) => d.points)).toEqual([-9, 2]);
    expect(view.actions.map((a) => a.actionId)).toEqual(['exec-call', 'training']);
    expect(view.churn?.trend).toMatchObject({ direction: 'rising', changePoints: 22 });
    expect(view.churn?.trend.points.map((p) => p.probability)).toEqual([0.4, 0.62]);
    expect(view.freshness).toMatchObject({ ageHours: 12, stale: false });
    expect(view.account.name).toBe('Acme <b>Corp</b>');
  });

  it('reads small moves as steady and a single score as new', () => {
    expect(
      buildCardView({ account, history: [score('2026-10-01T00:00:00Z', 0.41), score('2026-09-30T00:00:00Z', 0.4)], now }).churn?.trend
        .direction,
    ).toBe('steady');
    expect(buildCardView({ account, history: [score('2026-10-01T00:00:00Z', 0.41)], now }).churn?.trend.direction).toBe('new');
  });

  it('flags stale scores and accounts that were never scored', () => {
    const old = new Date(Date.parse('2026-10-01T00:00:00Z') - (STALE_AFTER_HOURS + 1) * 3_600_000).toISOString();
    expect(buildCardView({ account, history: [score(old, 0.3)], now: new Date('2026-10-01T00:00:00Z') }).freshness.stale).toBe(true);
    const empty = buildCardView({ account, history: [], now });
    expect(empty).toMatchObject({ churn: null, clv: null, actions: [], freshness: { stale: true, computedAt: null } });
  });
});

describe('a card a rep can trust', () => {
  const now = new Date('2026-10-02T00:00:00Z');
  const clv = {
    point: 120,
    p10: 40,
    p50: 40,
    p90: 2400,
    ifRetained: 900,
    currency: 'USD',
    horizonMonths: 36,
    method: 'contractual' as const,
    model: { name: 'sbg', version: 'v1', kind: 'sbg' as const },
  };

  it('never shows 0 % or 100 %, and calls the top band "very high"', () => {
    const top = buildCardView({
      account,
      history: [
        score('2026-10-01T12:00:00Z', 0.9996, {
          churn: { probability: 0.9996, band: 'critical', drivers: [], model: { name: 'c', version: '1', kind: 'learned' } },
        }),
      ],
      now,
    });
    expect(top.churn).toMatchObject({ percent: 99, percentText: '>99%', bandLabel: { en: 'Very high', zh: '很高' } });
    const bottom = buildCardView({ account, history: [score('2026-10-01T12:00:00Z', 0.0004)], now });
    expect(bottom.churn).toMatchObject({ percent: 1, percentText: '<1%' });
    expect(CardViewSchema.parse(top)).toEqual(top);
  });

  it('tells value as one story: worth if retained, expected at today’s risk, and what it may really pay', () => {
    const view = buildCardView({ account, history: [score('2026-10-01T12:00:00Z', 0.8, { clv })], now });
    expect(view.clv?.summary.en).toBe(
      'Worth 900 USD over 36 months if retained; at today’s risk expect 120 USD: it may really pay 40 USD – 2,400 USD (80% range).',
    );
    expect(view.clv?.summary.zh).toBe(
      '若留存，未来 36 个月价值 900 USD；按当前风险预期 120 USD，实际可能支付 40 USD – 2,400 USD（80% 区间）。',
    );
    expect(view.clv).toMatchObject({ ifRetained: 900, intervalKind: 'outcome' });
  });

  it('says once what is missing, and why there is no action', () => {
    const base = score('2026-10-01T12:00:00Z', 0.5);
    const view = buildCardView({
      account,
      history: [
        {
          ...base,
          churn: {
            ...base.churn,
            missing: [
              { feature: 'nps', label: { en: 'NPS', zh: '净推荐值' } },
              { feature: 'billed_trend', label: { en: 'Billing trend', zh: '账单趋势' } },
            ],
          },
          nextBestActions: [],
          noActionReason: { en: 'capacity', zh: '容量' },
        },
      ],
      now,
    });
    expect(view.churn?.missing).toEqual({
      en: 'Not known for this account: NPS, Billing trend',
      zh: '该客户缺少的数据：净推荐值、账单趋势',
    });
    expect(view.noActionReason).toEqual({ en: 'capacity', zh: '容量' });
  });

  it('names the segment of the latest score, and none before segments exist', () => {
    const segment = { id: 'seg-low-value-high-risk', name: { en: 'low value, high risk', zh: '低价值，高风险' } };
    const now = new Date('2026-10-02T00:00:00Z');
    const base = score('2026-10-01T12:00:00Z', 0.5);
    const older = score('2026-10-01T00:00:00Z', 0.4);
    expect(buildCardView({ account, history: [{ ...base, segment }, older], now }).segment).toEqual(segment);
    expect(buildCardView({ account, history: [base, { ...older, segment }], now }).segment).toBeNull();
    expect(CardViewSchema.parse(buildCardView({ account, history: [{ ...base, segment }], now })).segment?.name.zh).toBe('低价值，高风险');
  });
});
