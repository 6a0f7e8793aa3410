import type { Benchmark } from './bench-kit';
import { sandboxSeedBench } from './sandbox-seed.bench';
import { storeBench } from './store.bench';

/** Every benchmark by the name given to `npm run bench -- <name>`. Add new ones here. */
export const benchmarks: Record<string, Benchmark> = {
  store: storeBench,
  'sandbox-seed': sandboxSeedBench,
};
