import type { Benchmark } from './bench-kit';
import { clvBench } from './clv.bench';
import { churnBench } from './churn.bench';
import { connectorsBench } from './connectors.bench';
import { sandboxSeedBench } from './sandbox-seed.bench';
import { storeBench } from './store.bench';
import { textBench } from './text.bench';
import { webhooksBench } from './webhooks.bench';
import { pipelineBench } from './pipeline.bench';
import { scoreBookBench } from './score-book.bench';
import { faultsBench } from './faults.bench';

/** Every benchmark by the name given to `npm run bench -- <name>`. Add new ones here. */
export const benchmarks: Record<string, Benchmark> = {
  clv: clvBench,
  store: storeBench,
  churn: churnBench,
  'sandbox-seed': sandboxSeedBench,
  text: textBench,
  connectors: connectorsBench,
  webhooks: webhooksBench,
  pipeline: pipelineBench,
  'score-book': scoreBookBench,
  faults: faultsBench,
};
