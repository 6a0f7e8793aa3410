import { DEFAULT_ALERT_RULES, matchRules, type AlertSignals } from '../alerts/alert-rules';
import { accountVoice, type VoiceText } from './customer-voice';
import { TopicTagger } from './topics/topic-tagger';

const tagger = new TopicTagger();
const asOf = '2026-06-30T00:00:00.000Z';
const text = (daysAgo: number, maskedText: string, label: VoiceText['label'], kind: VoiceText['kind'] = 'ticket'): VoiceText => ({
  accountId: 'a1',
  at: new Date(Date.parse(asOf) - daysAgo * 86_400_000).toISOString(),
  kind,
  score: label === 'negative' ? -0.8 : label === 'positive' ? 0.8 : 0,
  label,
  topics: tagger.tag(maskedText),
  maskedText,
});

describe('accountVoice', () => {
  const texts = [
    text(100, 'Great onboarding session, thanks!', 'positive', 'email'),
    text(70, 'Training went well', 'positive', 'note'),
    text(20, 'We were double charged on the invoice', 'negative'),
    text(10, '发票重复扣费，请尽快退款', 'negative'),
    text(3, 'Billing error again, the invoice is wrong', 'negative'),
    text(1, 'Thanks for the call', 'neutral', 'call'),
  ];
  const v = accountVoice(texts, asOf, (id) => tagger.label(id));

  it('says how many negative tickets were about which topic, in English and Chinese', () => {
    expect(v.voice.reasons[0]).toEqual({
      en: '3 negative tickets about billing in the last 30 days',
      zh: '近 30 天 3 张负面工单，主题：账单',
    });
    expect(v.voice.trend).toBe('worsening');
    expect(v.voice.topTopics[0]).toMatchObject({ id: 'billing', count: 3, negative: 3 });
    expect(v.voice.example?.text).toBe('Billing error again, the invoice is wrong');
  });

  it('ignores texts dated after the as-of date', () => {
    const earlier = accountVoice(texts, new Date(Date.parse(asOf) - 15 * 86_400_000).toISOString(), (id) => tagger.label(id));
    expect(earlier.negativeTopics.find((n) => n.topic === 'billing')?.negative30).toBe(1);
  });

  it('fires the negative-topic alert when a topic turns sour, not on one complaint', () => {
    const signals = (voice: typeof v): AlertSignals => ({
      tenantId: 't',
      accountId: 'a1',
      accountName: 'Acme',
      current: { churnProbability: 0.1, band: 'low', clv: 0, scoredAt: asOf },
      sentiment: voice.sentiment,
      negativeTopics: voice.negativeTopics,
    });
    const fired = matchRules(signals(v), DEFAULT_ALERT_RULES);
    const topic = fired.find((a) => a.rule === 'negative-topic');
    expect(topic?.title).toEqual({ en: 'Acme: negative feedback about billing', zh: 'Acme：关于账单的负面反馈' });
    const calm = accountVoice(texts.slice(0, 3), asOf, (id) => tagger.label(id));
    expect(matchRules(signals(calm), DEFAULT_ALERT_RULES).map((a) => a.rule)).not.toContain('negative-topic');
  });
});
