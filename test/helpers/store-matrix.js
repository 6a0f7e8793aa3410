// Which integration tests run on both stores (jest project `integration:postgres` runs these again, each store a
// fresh PostgreSQL database), and why each other test that opens a store runs on one store only.
// test/store/store-matrix.test.ts keeps this list whole.
module.exports = {
  bothStores: [
    'access-control',
    'connect-salesforce',
    'crm-cards-hubspot',
    'crm-cards-salesforce',
    'http-guards',
    'http-isolation-matrix',
    'http-server',
    'install-bullmq',
    'install-hubspot',
    'install-salesforce',
    'pipeline-cli',
    'pipeline-queue',
    'serve-process',
    'sync-resync',
    'task-outcomes',
    'webhooks-delivery',
    'webhooks-sync-redis-down',
    'worker-lock-recovery',
  ],
  oneStore: {
    'cli-failures':
      'failures around a SQLite file (missing, not a store, read-only); it also starts the CLI against an unreachable SE_DATABASE_URL',
    'demo-crms': 'the demo is the embedded default: SQLite, no server',
    'demo-pipeline': 'the demo is the embedded default: SQLite, no server',
    'postgres-restart-pipeline': 'stops and starts a PostgreSQL cluster of its own mid-run; SQLite has no server to restart',
    'http-fuzz':
      '10,000 requests per endpoint at the HTTP layer take 4 minutes a store; http-isolation-matrix runs the same surface on PostgreSQL',
    'store-crash': 'kills a writer mid-transaction on a SQLite file; a PostgreSQL restart mid-run is test/store/postgres-connection',
    'worker-processes': 'runs its PostgreSQL case itself (three worker processes, one killed)',
    'worker-logs': 'checks what a worker prints; where it stores does not change what it logs',
  },
};
