import { textChurnFeatures, type ScoredText } from './text-churn-features';

const t = (accountId: string, daysAgo: number, score: number, kind: ScoredText['kind'] = 'email', topics: string[] = []): ScoredText => ({
  accountId,
  at: new Date(Date.parse('2026-06-30T00:00:00Z') - daysAgo * 86_400_000).toISOString(),
  kind,
  score,
  label: score < -0.2 ? 'negative' : score > 0.2 ? 'positive' : 'neutral',
  topics,
});

describe('text churn features', () => {
  const asOf = '2026-06-30T00:00:00Z';

  it('rolls sentiment over 30 and 90 days and ignores text after asOf', () => {
    const [f] = textChurnFeatures([t('a', 5, -0.5), t('a', 20, 0.5), t('a', 60, 0.9), t('a', 120, -1), t('a', -3, -1)], asOf);
    expect(f?.textCount30).toBe(2);
    expect(f?.textCount90).toBe(3);
    expect(f?.sentimentMean30).toBeCloseTo(0);
    expect(f?.sentimentMin30).toBeCloseTo(-0.5);
    expect(f?.sentimentMin90).toBeCloseTo(-0.5);
    expect(f?.sentimentMean90).toBeCloseTo(0.3);
  });

  it('reports a falling trend as negative, per 30 days', () => {
    const [f] = textChurnFeatures([t('a', 80, 0.8), t('a', 50, 0.5), t('a', 20, 0.2)], asOf);
    expect(f?.sentimentTrend90).toBeCloseTo(-0.3);
  });

  it('computes the negative ticket share and topic flags; null when there is nothing', () => {
    const feats = textChurnFeatures([t('a', 3, -0.9, 'ticket', ['billing']), t('a', 10, 0.9, 'ticket'), t('b', 200, 0.1)], asOf, [
      'billing',
      'outage',
    ]);
    expect(feats.map((f) => f.accountId)).toEqual(['a', 'b']);
    expect(feats[0]?.negativeTicketShare90).toBeCloseTo(0.5);
    expect(feats[0]?.topicFlags).toEqual({ billing: true, outage: false });
    expect(feats[1]).toMatchObject({ sentimentMean30: null, sentimentTrend90: null, negativeTicketShare90: null, textCount90: 0 });
  });

  it('names a bad date', () => {
    expect(() => textChurnFeatures([{ ...t('a', 1, 0), at: 'yesterday' }], asOf)).toThrow(/account a.*"yesterday"/);
  });
});
