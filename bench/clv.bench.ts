import { expectedTransactions, fitBgNbd, probabilityAlive } from '../engine/clv/bg-nbd.model';
import { simulateBgNbd } from '../engine/clv/bg-nbd.simulator';
import { fitGammaGamma } from '../engine/clv/gamma-gamma.model';
import { discountedClv, scoreNonContractual, WEEKS_PER_MONTH } from '../engine/clv/non-contractual-clv';
import { median, type Benchmark } from './bench-kit';

/**
 * `npm run bench -- clv [--customers 100000] [--runs 3] [--interval-customers 2000] [--draws 100]`:
 * fit time for BG/NBD + Gamma-Gamma on a seeded synthetic book drawn from the BG/NBD process,
 * and scoring throughput (point CLV; CLV with a Laplace interval).
 */
export const clvBench: Benchmark = async ({ flags, progress }) => {
  const customers = Number(flags.customers ?? 100_000);
  const runs = Number(flags.runs ?? 3);
  const intervalCustomers = Number(flags['interval-customers'] ?? 2000);
  const draws = Number(flags.draws ?? 100);
  const truth = { r: 0.25, alpha: 4.4, a: 0.8, b: 2.4 };
  const spend = { p: 6, q: 3.7, gamma: 15 };
  progress(`simulating ${customers} customers (seed 42)`);
  const book = simulateBgNbd(truth, { customers, calibrationWeeks: 52, cohortWeeks: 26, holdoutWeeks: 26, seed: 42, spend });
  const options = { horizonMonths: 12, monthlyDiscountRate: 0.01 };

  const bgSeconds: number[] = [];
  const ggSeconds: number[] = [];
  const pointSeconds: number[] = [];
  const intervalSeconds: number[] = [];
  let fitted: { bg: ReturnType<typeof fitBgNbd>; gg: ReturnType<typeof fitGammaGamma> } | undefined;
  let checksum = 0;
  for (let run = 0; run < runs; run++) {
    let t = process.hrtime.bigint();
    const bg = fitBgNbd(book);
    bgSeconds.push(Number(process.hrtime.bigint() - t) / 1e9);
    t = process.hrtime.bigint();
    const gg = fitGammaGamma(book);
    ggSeconds.push(Number(process.hrtime.bigint() - t) / 1e9);
    fitted = { bg, gg };

    t = process.hrtime.bigint();
    checksum = 0;
    for (const c of book) {
      checksum +=
        probabilityAlive(bg.params, c) +
        expectedTransactions(bg.params, c, options.horizonMonths * WEEKS_PER_MONTH) +
        discountedClv(bg.params, gg.params, c, options);
    }
    pointSeconds.push(Number(process.hrtime.bigint() - t) / 1e9);

    t = process.hrtime.bigint();
    scoreNonContractual({ bgnbd: bg, gammaGamma: gg }, book.slice(0, intervalCustomers), { ...options, draws });
    intervalSeconds.push(Number(process.hrtime.bigint() - t) / 1e9);
    progress(
      `run ${run + 1}/${runs}: fit BG/NBD ${bgSeconds.at(-1)?.toFixed(2)} s, Gamma-Gamma ${ggSeconds.at(-1)?.toFixed(2)} s, point scoring ${pointSeconds.at(-1)?.toFixed(2)} s, interval scoring ${intervalSeconds.at(-1)?.toFixed(2)} s`,
    );
  }
  await Promise.resolve();
  const bgMedian = median(bgSeconds);
  const ggMedian = median(ggSeconds);
  const holdout = book.reduce((s, c) => s + c.holdoutX, 0);
  const predicted = fitted ? book.reduce((s, c) => s + expectedTransactions(fitted.bg.params, c, 26), 0) : NaN;
  return {
    customers,
    runs,
    fitSecondsMedian: Number((bgMedian + ggMedian).toFixed(3)),
    bgnbdFitSecondsMedian: Number(bgMedian.toFixed(3)),
    gammaGammaFitSecondsMedian: Number(ggMedian.toFixed(3)),
    pointScoresPerSecond: Math.round(customers / median(pointSeconds)),
    intervalScoresPerSecond: Math.round(intervalCustomers / median(intervalSeconds)),
    intervalDraws: draws,
    horizonMonths: options.horizonMonths,
    truth: { bgnbd: truth, gammaGamma: spend },
    fitted: fitted
      ? { bgnbd: fitted.bg.params, gammaGamma: fitted.gg.params, converged: fitted.bg.converged && fitted.gg.converged }
      : undefined,
    holdoutAggregateErrorPct: Number((((predicted - holdout) / holdout) * 100).toFixed(2)),
    checksum: Number(checksum.toFixed(3)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
};
