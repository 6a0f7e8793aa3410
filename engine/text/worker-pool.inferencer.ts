import { Worker } from 'node:worker_threads';
import os from 'node:os';
import { modelUnavailable, PIPELINE_TASK, type BatchInferencer, type InferencerSettings, type RawBatchOutput } from './batch-inferencer';
import type { TextTask } from './model-files';

/**
 * Worker body as plain JavaScript (eval'd), so it runs the same from dist/ and under a TS test
 * runner; it needs only the transformers package, resolved by the parent.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const t = require(workerData.transformersPath);
const s = workerData.settings;
t.env.localModelPath = s.modelsDir;
t.env.allowLocalModels = true;
t.env.allowRemoteModels = s.allowRemoteModels;
t.env.cacheDir = require('node:path').join(s.modelsDir, '.cache');
t.env.logLevel = t.LogLevel.ERROR;
const pipes = new Map();
function pipe(task) {
  if (!pipes.has(task)) {
    const p = t.pipeline(workerData.pipelineTask[task], s.models[task], { dtype: s.dtype, device: 'cpu', session_options: { intraOpNumThreads: workerData.threads, interOpNumThreads: 1 } });
    p.catch(() => pipes.delete(task));
    pipes.set(task, p);
  }
  return pipes.get(task);
}
parentPort.on('message', async (m) => {
  try {
    const p = await pipe(m.task);
    let out;
    if (m.task === 'sentiment') out = { task: m.task, scores: await p(m.batch, { top_k: null }) };
    else if (m.task === 'topics') { const r = await p(m.batch, m.labels, { multi_label: false }); out = { task: m.task, results: Array.isArray(r) ? r : [r] }; }
    else { const ten = await p(m.batch, { pooling: 'mean', normalize: true }); out = { task: m.task, dims: ten.dims, data: ten.data }; }
    parentPort.postMessage({ id: m.id, ok: true, out });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: String((e && e.message) || e) });
  }
});
`;

interface Pending {
  resolve(out: RawBatchOutput): void;
  reject(error: unknown): void;
  task: TextTask;
}

interface PoolWorker {
  worker: Worker;
  inFlight: number;
}

/**
 * Batches spread over worker threads, one ONNX Runtime session per task per worker, sized so
 * workers × threads = cores by default. Each worker holds its own copy of the weights.
 */
export class WorkerPoolInferencer implements BatchInferencer {
  readonly concurrency: number;
  private readonly workers: PoolWorker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(
    private readonly settings: InferencerSettings,
    workerCount = os.availableParallelism(),
  ) {
    const count = Math.max(1, workerCount);
    const threads = settings.threads ?? Math.max(1, Math.floor(os.availableParallelism() / count));
    this.concurrency = count;
    const transformersPath = require.resolve('@huggingface/transformers');
    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { transformersPath, settings, threads, pipelineTask: PIPELINE_TASK },
      });
      const entry: PoolWorker = { worker, inFlight: 0 };
      worker.on('message', (m: { id: number; ok: boolean; out?: RawBatchOutput; error?: string }) => {
        entry.inFlight--;
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok && m.out) p.resolve(m.out);
        else p.reject(modelUnavailable(this.settings, p.task, new Error(m.error ?? 'worker failed')));
      });
      worker.on('error', (error) => {
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(modelUnavailable(this.settings, p.task, error));
        }
      });
      worker.unref();
      this.workers.push(entry);
    }
  }

  run(task: TextTask, batch: readonly string[], candidateLabels: readonly string[] = []): Promise<RawBatchOutput> {
    const target = this.workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = this.nextId++;
    return new Promise<RawBatchOutput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, task });
      target.inFlight++;
      target.worker.ref();
      target.worker.postMessage({ id, task, batch: [...batch], labels: [...candidateLabels] });
    }).finally(() => {
      if (target.inFlight === 0) target.worker.unref();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers.length = 0;
  }
}
