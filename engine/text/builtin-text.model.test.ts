import { BuiltinTextModel } from './builtin-text.model';
import { NgramClassifier } from './ngram-classifier.model';

describe('built-in text model', () => {
  it('names its model on every output', async () => {
    const model = new BuiltinTextModel();
    const [t] = await model.topics(['billing'], ['billing', 'delivery']);
    const [e] = await model.embed(['hello']);
    expect(t?.model).toMatchObject({ id: 'builtin/hashed-ngram', backend: 'builtin' });
    expect(e?.model.id).toBe('builtin/hashed-ngram-embedding');
  });

  it('has no sentiment of its own without a trained classifier (the shipped model answers)', async () => {
    await expect(new BuiltinTextModel().sentiment(['很好'])).rejects.toMatchObject({ code: 'ENGINE.MODEL_UNAVAILABLE' });
  });

  it('ranks the topic label that shares words with the text first; scores sum to 1', async () => {
    const [r] = await new BuiltinTextModel().topics(
      ['The invoice total on our billing page is wrong'],
      ['delivery speed', 'billing and invoices', 'login'],
    );
    expect(r?.labels[0]?.label).toBe('billing and invoices');
    expect(r?.labels.reduce((a, l) => a + l.score, 0)).toBeCloseTo(1);
  });

  it('embeds to unit vectors where similar text is closer than unrelated text', async () => {
    const [a, b, c] = await new BuiltinTextModel().embed(['送餐太慢了', '送餐很慢', 'invoice is wrong']);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * (y[i] as number), 0);
    expect(dot(a!.vector, a!.vector)).toBeCloseTo(1, 5);
    expect(dot(a!.vector, b!.vector)).toBeGreaterThan(dot(a!.vector, c!.vector));
  });

  it('uses a trained classifier when given one, and says so', async () => {
    const texts = ['love it', 'great app', 'hate it', 'awful app', '很喜欢', '太差了'];
    const labels = ['positive', 'positive', 'negative', 'negative', 'positive', 'negative'];
    const model = new BuiltinTextModel(NgramClassifier.train(texts, labels));
    const [s] = await model.sentiment(['love this great app']);
    expect(s?.label).toBe('positive');
    expect(s?.score).toBeGreaterThan(0);
    expect(s?.model.id).toBe('builtin/ngram-logreg');
  });
});
