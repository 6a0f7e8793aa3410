import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TransformersTextModel } from '../engine/text';
import { buildTinyBert, buildVocab, distilBertShape, miniLmL6Shape, type TinyBertOptions } from '../test/helpers/tiny-bert/tiny-bert.builder';
import { median, type Benchmark } from './bench-kit';

/**
 * Throughput and peak RSS of the transformers.js backend on real-size MiniLM-L6 and DistilBERT
 * architectures (random weights in the real shapes), 1 and 2 intra-op threads, batch 1/32/256.
 * Each shape runs in its own child process so its peak RSS is its own.
 */
const SHAPES: Record<string, { options: Partial<TinyBertOptions>; task: 'embeddings' | 'sentiment' }> = {
  'minilm-l6': { options: { ...miniLmL6Shape, labels: ['negative', 'positive'] }, task: 'embeddings' },
  distilbert: { options: { ...distilBertShape, labels: ['negative', 'positive'] }, task: 'sentiment' },
};

interface ShapeResult {
  shape: string;
  task: string;
  dtype: string;
  onnxMiB: number;
  buildSeconds: number;
  peakRssMiB: number;
  runs: { workers: number; threads: number; batch: number; texts: number; wordsPerText: number; medianSeconds: number; textsPerSecond: number }[];
}

const CHILD_FLAG = '--text-bench-child';

function texts(n: number, words: number, salt: string): string[] {
  const vocab = buildVocab(0).filter((w) => /^[a-z]{2,}$/.test(w));
  return Array.from({ length: n }, (_, i) => {
    const out: string[] = [salt, String(i)];
    for (let w = 0; w < words; w++) out.push(vocab[(i * 7 + w * 13) % vocab.length] as string);
    return out.join(' ');
  });
}

async function runShape(shape: string, dtype: 'q8' | 'fp32', runs: number, words: number, threadsList: number[], batches: number[], workers: number): Promise<ShapeResult> {
  const spec = SHAPES[shape];
  if (!spec) throw new Error(`unknown shape ${shape}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), `se-text-bench-${shape}-`));
  try {
    const id = `bench/${shape}`;
    let t = process.hrtime.bigint();
    buildTinyBert(path.join(dir, id), { ...spec.options, dtypes: [dtype], modelId: id });
    const buildSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    const onnx = path.join(dir, id, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx');
    const result: ShapeResult = { shape, task: spec.task, dtype, onnxMiB: Math.round(statSync(onnx).size / 2 ** 20), buildSeconds: Number(buildSeconds.toFixed(2)), peakRssMiB: 0, runs: [] };
    for (const threads of threadsList) {
      for (const batch of batches) {
        const model = new TransformersTextModel({ modelsDir: dir, allowRemoteModels: false, models: { [spec.task]: id }, dtype, batchSize: batch, threads, workers });
        const n = Math.max(batch, batch === 1 ? 16 : 64);
        const infer = (list: string[]) => (spec.task === 'embeddings' ? model.embed(list) : model.sentiment(list));
        await infer(texts(Math.min(batch, 4), words, 'warmup'));
        const seconds: number[] = [];
        for (let r = 0; r < runs; r++) {
          // Fresh text every run: the text-hash cache must not answer.
          const list = texts(n, words, `t${threads}b${batch}r${r}`);
          t = process.hrtime.bigint();
          await infer(list);
          seconds.push(Number(process.hrtime.bigint() - t) / 1e9);
        }
        await model.close();
        const med = median(seconds);
        result.runs.push({ workers, threads, batch, texts: n, wordsPerText: words + 2, medianSeconds: Number(med.toFixed(3)), textsPerSecond: Number((n / med).toFixed(1)) });
        process.stderr.write(`${shape} ${dtype} workers ${workers} threads ${threads} batch ${batch}: ${(n / med).toFixed(1)} texts/s\n`);
      }
    }
    result.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function list(value: string | boolean | undefined, fallback: number[]): number[] {
  return typeof value === 'string' ? value.split(',').map(Number) : fallback;
}

export const textBench: Benchmark = async ({ flags, progress }) => {
  const dtype = flags.dtype === 'fp32' ? 'fp32' : 'q8';
  const runs = Number(flags.runs ?? 3);
  const words = Number(flags.words ?? 12);
  const threads = list(flags.threads, [1, 2]);
  const batches = list(flags.batch, [1, 32, 256]);
  // --workers N: N worker threads, each with --threads ONNX threads; 0 (default) runs in-process.
  const workers = Number(flags.workers ?? 0);
  const shapes = typeof flags.shapes === 'string' ? flags.shapes.split(',') : Object.keys(SHAPES);
  const results: ShapeResult[] = [];
  for (const shape of shapes) {
    progress(`${shape}: building random-weight ${dtype} model and measuring in a child process`);
    results.push(await inChild([shape, dtype, String(runs), String(words), threads.join(','), batches.join(','), String(workers)]));
  }
  return { dtype, workers, runsPerPoint: runs, note: 'random weights in real shapes; DistilBERT expressed as a 6-layer BERT graph of its size', models: results };
};

function inChild(args: string[]): Promise<ShapeResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [CHILD_FLAG, ...args], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let result: ShapeResult | undefined;
    child.on('message', (m) => (result = m as ShapeResult));
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`text bench child for ${args[0]} exited with ${code}`))));
  });
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  const [shape, dtype, runs, words, threads, batches, workers] = process.argv.slice(3) as [string, 'q8' | 'fp32', string, string, string, string, string];
  runShape(shape, dtype, Number(runs), Number(words), threads.split(',').map(Number), batches.split(',').map(Number), Number(workers)).then(
    (r) => process.send?.(r, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
