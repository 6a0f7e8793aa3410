import type { EmbeddingResult, SentimentResult, TextModel, TextModelRef, TopicResult } from '../../core';

/**
 * Sentiment from one model, topics and embeddings from another: the shipped sentiment transformer
 * next to the built-in topic/embedding model when no Hub models are installed.
 */
export class SplitTextModel implements TextModel {
  readonly ref: TextModelRef;

  constructor(
    private readonly sentimentModel: TextModel,
    private readonly otherModel: TextModel,
  ) {
    this.ref = sentimentModel.ref;
  }

  sentiment(texts: readonly string[]): Promise<SentimentResult[]> {
    return this.sentimentModel.sentiment(texts);
  }

  topics(texts: readonly string[], candidateLabels: readonly string[]): Promise<TopicResult[]> {
    return this.otherModel.topics(texts, candidateLabels);
  }

  embed(texts: readonly string[]): Promise<EmbeddingResult[]> {
    return this.otherModel.embed(texts);
  }

  async close(): Promise<void> {
    await Promise.all([this.sentimentModel.close(), this.otherModel.close()]);
  }
}
