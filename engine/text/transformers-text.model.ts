import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  SuccessEngineError,
  type EmbeddingResult,
  type SentimentResult,
  type TextModel,
  type TextModelRef,
  type TopicResult,
} from '../../core';
import { InProcessInferencer, type BatchInferencer, type RawBatchOutput } from './batch-inferencer';
import { DEFAULT_TEXT_MODELS, onnxFileFor, type ModelDtype, type TextTask } from './model-files';
import { WorkerPoolInferencer } from './worker-pool.inferencer';

export interface TransformersTextModelOptions {
  /** Folder holding `<id>/config.json`, `<id>/onnx/…`; also the download cache. */
  modelsDir: string;
  allowRemoteModels: boolean;
  models?: Partial<Record<TextTask, string>>;
  dtype?: ModelDtype;
  batchSize?: number;
  /** ONNX Runtime intra-op threads per session; defaults to the runtime's choice (all cores). */
  threads?: number;
  /** Most results kept in the text-hash cache per task. */
  cacheSize?: number;
  /** Worker threads running batches in parallel; 0 runs in this thread. */
  workers?: number;
}

/**
 * TextModel on transformers.js (ONNX Runtime, CPU). Text never leaves the process: with
 * `allowRemoteModels` false only `modelsDir` is read. Results are cached by a hash of (task,
 * model, dtype, text), so re-scoring unchanged notes costs nothing; the rest runs in batches.
 */
export class TransformersTextModel implements TextModel {
  readonly ref: TextModelRef;
  private readonly models: Record<TextTask, string>;
  private readonly dtype: ModelDtype;
  private readonly batchSize: number;
  private readonly cacheSize: number;
  private readonly inferencer: BatchInferencer;
  private readonly cache = new Map<string, unknown>();
  private readonly refs = new Map<TextTask, TextModelRef>();
  /** Texts actually sent through a model (cache misses), for callers and tests. */
  inferredCount = 0;

  constructor(private readonly options: TransformersTextModelOptions) {
    this.models = { ...DEFAULT_TEXT_MODELS, ...options.models };
    this.dtype = options.dtype ?? 'q8';
    this.batchSize = options.batchSize ?? 32;
    this.cacheSize = options.cacheSize ?? 50_000;
    this.ref = this.refFor('sentiment');
    const settings = {
      modelsDir: options.modelsDir,
      allowRemoteModels: options.allowRemoteModels,
      models: this.models,
      dtype: this.dtype,
      threads: options.threads,
    };
    this.inferencer = options.workers ? new WorkerPoolInferencer(settings, options.workers) : new InProcessInferencer(settings);
  }

  refFor(task: TextTask): TextModelRef {
    let ref = this.refs.get(task);
    if (!ref) {
      ref = {
        id: this.models[task],
        version: modelVersion(this.options.modelsDir, this.models[task], this.dtype),
        backend: 'transformers',
        dtype: this.dtype,
      };
      this.refs.set(task, ref);
    }
    return ref;
  }

  /** Runs `infer` on the texts not in the cache, in batches, and returns results in input order. */
  private async cached<R>(task: TextTask, salt: string, texts: readonly string[], infer: (batch: string[]) => Promise<R[]>): Promise<R[]> {
    const ref = this.refFor(task);
    const keys = texts.map((text) =>
      createHash('sha256')
        .update(`${task}\u0000${ref.id}\u0000${ref.version}\u0000${this.dtype}\u0000${salt}\u0000${text}`)
        .digest('base64'),
    );
    const todo = new Map<string, string>();
    keys.forEach((key, i) => {
      if (!this.cache.has(key)) todo.set(key, texts[i] as string);
    });
    const pending = [...todo.entries()];
    const batches: [string, string][][] = [];
    for (let start = 0; start < pending.length; start += this.batchSize) batches.push(pending.slice(start, start + this.batchSize));
    // As many batches in flight as the inferencer has workers.
    for (let wave = 0; wave < batches.length; wave += this.inferencer.concurrency) {
      await Promise.all(
        batches.slice(wave, wave + this.inferencer.concurrency).map(async (batch) => {
          const results = await infer(batch.map(([, text]) => text));
          this.inferredCount += batch.length;
          batch.forEach(([key], i) => this.remember(key, results[i]));
        }),
      );
    }
    return keys.map((key) => this.cache.get(key) as R);
  }

  private remember(key: string, value: unknown): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(key, value);
  }

  async sentiment(texts: readonly string[]): Promise<SentimentResult[]> {
    const ref = this.refFor('sentiment');
    return this.cached('sentiment', '', texts, async (batch) => {
      const out = (await this.inferencer.run('sentiment', batch)) as Extract<RawBatchOutput, { task: 'sentiment' }>;
      return out.scores.map((scores) => toSentiment(scores, ref));
    });
  }

  async topics(texts: readonly string[], candidateLabels: readonly string[]): Promise<TopicResult[]> {
    if (candidateLabels.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'topics need at least one candidate label');
    const ref = this.refFor('topics');
    return this.cached('topics', candidateLabels.join('\u0001'), texts, async (batch) => {
      const out = ((await this.inferencer.run('topics', batch, candidateLabels)) as Extract<RawBatchOutput, { task: 'topics' }>).results;
      return out.map((r) => ({ labels: r.labels.map((label, i) => ({ label, score: r.scores[i] ?? 0 })), model: ref }));
    });
  }

  async embed(texts: readonly string[]): Promise<EmbeddingResult[]> {
    const ref = this.refFor('embeddings');
    return this.cached('embeddings', '', texts, async (batch) => {
      const tensor = (await this.inferencer.run('embeddings', batch)) as Extract<RawBatchOutput, { task: 'embeddings' }>;
      const dim = tensor.dims[1] ?? 0;
      return batch.map((_, i) => ({ vector: tensor.data.slice(i * dim, (i + 1) * dim), model: ref }));
    });
  }

  async close(): Promise<void> {
    await this.inferencer.close();
    this.cache.clear();
  }
}

/** Maps a classifier's labels (positive/neg/LABEL_1/"4 stars") onto our three classes. */
export function sentimentClassOf(label: string, labelCount: number): SentimentResult['label'] {
  const l = label.toLowerCase();
  if (l.startsWith('pos')) return 'positive';
  if (l.startsWith('neg')) return 'negative';
  if (l.startsWith('neu')) return 'neutral';
  const stars = /^([1-5]) stars?$/.exec(l);
  if (stars) {
    const n = Number(stars[1]);
    return n <= 2 ? 'negative' : n === 3 ? 'neutral' : 'positive';
  }
  const id = /^label_(\d+)$/.exec(l);
  if (id) {
    const k = Number(id[1]);
    if (labelCount === 2) return k === 1 ? 'positive' : 'negative';
    return k === 0 ? 'negative' : k === labelCount - 1 ? 'positive' : 'neutral';
  }
  return 'neutral';
}

function toSentiment(scores: readonly { label: string; score: number }[], model: TextModelRef): SentimentResult {
  const by: Record<SentimentResult['label'], number> = { positive: 0, neutral: 0, negative: 0 };
  for (const s of scores) by[sentimentClassOf(s.label, scores.length)] += s.score;
  const label = (Object.keys(by) as SentimentResult['label'][]).reduce((a, b) => (by[b] > by[a] ? b : a));
  return { label, score: by.positive - by.negative, model };
}

/**
 * A short fingerprint of the local files, so a swapped model shows up as a new version. It hashes
 * the weights themselves (a retrained model of the same shape has the same size), once per file
 * and modification time: the weights of a Hub model run to hundreds of MB.
 */
export function modelVersion(modelsDir: string, id: string, dtype: ModelDtype): string {
  const folder = path.join(modelsDir, id);
  const config = path.join(folder, 'config.json');
  const onnx = path.join(folder, onnxFileFor(dtype));
  if (!existsSync(config) || !existsSync(onnx)) return 'remote:main';
  return createHash('sha256').update(readFileSync(config)).update(weightsDigest(onnx)).digest('hex').slice(0, 12);
}

const weightDigests = new Map<string, string>();

function weightsDigest(file: string): string {
  const st = statSync(file);
  const key = `${file}:${st.size}:${st.mtimeMs}`;
  let digest = weightDigests.get(key);
  if (digest === undefined) {
    digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    weightDigests.set(key, digest);
  }
  return digest;
}
