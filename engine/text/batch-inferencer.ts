import path from 'node:path';
import { SuccessEngineError } from '../../core';
import type { ModelDtype, TextTask } from './model-files';
// Types only: the .d.ts files are ESM, the runtime is the package's CommonJS build.
import type * as TransformersModule from '@huggingface/transformers' with { 'resolution-mode': 'import' };

type Transformers = typeof TransformersModule;
type AnyPipeline = (input: unknown, ...rest: unknown[]) => Promise<unknown>;

/** What a pipeline returns for one batch, as plain data (it may cross a worker boundary). */
export type RawBatchOutput =
  | { task: 'sentiment'; scores: { label: string; score: number }[][] }
  | { task: 'topics'; results: { labels: string[]; scores: number[] }[] }
  | { task: 'embeddings'; dims: number[]; data: Float32Array };

export interface InferencerSettings {
  modelsDir: string;
  allowRemoteModels: boolean;
  models: Record<TextTask, string>;
  dtype: ModelDtype;
  /** ONNX Runtime intra-op threads per session; undefined lets the runtime choose. */
  threads: number | undefined;
}

/** Runs one batch through one task's pipeline. */
export interface BatchInferencer {
  /** How many batches may be in flight at once. */
  readonly concurrency: number;
  run(task: TextTask, batch: readonly string[], candidateLabels?: readonly string[]): Promise<RawBatchOutput>;
  close(): Promise<void>;
}

export const PIPELINE_TASK: Record<TextTask, string> = {
  sentiment: 'text-classification',
  topics: 'zero-shot-classification',
  embeddings: 'feature-extraction',
};

export function modelUnavailable(settings: InferencerSettings, task: TextTask, error: unknown): SuccessEngineError {
  const id = settings.models[task];
  return new SuccessEngineError(
    'ENGINE.MODEL_UNAVAILABLE',
    `cannot load ${task} model "${id}" (${settings.dtype}) from ${path.join(settings.modelsDir, id)}${settings.allowRemoteModels ? ' or the Hugging Face Hub' : ''}: ${error instanceof Error ? error.message : String(error)}. Run \`success-engine models verify\` to see what is missing.`,
    { task, model: id, dtype: settings.dtype },
    { cause: error },
  );
}

let transformersModule: Transformers | undefined;
/** Loaded on first use: the built-in model must not pay for onnxruntime at start-up. */
function transformers(): Transformers {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  transformersModule ??= require('@huggingface/transformers') as Transformers;
  return transformersModule;
}

/** Pipelines in this thread; ONNX Runtime still spreads each batch over `threads` cores. */
export class InProcessInferencer implements BatchInferencer {
  readonly concurrency = 1;
  private readonly pipelines = new Map<TextTask, Promise<AnyPipeline>>();

  constructor(private readonly settings: InferencerSettings) {}

  private pipelineFor(task: TextTask): Promise<AnyPipeline> {
    let p = this.pipelines.get(task);
    if (!p) {
      const t = transformers();
      t.env.localModelPath = this.settings.modelsDir;
      t.env.allowLocalModels = true;
      t.env.allowRemoteModels = this.settings.allowRemoteModels;
      t.env.cacheDir = path.join(this.settings.modelsDir, '.cache');
      t.env.logLevel = t.LogLevel.ERROR;
      const sessionOptions = this.settings.threads ? { intraOpNumThreads: this.settings.threads, interOpNumThreads: 1 } : {};
      const loading = t.pipeline(PIPELINE_TASK[task] as 'feature-extraction', this.settings.models[task], {
        dtype: this.settings.dtype,
        device: 'cpu',
        session_options: sessionOptions,
      });
      p = (loading as unknown as Promise<AnyPipeline>).catch((error: unknown) => {
        this.pipelines.delete(task);
        throw modelUnavailable(this.settings, task, error);
      });
      this.pipelines.set(task, p);
    }
    return p;
  }

  async run(task: TextTask, batch: readonly string[], candidateLabels: readonly string[] = []): Promise<RawBatchOutput> {
    const pipe = await this.pipelineFor(task);
    if (task === 'sentiment') return { task, scores: (await pipe([...batch], { top_k: null })) as { label: string; score: number }[][] };
    if (task === 'topics') {
      const raw = (await pipe([...batch], [...candidateLabels], { multi_label: false })) as
        { labels: string[]; scores: number[] } | { labels: string[]; scores: number[] }[];
      return { task, results: Array.isArray(raw) ? raw : [raw] };
    }
    const tensor = (await pipe([...batch], { pooling: 'mean', normalize: true })) as { dims: number[]; data: Float32Array };
    return { task, dims: [...tensor.dims], data: tensor.data };
  }

  async close(): Promise<void> {
    const loaded = await Promise.allSettled(this.pipelines.values());
    for (const p of loaded) if (p.status === 'fulfilled') await (p.value as unknown as { dispose?: () => Promise<void> }).dispose?.();
    this.pipelines.clear();
  }
}
