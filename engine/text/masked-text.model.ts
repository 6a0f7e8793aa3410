import type { EmbeddingResult, SentimentResult, TextModel, TextModelRef, TopicResult } from '../../core';
import { PiiMasker } from './pii-masking';

/** Any TextModel behind PII masking: the wrapped model only ever sees masked text. */
export class MaskedTextModel implements TextModel {
  constructor(
    private readonly inner: TextModel,
    private readonly masker: PiiMasker = new PiiMasker(),
  ) {}

  get ref(): TextModelRef {
    return this.inner.ref;
  }

  sentiment(texts: readonly string[]): Promise<SentimentResult[]> {
    return this.inner.sentiment(this.masker.maskAll(texts));
  }

  topics(texts: readonly string[], candidateLabels: readonly string[]): Promise<TopicResult[]> {
    return this.inner.topics(this.masker.maskAll(texts), candidateLabels);
  }

  embed(texts: readonly string[]): Promise<EmbeddingResult[]> {
    return this.inner.embed(this.masker.maskAll(texts));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
