import {
  SuccessEngineError,
  type EmbeddingResult,
  type SentimentResult,
  type TextModel,
  type TextModelRef,
  type TopicResult,
} from '../../core';
import { hashedCounts, weightCounts } from './hashed-features';
import { NgramClassifier } from './ngram-classifier.model';
import type { SentimentClass } from './sentiment-evaluation';
import { hashString } from './text-normalize';

export const BUILTIN_TEXT_REF: TextModelRef = { id: 'builtin/hashed-ngram', version: '1.0.0', backend: 'builtin' };

const EMBEDDING_DIM = 256;
const TOPIC_FEATURES = { bits: 20, charMin: 1, charMax: 3, wordMax: 1 } as const;

/**
 * Topic labels by character-n-gram overlap with the label and hashed n-gram embeddings, English and
 * Chinese, no weights: what runs next to the shipped sentiment transformer when no Hub models are
 * installed. Sentiment only with a tenant-trained n-gram classifier (sentiment otherwise comes
 * from the shipped model, see `openTextModel`).
 */
export class BuiltinTextModel implements TextModel {
  readonly ref: TextModelRef;

  constructor(private readonly classifier?: NgramClassifier) {
    this.ref = classifier ? { id: NgramClassifier.id, version: NgramClassifier.version, backend: 'builtin' } : BUILTIN_TEXT_REF;
  }

  sentiment(texts: readonly string[]): Promise<SentimentResult[]> {
    const classifier = this.classifier;
    if (!classifier)
      return Promise.reject(
        new SuccessEngineError(
          'ENGINE.MODEL_UNAVAILABLE',
          'the built-in text model has no sentiment without a classifier trained on your labels; the shipped sentiment model answers instead (see openTextModel)',
        ),
      );
    return Promise.resolve(texts.map((text) => sentimentOf(classifier, text, this.ref)));
  }

  topics(texts: readonly string[], candidateLabels: readonly string[]): Promise<TopicResult[]> {
    const labelVectors = candidateLabels.map((l) => weightCounts(hashedCounts(l, TOPIC_FEATURES)));
    return Promise.resolve(
      texts.map((text) => {
        const v = weightCounts(hashedCounts(text, TOPIC_FEATURES));
        const sims = labelVectors.map((lv) => sparseDot(v, lv));
        // Softmax over similarities so scores sum to 1, like zero-shot output.
        const exp = sims.map((s) => Math.exp(8 * s));
        const sum = exp.reduce((a, b) => a + b, 0) || 1;
        const labels = candidateLabels.map((label, i) => ({ label, score: (exp[i] as number) / sum })).sort((a, b) => b.score - a.score);
        return { labels, model: this.ref };
      }),
    );
  }

  embed(texts: readonly string[]): Promise<EmbeddingResult[]> {
    return Promise.resolve(
      texts.map((text) => ({ vector: hashedEmbedding(text), model: { ...BUILTIN_TEXT_REF, id: 'builtin/hashed-ngram-embedding' } })),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function sentimentOf(classifier: NgramClassifier, text: string, model: TextModelRef): SentimentResult {
  const p = classifier.predictProba(text);
  const prob = (c: SentimentClass): number => {
    const k = classifier.classes.indexOf(c);
    return k < 0 ? 0 : (p[k] as number);
  };
  return { label: classifier.predict(text) as SentimentClass, score: prob('positive') - prob('negative'), model };
}

/** Signed feature hashing of char 1–3-grams into a small dense unit vector. */
export function hashedEmbedding(text: string): Float32Array {
  const out = new Float32Array(EMBEDDING_DIM);
  const v = weightCounts(hashedCounts(text, TOPIC_FEATURES));
  v.indices.forEach((key, j) => {
    const h = hashString(String(key), 0x9747b28c);
    const sign = h & 1 ? 1 : -1;
    const slot = (h >>> 1) % EMBEDDING_DIM;
    out[slot] = (out[slot] as number) + sign * (v.values[j] as number);
  });
  let norm = 0;
  for (const x of out) norm += x * x;
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / Math.sqrt(norm);
  return out;
}

function sparseDot(a: { indices: Uint32Array; values: Float64Array }, b: { indices: Uint32Array; values: Float64Array }): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const ai = a.indices[i] as number;
    const bj = b.indices[j] as number;
    if (ai === bj) s += (a.values[i++] as number) * (b.values[j++] as number);
    else if (ai < bj) i++;
    else j++;
  }
  return s;
}
