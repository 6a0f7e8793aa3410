import type { LocalizedText } from '../model/common.schema';

/** Which model produced an output: every text result says so. */
export interface TextModelRef {
  id: string;
  version: string;
  backend: 'transformers' | 'builtin';
  dtype?: string;
}

export interface SentimentResult {
  label: 'positive' | 'neutral' | 'negative';
  /** -1 (negative) … +1 (positive). */
  score: number;
  model: TextModelRef;
}

export interface TopicResult {
  labels: { label: string; score: number }[];
  model: TextModelRef;
}

export interface EmbeddingResult {
  vector: Float32Array;
  model: TextModelRef;
}

/** Local text understanding; implementations must never send text off the machine. */
export interface TextModel {
  readonly ref: TextModelRef;
  sentiment(texts: readonly string[]): Promise<SentimentResult[]>;
  topics(texts: readonly string[], candidateLabels: readonly string[]): Promise<TopicResult[]>;
  embed(texts: readonly string[]): Promise<EmbeddingResult[]>;
  close(): Promise<void>;
}

export type { LocalizedText };
