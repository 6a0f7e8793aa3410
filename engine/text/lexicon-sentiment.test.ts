import { lexiconSentiment } from './lexicon-sentiment';

describe('lexicon sentiment', () => {
  it.each([
    ['The support team was excellent and very helpful', 'positive'],
    ['The app keeps crashing, terrible experience', 'negative'],
    ['This is not good', 'negative'],
    ['it is n\'t bad at all', 'positive'],
    ['送餐很快，味道不错', 'positive'],
    ['太慢了，饭都凉了', 'negative'],
    ['不好吃', 'negative'],
    ['没有问题', 'positive'],
    ['The meeting is on Tuesday', 'neutral'],
  ])('%s → %s', (text, label) => {
    expect(lexiconSentiment(text).label).toBe(label);
  });

  it('weighs the clause after "but" / 但是 more', () => {
    expect(lexiconSentiment('good price but terrible support').label).toBe('negative');
    expect(lexiconSentiment('价格便宜，但是太难吃').label).toBe('negative');
  });

  it('keeps the score within -1..1', () => {
    const s = lexiconSentiment('excellent amazing perfect wonderful fantastic great love');
    expect(s.score).toBeGreaterThan(0.9);
    expect(s.score).toBeLessThanOrEqual(1);
  });
});
