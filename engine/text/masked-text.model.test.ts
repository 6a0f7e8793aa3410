import type { EmbeddingResult, SentimentResult, TextModel, TopicResult } from '../../core';
import { BUILTIN_TEXT_REF } from './builtin-text.model';
import { MaskedTextModel } from './masked-text.model';
import { PiiMasker } from './pii-masking';

class RecordingModel implements TextModel {
  readonly ref = BUILTIN_TEXT_REF;
  seen: string[] = [];
  sentiment(texts: readonly string[]): Promise<SentimentResult[]> {
    this.seen.push(...texts);
    return Promise.resolve(texts.map(() => ({ label: 'neutral', score: 0, model: this.ref })));
  }
  topics(texts: readonly string[]): Promise<TopicResult[]> {
    this.seen.push(...texts);
    return Promise.resolve(texts.map(() => ({ labels: [], model: this.ref })));
  }
  embed(texts: readonly string[]): Promise<EmbeddingResult[]> {
    this.seen.push(...texts);
    return Promise.resolve(texts.map(() => ({ vector: new Float32Array(1), model: this.ref })));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

it('the wrapped model never sees emails, phones or CRM names', async () => {
  const inner = new RecordingModel();
  const model = new MaskedTextModel(inner, new PiiMasker(['Li Wei']));
  const text = 'Li Wei (li.wei@example.cn, +86 138 0013 8000) says the export is broken';
  await model.sentiment([text]);
  await model.topics([text], ['bug']);
  await model.embed([text]);
  expect(inner.seen).toHaveLength(3);
  for (const seen of inner.seen) {
    expect(seen).toBe('[name] ([email], [phone]) says the export is broken');
  }
  expect(model.ref).toBe(inner.ref);
});
