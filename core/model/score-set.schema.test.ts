import { ScoreSetSchema } from '..';
import { describeIssues } from '../validation';

const valid = {
  tenantId: 'acme',
  accountId: 'hubspot:42',
  computedAt: '2026-11-28T00:00:00Z',
  churn: {
    probability: 0.31,
    band: 'high',
    drivers: [
      {
        feature: 'tickets_30d',
        contribution: 12,
        direction: 'raises',
        value: 9,
        text: { en: 'Support tickets up 3× in 30 days (+12 pts)', zh: '30 天内工单增至 3 倍（+12 个百分点）' },
      },
    ],
    model: { name: 'churn-gbdt', version: '2026-11-01.1', kind: 'learned' },
  },
  clv: {
    point: 5200,
    p10: 3100,
    p50: 5000,
    p90: 8800,
    currency: 'USD',
    horizonMonths: 36,
    method: 'contractual',
    model: { name: 'sbg', version: '1', kind: 'sbg' },
  },
  nextBestActions: [
    {
      actionId: 'business-review',
      rank: 1,
      score: 840,
      title: { en: 'Business review', zh: '业务回顾' },
      reasons: [{ en: 'Renewal in 45 days', zh: '45 天后续约' }],
    },
  ],
  modelVersion: 'run-2026-11-28',
};

describe('ScoreSet', () => {
  it('accepts a full score set', () => {
    expect(ScoreSetSchema.parse(valid).churn.drivers[0]?.direction).toBe('raises');
  });

  it.each([
    [{ churn: { ...valid.churn, probability: 1.2 } }, 'churn.probability'],
    [{ churn: { ...valid.churn, band: 'amber' } }, 'churn.band'],
    [{ clv: { ...valid.clv, p10: 6000 } }, 'clv.p50'],
    [{ nextBestActions: [{ ...valid.nextBestActions[0], reasons: [] }] }, 'nextBestActions.0.reasons'],
    [{ churn: { ...valid.churn, drivers: [{ ...valid.churn.drivers[0], text: { en: 'only English' } }] } }, 'churn.drivers.0.text.zh'],
  ])('rejects %j at %s', (patch, path) => {
    const result = ScoreSetSchema.safeParse({ ...valid, ...patch });
    expect(result.success).toBe(false);
    if (!result.success) expect(describeIssues(result.error).map((i) => i.path)).toContain(path);
  });
});
