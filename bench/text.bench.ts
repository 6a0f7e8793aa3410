import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { SHIPPED_SENTIMENT_MODEL_ID, shippedModelsDir, TransformersTextModel } from '../engine/text';
import {
  buildTinyBert,
  buildVocab,
  distilBertShape,
  miniLmL6Shape,
  type TinyBertOptions,
} from '../test/helpers/tiny-bert/tiny-bert.builder';
import { median, type Benchmark } from './bench-kit';

/**
 * The shipped sentiment model (models/sentiment-bilingual) on the real SST-2 dev and waimai dev
 * texts: texts/s at batch 32 on one ONNX thread, accuracy, peak RSS; with `--peer`, the TF-IDF +
 * logistic-regression peer is trained and measured in the same run (scripts/train-sentiment).
 * `--shapes shipped,minilm-l6,distilbert` adds the random-weight real-size Hub shapes, 1 and 2
 * intra-op threads, batch 1/32/256. Each model runs in its own child process so its peak RSS is its own.
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
  runs: {
    workers: number;
    threads: number;
    batch: number;
    texts: number;
    wordsPerText: number;
    medianSeconds: number;
    textsPerSecond: number;
  }[];
}

const CHILD_FLAG = '--text-bench-child';
const SHIPPED_CHILD_FLAG = '--text-bench-shipped-child';
const SST2_DEV = '../shared/data/sst2_dev.tsv';
const WAIMAI_DEV = '../shared/data/waimai_dev.csv';

interface LabelledSet {
  name: string;
  texts: string[];
  positive: boolean[];
}

interface ShippedResult {
  shape: 'shipped';
  model: string;
  dtype: 'q8';
  onnxMiB: number;
  threads: 1;
  batch: number;
  peakRssMiB: number;
  sets: {
    name: string;
    texts: number;
    seconds: number;
    textsPerSecond: number;
    cpuSeconds: number;
    textsPerCpuSecond: number;
    accuracy: number;
  }[];
  textsPerSecond: number;
  /** Texts per second of this process's CPU time: what one free core does, steadier than wall time on a busy machine. */
  textsPerCpuSecond: number;
}

function devSets(sst2: string, waimai: string): LabelledSet[] {
  const sets: LabelledSet[] = [];
  if (existsSync(sst2)) {
    const rows = parse<Record<string, string>>(readFileSync(sst2), {
      columns: true,
      delimiter: '\t',
      quote: false,
      skip_empty_lines: true,
    });
    sets.push({ name: 'sst2_dev', texts: rows.map((r) => r.sentence ?? ''), positive: rows.map((r) => r.label === '1') });
  }
  if (existsSync(waimai)) {
    const rows = parse<Record<string, string>>(readFileSync(waimai), { columns: true, bom: true, skip_empty_lines: true });
    sets.push({ name: 'waimai_dev', texts: rows.map((r) => r.review ?? ''), positive: rows.map((r) => r.label === '1') });
  }
  if (sets.length === 0) throw new Error(`neither ${sst2} nor ${waimai} exists: pass --sst2 / --waimai`);
  return sets;
}

/** One pass over each dev set with a fresh model (the text cache must not answer), batch 32, 1 thread. */
async function runShipped(batch: number, sst2: string, waimai: string): Promise<ShippedResult> {
  const modelsDir = shippedModelsDir();
  if (!modelsDir) throw new Error(`the shipped model ${SHIPPED_SENTIMENT_MODEL_ID} is not under models/`);
  const onnx = path.join(modelsDir, SHIPPED_SENTIMENT_MODEL_ID, 'onnx', 'model_quantized.onnx');
  const sets = devSets(sst2, waimai);
  const result: ShippedResult = {
    shape: 'shipped',
    model: SHIPPED_SENTIMENT_MODEL_ID,
    dtype: 'q8',
    onnxMiB: Number((statSync(onnx).size / 2 ** 20).toFixed(2)),
    threads: 1,
    batch,
    peakRssMiB: 0,
    sets: [],
    textsPerSecond: 0,
    textsPerCpuSecond: 0,
  };
  let allTexts = 0;
  let allSeconds = 0;
  let allCpu = 0;
  for (const set of sets) {
    const model = new TransformersTextModel({
      modelsDir,
      allowRemoteModels: false,
      models: { sentiment: SHIPPED_SENTIMENT_MODEL_ID },
      dtype: 'q8',
      batchSize: batch,
      threads: 1,
      workers: 0,
    });
    await model.sentiment(['warm-up: fine', '预热：不错']);
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const out = await model.sentiment(set.texts);
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    await model.close();
    const correct = out.filter((r, i) => (r.label === 'positive') === set.positive[i]).length;
    result.sets.push({
      name: set.name,
      texts: set.texts.length,
      seconds: Number(seconds.toFixed(2)),
      textsPerSecond: Number((set.texts.length / seconds).toFixed(1)),
      cpuSeconds: Number(cpuSeconds.toFixed(2)),
      textsPerCpuSecond: Number((set.texts.length / cpuSeconds).toFixed(1)),
      accuracy: Number((correct / set.texts.length).toFixed(4)),
    });
    allTexts += set.texts.length;
    allSeconds += seconds;
    allCpu += cpuSeconds;
    process.stderr.write(
      `shipped ${set.name}: ${(set.texts.length / seconds).toFixed(1)} texts/s wall, ${(set.texts.length / cpuSeconds).toFixed(1)} per CPU-second, accuracy ${(correct / set.texts.length).toFixed(4)}\n`,
    );
  }
  result.textsPerSecond = Number((allTexts / allSeconds).toFixed(1));
  result.textsPerCpuSecond = Number((allTexts / allCpu).toFixed(1));
  result.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  return result;
}

/** Trains and measures the TF-IDF + logistic-regression peer (Debian's python3-sklearn). */
function runPeer(): Record<string, unknown> {
  const script = path.resolve(__dirname, '..', '..', 'scripts', 'train-sentiment', 'peer_tfidf.py');
  const r = spawnSync('/usr/bin/python3', [existsSync(script) ? script : path.resolve('scripts/train-sentiment/peer_tfidf.py')], {
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  if (r.status !== 0)
    return {
      error: `peer_tfidf.py exited with ${r.status}: ${(r.stderr || String(r.error ?? '')).trim().split('\n').slice(-3).join(' ')}`,
    };
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function texts(n: number, words: number, salt: string): string[] {
  const vocab = buildVocab(0).filter((w) => /^[a-z]{2,}$/.test(w));
  return Array.from({ length: n }, (_, i) => {
    const out: string[] = [salt, String(i)];
    for (let w = 0; w < words; w++) out.push(vocab[(i * 7 + w * 13) % vocab.length] as string);
    return out.join(' ');
  });
}

async function runShape(
  shape: string,
  dtype: 'q8' | 'fp32',
  runs: number,
  words: number,
  threadsList: number[],
  batches: number[],
  workers: number,
): Promise<ShapeResult> {
  const spec = SHAPES[shape];
  if (!spec) throw new Error(`unknown shape ${shape}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), `se-text-bench-${shape}-`));
  try {
    const id = `bench/${shape}`;
    let t = process.hrtime.bigint();
    buildTinyBert(path.join(dir, id), { ...spec.options, dtypes: [dtype], modelId: id });
    const buildSeconds = Number(process.hrtime.bigint() - t) / 1e9;
    const onnx = path.join(dir, id, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx');
    const result: ShapeResult = {
      shape,
      task: spec.task,
      dtype,
      onnxMiB: Math.round(statSync(onnx).size / 2 ** 20),
      buildSeconds: Number(buildSeconds.toFixed(2)),
      peakRssMiB: 0,
      runs: [],
    };
    for (const threads of threadsList) {
      for (const batch of batches) {
        const model = new TransformersTextModel({
          modelsDir: dir,
          allowRemoteModels: false,
          models: { [spec.task]: id },
          dtype,
          batchSize: batch,
          threads,
          workers,
        });
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
        result.runs.push({
          workers,
          threads,
          batch,
          texts: n,
          wordsPerText: words + 2,
          medianSeconds: Number(med.toFixed(3)),
          textsPerSecond: Number((n / med).toFixed(1)),
        });
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
  const shapes = typeof flags.shapes === 'string' ? flags.shapes.split(',') : ['shipped'];
  const out: Record<string, unknown> = {};
  if (shapes.includes('shipped')) {
    progress('shipped sentiment model: SST-2 dev and waimai dev, batch 32, 1 ONNX thread, in a child process');
    out.shipped = await inChild<ShippedResult>([
      SHIPPED_CHILD_FLAG,
      String(Number(flags.batch ?? 32)),
      String(flags.sst2 ?? SST2_DEV),
      String(flags.waimai ?? WAIMAI_DEV),
    ]);
  }
  if (flags.peer) {
    progress('training the TF-IDF + logistic-regression peer on the same corpora (a few minutes)');
    out.peer = runPeer();
  }
  const others = shapes.filter((s) => s !== 'shipped');
  if (others.length > 0) Object.assign(out, await shapeBench(flags, others, progress));
  return out;
};

async function shapeBench(
  flags: Record<string, string | boolean>,
  shapes: string[],
  progress: (m: string) => void,
): Promise<Record<string, unknown>> {
  const dtype = flags.dtype === 'fp32' ? 'fp32' : 'q8';
  const runs = Number(flags.runs ?? 3);
  const words = Number(flags.words ?? 12);
  const threads = list(flags.threads, [1, 2]);
  const batches = list(flags.batch, [1, 32, 256]);
  // --workers N: N worker threads, each with --threads ONNX threads; 0 (default) runs in-process.
  const workers = Number(flags.workers ?? 0);
  const results: ShapeResult[] = [];
  for (const shape of shapes) {
    progress(`${shape}: building random-weight ${dtype} model and measuring in a child process`);
    results.push(
      await inChild<ShapeResult>([
        CHILD_FLAG,
        shape,
        dtype,
        String(runs),
        String(words),
        threads.join(','),
        batches.join(','),
        String(workers),
      ]),
    );
  }
  return {
    dtype,
    workers,
    runsPerPoint: runs,
    note: 'random weights in real shapes; DistilBERT expressed as a 6-layer BERT graph of its size',
    models: results,
  };
}

function inChild<R>(args: string[]): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    let result: R | undefined;
    child.on('message', (m) => (result = m as R));
    child.on('error', reject);
    child.on('exit', (code) =>
      result && code === 0 ? resolve(result) : reject(new Error(`text bench child for ${args[1] ?? args[0]} exited with ${code}`)),
    );
  });
}

function exitWith(promise: Promise<unknown>): void {
  promise.then(
    (r) => process.send?.(r, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module && process.argv[2] === SHIPPED_CHILD_FLAG) {
  const [batch, sst2, waimai] = process.argv.slice(3) as [string, string, string];
  exitWith(runShipped(Number(batch), sst2, waimai));
}

if (require.main === module && process.argv[2] === CHILD_FLAG) {
  const [shape, dtype, runs, words, threads, batches, workers] = process.argv.slice(3) as [
    string,
    'q8' | 'fp32',
    string,
    string,
    string,
    string,
    string,
  ];
  exitWith(
    runShape(shape, dtype, Number(runs), Number(words), threads.split(',').map(Number), batches.split(',').map(Number), Number(workers)),
  );
}
