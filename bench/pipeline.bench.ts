import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { ConnectionId, TenantId } from '../core';
import { loadConfig } from '../app/config/config';
import { startAlertReceiver } from '../app/demo/alert-receiver';
import { BullmqJobQueue, redisConnection, startWorkers } from '../app/queue/bullmq-queue';
import type { Processors, StepContext } from '../app/queue/job-queue';
import type { QueueName } from '../app/queue/queue-map';
import { createPipelineAdapters } from '../app/worker/pipeline-adapters';
import { createProcessors } from '../app/worker/processors';
import { HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL, HUBSPOT_RATE_INTERVAL_MS } from '../connectors/shared/provider-limits';
import { generateBook } from '../sandbox/seed/book.generator';
import { readTelcoCsv } from '../sandbox/seed/telco.reader';
import { SqliteStore } from '../store';
import type { Benchmark } from './bench-kit';
import { hubspotSandboxProcess } from './hubspot-sandbox.process';

const DEFAULT_CSV = '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';
const TENANT = 'bench-pipeline' as TenantId;
const CONNECTION = 'hubspot-bench' as ConnectionId;
const TOKEN = 'pat-na1-bench-pipeline';

/** Union length of [start, end] intervals (ms). */
function covered(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of sorted) {
    if (s > end) {
      total += e - s;
      end = e;
    } else if (e > end) {
      total += e - end;
      end = e;
    }
  }
  return total;
}

/**
 * The whole pipeline through BullMQ against the HubSpot sandbox with the public app's limit
 * (100 requests per 10 s): install, sync every company page, score the book, write back, alert.
 * floorSeconds = requests HubSpot accepted ÷ 10 per second. queueOverheadShare = the share of the
 * run during which no processor was running at all (queue hand-offs, flow promotion, polling).
 */
export const pipelineBench: Benchmark = async ({ flags, progress }) => {
  const accounts = Number(flags.accounts ?? 10_000);
  const redisUrl = loadConfig().redisUrl;
  if (!redisUrl) throw new Error('the pipeline benchmark runs through BullMQ: set REDIS_URL');
  const csv = String(flags.csv ?? DEFAULT_CSV);
  const asOf = generateBook({ seed: 42, accounts: 0, rows: readTelcoCsv(csv) }).asOf;
  progress(`building a HubSpot sandbox with ${accounts} companies (child process)`);
  const sandbox = await hubspotSandboxProcess({ accounts, csv, token: TOKEN });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-bench-pipeline-'));
  const store = new SqliteStore({ path: path.join(dir, 'bench.sqlite'), encryptionKey: randomBytes(32) });
  const secret = randomBytes(24).toString('hex');
  const receiver = await startAlertReceiver(secret);
  const prefix = `bench-pipeline-${randomBytes(4).toString('hex')}`;
  const governorRedis = redisConnection(redisUrl);
  const producer = new BullmqJobQueue({ redisUrl, prefix });
  const busy: [number, number][] = [];
  const perQueue: Partial<Record<QueueName, { jobs: number; seconds: number }>> = {};
  try {
    await store.upsertTenant({ id: TENANT, name: 'Pipeline bench', locale: 'en', createdAt: asOf });
    await store.saveConnection(
      {
        id: CONNECTION,
        tenantId: TENANT,
        provider: 'hubspot',
        externalOrgId: 'bench',
        baseUrl: sandbox.url,
        createdAt: asOf,
        updatedAt: asOf,
      },
      { accessToken: TOKEN },
    );
    const adapters = createPipelineAdapters({
      store,
      redis: governorRedis,
      keyPrefix: prefix,
      alertEndpointFor: () => ({ url: receiver.url, secret, format: 'alert.v1' }),
    });
    const inner = createProcessors(adapters);
    const processors: Processors = {};
    for (const [name, fn] of Object.entries(inner) as [QueueName, (p: unknown, c: StepContext) => Promise<unknown>][]) {
      (processors as Record<string, unknown>)[name] = async (p: unknown, c: StepContext) => {
        const t0 = Date.now();
        try {
          return await fn(p, c);
        } finally {
          const t1 = Date.now();
          busy.push([t0, t1]);
          const q = (perQueue[name] ??= { jobs: 0, seconds: 0 });
          q.jobs++;
          q.seconds += (t1 - t0) / 1000;
        }
      };
    }
    const pool = startWorkers({
      redisUrl,
      prefix,
      processors,
      log: pino({ level: 'silent' }),
      producer,
      concurrency: Number(flags.concurrency ?? 2),
    });
    const t = Date.now();
    progress('install: our property group and properties');
    // Through the same connector (and Redis bucket) the workers use, as an install would.
    await (await adapters.connector(TENANT, CONNECTION)).ensureSchema();
    busy.push([t, Date.now()]);
    await producer.enqueue('sync.start', {
      tenantId: TENANT,
      connectionId: CONNECTION,
      mode: 'backfill',
      entities: ['account'],
      asOf: asOf,
      runId: 'bench',
      ...(flags.train ? { train: true } : {}),
    });
    await producer.waitForIdle({ pollMs: 200, timeoutMs: 4 * 3600_000, onPoll: () => undefined });
    // waitForIdle needs two quiet polls; the run ended when the last job did.
    const end = Math.max(...busy.map((b) => b[1]));
    await pool.close();
    const seconds = (end - t) / 1000;
    const perSecond = (HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL * 1000) / HUBSPOT_RATE_INTERVAL_MS;
    const seen = await sandbox.stats();
    const floorSeconds = seen.accepted / perSecond;
    const writes = (await store.listAudit(TENANT, { limit: 100_000 })).filter((a) => a.action === 'writeback.completed');
    const written = writes.reduce((n, a) => n + Number(a.details.written ?? 0), 0);
    return {
      accounts,
      seconds: Number(seconds.toFixed(2)),
      floorSeconds: Number(floorSeconds.toFixed(2)),
      ratio: Number((seconds / floorSeconds).toFixed(3)),
      queueOverheadShare: Number(((end - t - covered(busy)) / (end - t)).toFixed(4)),
      requests: seen.accepted,
      refused429: seen.refused,
      scored: (await store.latestScores(TENANT)).length,
      written,
      alertsDelivered: (await store.listAlerts(TENANT, 'delivered')).length,
      perQueue: Object.fromEntries(Object.entries(perQueue).map(([k, v]) => [k, { jobs: v.jobs, seconds: Number(v.seconds.toFixed(2)) }])),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      sandboxCpuSeconds: seen.cpuSeconds,
    };
  } finally {
    await producer.close();
    governorRedis.disconnect();
    await store.close();
    await receiver.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
