import { assignFolds, classificationMetrics, collapseNeutral, mapLabels } from './sentiment-evaluation';
import { evaluateSentimentCrossValidated } from './evaluate-sentiment';

describe('label mapping', () => {
  it('reads 0/1, words and stars, deciding once per column', () => {
    expect(mapLabels(['0', '1', '1'])).toEqual({ scheme: 'binary', labels: ['negative', 'positive', 'positive'] });
    expect(mapLabels(['POS', 'neg', 'neutral'])).toEqual({ scheme: 'words', labels: ['positive', 'negative', 'neutral'] });
    expect(mapLabels(['1', '2', '3', '4', '5'])).toEqual({
      scheme: 'stars',
      labels: ['negative', 'negative', 'neutral', 'positive', 'positive'],
    });
  });

  it('names the row and column of a bad label', () => {
    expect(() => mapLabels(['1', 'maybe'], 'score')).toThrow(/column "score", data row 2: label "maybe"/);
    expect(() => mapLabels(['1', '7'], 'stars')).toThrow(/data row 2/);
  });
});

describe('folds', () => {
  it('sends the k-th row of each class to fold k mod n', () => {
    expect(assignFolds(['a', 'a', 'b', 'a', 'b', 'a'], 3)).toEqual([0, 1, 0, 2, 1, 0]);
  });
});

describe('metrics', () => {
  it('computes accuracy and macro-F1 over gold classes', () => {
    const m = classificationMetrics(['p', 'p', 'n', 'n'], ['p', 'n', 'n', 'n']);
    expect(m.accuracy).toBeCloseTo(0.75);
    // p: P=1 R=.5 F=2/3; n: P=2/3 R=1 F=.8
    expect(m.macroF1).toBeCloseTo((2 / 3 + 0.8) / 2);
  });

  it('counts neutral as positive only when gold has no neutral class', () => {
    expect(collapseNeutral('neutral', false)).toBe('positive');
    expect(collapseNeutral('neutral', true)).toBe('neutral');
  });
});

describe('cross-validated evaluation', () => {
  // Generous: the CI machine is shared; nothing here asserts on time.
  jest.setTimeout(60_000);

  const pos = [
    'great service, thank you',
    'love it, works great',
    '非常好，很满意',
    '送餐很快，味道不错',
    'excellent support team',
    '服务热情周到',
  ];
  const neg = [
    'terrible, broken again',
    'slow and rude support',
    '太慢了，很失望',
    '难吃，再也不点了',
    'awful bug, refund please',
    '态度差，不回复',
  ];
  const texts: string[] = [];
  const labels: string[] = [];
  for (let r = 0; r < 4; r++) {
    pos.forEach((t) => {
      texts.push(`${t} ${r}`);
      labels.push('1');
    });
    neg.forEach((t) => {
      texts.push(`${t} ${r}`);
      labels.push('0');
    });
  }

  it('learns repeated phrases in English and Chinese and reports the model', () => {
    const result = evaluateSentimentCrossValidated(texts, labels, 4);
    expect(result.n).toBe(texts.length);
    expect(result.accuracy).toBeGreaterThan(0.9);
    expect(result.model).toMatch(/^builtin\/ngram-logreg@/);
    expect(result.labelScheme).toBe('binary');
  });

  it('is deterministic', () => {
    const a = evaluateSentimentCrossValidated(texts, labels, 4);
    const b = evaluateSentimentCrossValidated(texts, labels, 4);
    expect(b).toEqual(a);
  });
});
