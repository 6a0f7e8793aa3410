import { benchmarks } from './registry';
import { machineDescription, parseFlags } from './bench-kit';

/**
 * `npm run bench -- <name> [flags] [--json]`: runs one benchmark and prints one JSON object
 * (with --json) or a readable summary. Benchmarks report medians and ratios against a baseline
 * measured in the same run; they never assert on time.
 */
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
