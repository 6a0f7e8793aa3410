import { defaultGbdtParams, trainGbdt } from '../engine/churn/gbdt.model';
import { seededRandom, sigmoid } from '../engine/churn/random';
import { TreeShapExplainer } from '../engine/churn/tree-shap';
import { median, type Benchmark } from './bench-kit';

/**
 * Churn model speed on one core: training time of a 300-tree histogram GBDT on 100k accounts × 40
 * features, scoring throughput on 1M accounts (scored in 50k batches, as score.batch jobs do) and
 * TreeSHAP explanation throughput. Synthetic data with 5% missing cells and non-linear signal.
 */
export const churnBench: Benchmark = async ({ flags, progress }) => {
  const trainRows = Number(flags.rows ?? 100_000);
  const scoreRows = Number(flags['score-rows'] ?? 1_000_000);
  const d = Number(flags.features ?? 40);
  const trees = Number(flags.trees ?? 300);
  const runs = Number(flags.runs ?? 3);
  const batch = 50_000;
  const explainRows = Number(flags['explain-rows'] ?? 5_000);

  const train = synthetic(trainRows, d, 1);
  const trainSeconds: number[] = [];
  // CPU seconds of this (single-threaded) process: what one core delivers even on a busy machine.
  const trainCpuSeconds: number[] = [];
  let model = null as ReturnType<typeof trainGbdt>['model'] | null;
  for (let run = 0; run < runs; run++) {
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    model = trainGbdt(train, d, { ...defaultGbdtParams, nTrees: trees, earlyStoppingRounds: 0 }).model;
    trainSeconds.push(Number(process.hrtime.bigint() - t) / 1e9);
    trainCpuSeconds.push(cpuSeconds(cpu));
    progress(`train run ${run + 1}/${runs}: ${trainSeconds.at(-1)?.toFixed(2)} s for ${trainRows} × ${d}, ${model.treeCount} trees`);
  }
  if (!model) throw new Error('no runs');

  const batches = Math.ceil(scoreRows / batch);
  const data = synthetic(batch, d, 2);
  const out = new Float64Array(batch);
  const scoreSeconds: number[] = [];
  const scoreCpuSeconds: number[] = [];
  let checksum = 0;
  for (let run = 0; run < runs; run++) {
    let elapsed = 0;
    let cpuElapsed = 0;
    for (let b = 0; b < batches; b++) {
      const n = Math.min(batch, scoreRows - b * batch);
      const t = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      model.predictRaw(data.x, n, out);
      elapsed += Number(process.hrtime.bigint() - t) / 1e9;
      cpuElapsed += cpuSeconds(cpu);
      checksum += out[0] as number;
    }
    scoreSeconds.push(elapsed);
    scoreCpuSeconds.push(cpuElapsed);
    progress(`score run ${run + 1}/${runs}: ${elapsed.toFixed(2)} s for ${scoreRows} accounts`);
  }

  const explainer = new TreeShapExplainer(model);
  const phi = new Float64Array(d);
  const t = process.hrtime.bigint();
  const explainCpu = process.cpuUsage();
  for (let i = 0; i < explainRows; i++) {
    phi.fill(0);
    explainer.explain(data.x, i * d, phi);
  }
  const explainSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  const explainCpuSeconds = cpuSeconds(explainCpu);
  progress(`TreeSHAP: ${explainRows} accounts in ${explainSeconds.toFixed(2)} s`);
  await Promise.resolve();

  const trainMedian = median(trainSeconds);
  const scoreMedian = median(scoreSeconds);
  return {
    trainRows,
    features: d,
    trees: model.treeCount,
    maxDepth: defaultGbdtParams.maxDepth,
    runs,
    trainMedianSeconds: Number(trainMedian.toFixed(3)),
    trainMedianCpuSeconds: Number(median(trainCpuSeconds).toFixed(3)),
    scoreRows,
    scoreMedianSeconds: Number(scoreMedian.toFixed(3)),
    scoreAccountsPerSecond: Math.round(scoreRows / scoreMedian),
    scoreAccountsPerCpuSecond: Math.round(scoreRows / median(scoreCpuSeconds)),
    explainRows,
    explainAccountsPerSecond: Math.round(explainRows / explainSeconds),
    explainAccountsPerCpuSecond: Math.round(explainRows / explainCpuSeconds),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    checksum: Number.isFinite(checksum),
  };
};

function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

function synthetic(n: number, d: number, seed: number): { x: Float64Array; y: Uint8Array; n: number } {
  const random = seededRandom(seed);
  const x = new Float64Array(n * d);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = random() < 0.05 ? Number.NaN : j % 5 === 0 ? Math.floor(random() * 4) : random() * 10;
    const v = (j: number) => (Number.isNaN(x[i * d + j]) ? 5 : (x[i * d + j] as number));
    const z = 0.4 * (v(1) - 5) - 0.3 * Math.abs(v(2) - 5) + (v(0) === 0 ? 1 : 0) + 0.1 * v(3) * (v(4) > 5 ? 1 : -1);
    y[i] = random() < sigmoid(z) ? 1 : 0;
  }
  return { x, y, n };
}
