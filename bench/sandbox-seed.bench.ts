import { generateBundles, hashBundles } from '../sandbox/seed/book.generator';
import { readTelcoCsv } from '../sandbox/seed/telco.reader';
import { median, type Benchmark } from './bench-kit';

const DEFAULT_CSV = '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';

/** Streams N seeded accounts (with contacts, deals, tickets, activities, transactions) through SHA-256. */
export const sandboxSeedBench: Benchmark = async ({ flags, progress }) => {
  const accounts = Number(flags.accounts ?? 100_000);
  const runs = Number(flags.runs ?? 3);
  const seed = Number(flags.seed ?? 42);
  const rows = readTelcoCsv(String(flags.csv ?? DEFAULT_CSV));
  const seconds: number[] = [];
  let last: ReturnType<typeof hashBundles> | undefined;
  for (let run = 0; run < runs; run++) {
    const t = process.hrtime.bigint();
    const result = hashBundles(generateBundles({ seed, accounts, rows }));
    seconds.push(Number(process.hrtime.bigint() - t) / 1e9);
    if (last && last.sha256 !== result.sha256) throw new Error(`run ${run + 1} hashed differently: the generator is not deterministic`);
    last = result;
    progress(`run ${run + 1}/${runs}: ${seconds.at(-1)?.toFixed(2)} s, ${result.records} records`);
  }
  await Promise.resolve();
  const med = median(seconds);
  return {
    accounts,
    runs,
    seed,
    accountsPerSecond: Math.round(accounts / med),
    recordsPerSecond: Math.round((last?.records ?? 0) / med),
    records: last?.records,
    medianSeconds: Number(med.toFixed(3)),
    sha256: last?.sha256,
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
};
