import os from 'node:os';

/** What every benchmark gets and returns; shared helpers for medians and the machine description. */
export interface BenchArgs {
  /** Raw flags after the name, e.g. `--accounts 100000`. */
  flags: Record<string, string | boolean>;
  /** Progress to stderr; stdout is reserved for the result. */
  progress: (message: string) => void;
}

export type Benchmark = (args: BenchArgs) => Promise<Record<string, unknown>>;

export function machineDescription(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
  };
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
