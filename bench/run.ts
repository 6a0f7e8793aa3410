import os from 'node:os';
import { benchmarks } from './registry';

/**
 * `npm run bench -- <name> [flags] [--json]`: runs one benchmark and prints one JSON object
 * (with --json) or a readable summary. Benchmarks report medians and ratios against a baseline
 * measured in the same run; they never assert on time.
 */
export interface BenchArgs {
  /** Raw flags after the name, e.g. `--accounts 100000`. */
  flags: Record<string, string | boolean>;
  /** Progress to stderr; stdout is reserved for the result. */
  progress(message: string): void;
}

export type Benchmark = (args: BenchArgs) => Promise<Record<string, unknown>>;

export function machineDescription(): Record<string, unknown> {
  const cpus = os.cpus();
  return { node: process.version, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` };
}

export function parseFlags(argv: readonly string[]): { name: string | undefined; flags: Record<string, string | boolean> } {
  const flags: Record<string, string | boolean> = {};
  let name: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--')) {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags[arg.slice(2)] = next;
        i++;
      } else flags[arg.slice(2)] = true;
    } else if (name === undefined) name = arg;
  }
  return { name, flags };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<number> {
  const { name, flags } = parseFlags(process.argv.slice(2));
  const bench = name ? benchmarks[name] : undefined;
  if (!bench) {
    process.stderr.write(`usage: npm run bench -- <name> [--json]\nbenchmarks: ${Object.keys(benchmarks).join(', ')}\n`);
    return 2;
  }
  const result = await bench({ flags, progress: (m) => process.stderr.write(`${m}\n`) });
  const report = { benchmark: name, ...result, machine: machineDescription() };
  process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
