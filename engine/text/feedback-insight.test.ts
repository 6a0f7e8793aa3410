import { hashedEmbedding } from './builtin-text.model';
import { clusterFeedback, negativeSpikes, periodStart, topicTrends, type FeedbackItem } from './feedback-insight';
import { PiiMasker } from './pii-masking';

describe('feedback insight', () => {
  const texts = [
    'The invoice was wrong again, billing charged twice',
    'Billing charged us twice on the invoice',
    'Wrong invoice amount, billing please fix, mail ann@example.com',
    '送餐太慢了，等了一个小时',
    '送餐很慢，等了一个多小时',
    '太慢了，送餐等了很久',
  ];
  const items: FeedbackItem[] = texts.map((text, i) => ({
    id: `f${i}`,
    accountId: 'a',
    at: '2026-05-01',
    text,
    vector: hashedEmbedding(text),
    label: i < 3 ? 'negative' : 'neutral',
  }));

  it('groups similar feedback deterministically and keeps masked quotes', () => {
    const a = clusterFeedback(items, 2, new PiiMasker());
    const b = clusterFeedback(items, 2, new PiiMasker());
    expect(b).toEqual(a);
    const sets = a.map((c) => [...c.memberIds].sort().join(','));
    expect(sets.sort()).toEqual(['f0,f1,f2', 'f3,f4,f5']);
    const billing = a.find((c) => c.memberIds.includes('f0'));
    expect(billing?.negativeShare).toBe(1);
    expect(billing?.keywords).toContain('billing');
    expect(billing?.quotes.join(' ')).not.toContain('ann@example.com');
  });

  it('buckets trends by ISO week (Monday) and month', () => {
    expect(periodStart('2026-05-07T10:00:00Z', 'week')).toBe('2026-05-04');
    expect(periodStart('2026-05-07T10:00:00Z', 'month')).toBe('2026-05-01');
    const trends = topicTrends(
      [
        { at: '2026-05-04', topic: 'billing', label: 'negative' },
        { at: '2026-05-06', topic: 'billing', label: 'positive' },
        { at: '2026-05-12', topic: 'billing', label: 'negative' },
      ],
      'week',
    );
    expect(trends).toEqual([
      { topic: 'billing', period: '2026-05-04', count: 2, negative: 1 },
      { topic: 'billing', period: '2026-05-11', count: 1, negative: 1 },
    ]);
  });

  it('flags a spike of negative comments against the topic baseline, in both languages', () => {
    const points = ['2026-03-02', '2026-03-09', '2026-03-16', '2026-03-23'].map((period, i) => ({
      topic: 'delivery',
      period,
      count: 10,
      negative: i === 3 ? 9 : 1,
    }));
    const spikes = negativeSpikes(points);
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ topic: 'delivery', period: '2026-03-23', negative: 9 });
    expect(spikes[0]?.reason.zh).toContain('delivery');
    expect(negativeSpikes(points.map((p) => ({ ...p, negative: 2 })))).toEqual([]);
  });
});
