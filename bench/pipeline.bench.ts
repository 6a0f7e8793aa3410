import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import pino from 'pino';
import type { ConnectionId, Store, TenantId } from '../core';
import { startAlertReceiver } from '../app/demo/alert-receiver';
import { BullmqJobQueue, redisConnection, startWorkers } from '../app/queue/bullmq-queue';
import { queueNames, type QueueName } from '../app/queue/queue-map';
import { createPipelineAdapters } from '../app/worker/pipeline-adapters';
import { createProcessors } from '../app/worker/processors';
import { HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL, HUBSPOT_RATE_INTERVAL_MS } from '../connectors/shared/provider-limits';
import { generateBook } from '../sandbox/seed/book.generator';
import { readTelcoCsv } from '../sandbox/seed/telco.reader';
import { openPostgresStore, SqliteStore } from '../store';
import { freePort, startOwnRedis } from '../test/helpers/redis';
import { writeWorkerSettings } from '../test/helpers/worker-settings';
import { startTestPostgres } from '../test/store/postgres-server';
import type { Benchmark } from './bench-kit';
import { hubspotSandboxProcess } from './hubspot-sandbox.process';

const DEFAULT_CSV = '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';
const TENANT = 'bench-pipeline' as TenantId;
const CONNECTION = 'hubspot-bench' as ConnectionId;
const TOKEN = 'pat-na1-bench-pipeline';

/**
 * The whole pipeline through BullMQ against the HubSpot sandbox with the public app's limit
 * (100 requests per 10 s): install, sync every company page, score the book, write back, alert.
 * floorSeconds = requests HubSpot accepted ÷ 10 per second. queueOverheadShare = the share of the
 * run during which no job was running at all (queue hand-offs, flow promotion, polling).
 *
 * `--store sqlite|postgres`; `--workers N` runs N `success-engine worker` processes (default: the
 * workers run in this process). Redis: REDIS_URL, else a redis-server started here. PostgreSQL:
 * SE_TEST_DATABASE_URL (a server where that user may CREATE DATABASE), else a throwaway cluster of
 * Debian's PostgreSQL started here.
 */
export const pipelineBench: Benchmark = async ({ flags, progress }) => {
  const accounts = Number(flags.accounts ?? 10_000);
  const storeKind = String(flags.store ?? 'sqlite');
  if (storeKind !== 'sqlite' && storeKind !== 'postgres') throw new Error(`--store must be sqlite or postgres, got ${storeKind}`);
  const workerProcesses = Number(flags.workers ?? 0);
  const concurrency = Number(flags.concurrency ?? 2);
  const csv = String(flags.csv ?? DEFAULT_CSV);
  const asOf = generateBook({ seed: 42, accounts: 0, rows: readTelcoCsv(csv) }).asOf;
  const cleanup: (() => unknown)[] = [];
  try {
    const redisUrl = await benchRedis(cleanup, progress);
    progress(`building a HubSpot sandbox with ${accounts} companies (child process)`);
    const sandbox = await hubspotSandboxProcess({ accounts, csv, token: TOKEN });
    cleanup.push(() => sandbox.close());
    const dir = mkdtempSync(path.join(os.tmpdir(), 'se-bench-pipeline-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const encryptionKey = randomBytes(32);
    const target = await openStore(storeKind, dir, encryptionKey, cleanup);
    const store = target.store;
    const secret = randomBytes(24).toString('hex');
    const receiver = await startAlertReceiver(secret);
    cleanup.push(() => receiver.close());
    const prefix = `bench-pipeline-${randomBytes(4).toString('hex')}`;
    const governorRedis = redisConnection(redisUrl);
    cleanup.push(() => governorRedis.disconnect());
    const producer = new BullmqJobQueue({ redisUrl, prefix });
    cleanup.push(() => producer.close());

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
    const workers =
      workerProcesses > 0
        ? spawnWorkers(workerProcesses, {
            redisUrl,
            prefix,
            concurrency,
            dir,
            env: target.workerEnv(encryptionKey),
            receiver: receiver.url,
            secret,
          })
        : inProcessWorkers(redisUrl, prefix, concurrency, createProcessors(adapters), producer);
    cleanup.push(() => workers.close());

    const t = Date.now();
    progress('install: our property group and properties');
    // Through the same connector (and Redis bucket) the workers use, as an install would.
    await (await adapters.connector(TENANT, CONNECTION)).ensureSchema();
    const installEnd = Date.now();
    await producer.enqueue('sync.start', {
      tenantId: TENANT,
      connectionId: CONNECTION,
      mode: 'backfill',
      entities: ['account'],
      asOf,
      runId: 'bench',
      ...(flags.train ? { train: true } : {}),
    });
    await producer.waitForIdle({ pollMs: 200, timeoutMs: 4 * 3600_000, onPoll: () => undefined });
    const jobs = await finishedJobs(producer);
    const failed = jobs.filter((j) => j.failed).length;
    // waitForIdle needs two quiet polls; the run ended when the last job did.
    const end = Math.max(...jobs.map((j) => j.end));
    const peakRssMiB = workers.peakRssMiB();
    const eventLoopDelayMs = workers.eventLoopDelayMs?.();
    await workers.close();
    const seconds = (end - t) / 1000;
    const perSecond = (HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL * 1000) / HUBSPOT_RATE_INTERVAL_MS;
    const seen = await sandbox.stats();
    const floorSeconds = seen.accepted / perSecond;
    const writes = (await store.listAudit(TENANT, { limit: 100_000 })).filter((a) => a.action === 'writeback.completed');
    const written = writes.reduce((n, a) => n + Number(a.details.written ?? 0), 0);
    const busy: [number, number][] = [[t, installEnd], ...jobs.map((j): [number, number] => [j.start, j.end])];
    return {
      accounts,
      store: storeKind,
      workers:
        workerProcesses > 0 ? `${workerProcesses} processes × ${concurrency} per queue` : `in this process, ${concurrency} per queue`,
      seconds: Number(seconds.toFixed(2)),
      floorSeconds: Number(floorSeconds.toFixed(2)),
      ratio: Number((seconds / floorSeconds).toFixed(3)),
      queueOverheadShare: Number(((end - t - covered(busy)) / (end - t)).toFixed(4)),
      requests: seen.accepted,
      refused429: seen.refused,
      failedJobs: failed,
      scored: (await store.latestScores(TENANT)).length,
      written,
      alertsDelivered: (await store.listAlerts(TENANT, 'delivered')).length,
      phases: phases(jobs, t),
      perQueue: perQueue(jobs),
      peakRssMiB,
      ...(eventLoopDelayMs ? { eventLoopDelayMs } : {}),
    };
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
};

interface FinishedJob {
  queue: QueueName;
  start: number;
  end: number;
  failed: boolean;
}

/** Every job of the run, from BullMQ's own timestamps (kept for completed and failed jobs), whichever process ran it. */
async function finishedJobs(producer: BullmqJobQueue): Promise<FinishedJob[]> {
  const out: FinishedJob[] = [];
  for (const queue of queueNames)
    for (const state of ['completed', 'failed'] as const)
      for (const job of await producer.queue(queue).getJobs([state]))
        if (job?.processedOn && job.finishedOn)
          out.push({ queue, start: job.processedOn, end: job.finishedOn, failed: state === 'failed' });
  return out;
}

/** When each phase began and ended, in seconds from the start: where the run waits on CPU rather than on HubSpot. */
function phases(jobs: readonly FinishedJob[], t: number): Record<string, { from: number; to: number }> {
  const out: Record<string, { from: number; to: number }> = {};
  for (const j of jobs) {
    const p = (out[j.queue] ??= { from: Infinity, to: -Infinity });
    p.from = Math.min(p.from, j.start);
    p.to = Math.max(p.to, j.end);
  }
  for (const p of Object.values(out)) {
    p.from = Number(((p.from - t) / 1000).toFixed(1));
    p.to = Number(((p.to - t) / 1000).toFixed(1));
  }
  return out;
}

function perQueue(jobs: readonly FinishedJob[]): Record<string, { jobs: number; seconds: number }> {
  const out: Record<string, { jobs: number; seconds: number }> = {};
  for (const j of jobs) {
    const q = (out[j.queue] ??= { jobs: 0, seconds: 0 });
    q.jobs++;
    q.seconds += (j.end - j.start) / 1000;
  }
  for (const q of Object.values(out)) q.seconds = Number(q.seconds.toFixed(2));
  return out;
}

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

async function benchRedis(cleanup: (() => unknown)[], progress: (m: string) => void): Promise<string> {
  const url = process.env.REDIS_URL;
  if (url) return url;
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-bench-redis-'));
  progress(`REDIS_URL is not set: starting redis-server on 127.0.0.1:${port}`);
  const child = await startOwnRedis(port, dir);
  cleanup.push(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return `redis://127.0.0.1:${port}`;
}

interface BenchStore {
  store: Store;
  /** How a worker process opens the same store. */
  workerEnv(key: Buffer): Record<string, string>;
}

async function openStore(kind: 'sqlite' | 'postgres', dir: string, encryptionKey: Buffer, cleanup: (() => unknown)[]): Promise<BenchStore> {
  if (kind === 'sqlite') {
    const file = path.join(dir, 'bench.sqlite');
    const store = new SqliteStore({ path: file, encryptionKey });
    cleanup.push(() => store.close());
    return { store, workerEnv: (key) => ({ SE_DATABASE_PATH: file, SE_ENCRYPTION_KEY: key.toString('hex') }) };
  }
  const server = await startTestPostgres();
  cleanup.push(() => server.stop());
  const db = await server.createDatabase();
  cleanup.push(() => db.drop());
  const store = await openPostgresStore({ url: db.url, encryptionKey });
  cleanup.push(() => store.close());
  return { store, workerEnv: (key) => ({ SE_DATABASE_URL: db.url, SE_ENCRYPTION_KEY: key.toString('hex') }) };
}

interface BenchWorkers {
  /** Peak resident memory of the process(es) running the jobs, MiB (summed over worker processes). */
  peakRssMiB(): number;
  /** In-process workers only: how late the event loop ran timers (ms). */
  eventLoopDelayMs?(): { p99: number; max: number };
  close(): Promise<void>;
}

function inProcessWorkers(
  redisUrl: string,
  prefix: string,
  concurrency: number,
  processors: ReturnType<typeof createProcessors>,
  producer: BullmqJobQueue,
): BenchWorkers {
  const pool = startWorkers({ redisUrl, prefix, processors, log: pino({ level: 'silent' }), producer, concurrency });
  // Scoring shares the event loop with the rate-paced calls: a long synchronous stretch delays their sends.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let closed = false;
  return {
    peakRssMiB: () => Math.round(process.resourceUsage().maxRSS / 1024),
    eventLoopDelayMs: () => ({ p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) }),
    close: async () => {
      if (!closed) await pool.close();
      closed = true;
    },
  };
}

/** N real `success-engine worker` processes (the built CLI), as a deployment would run them on N hosts. */
function spawnWorkers(
  n: number,
  options: {
    redisUrl: string;
    prefix: string;
    concurrency: number;
    dir: string;
    env: Record<string, string>;
    receiver: string;
    secret: string;
  },
): BenchWorkers {
  const settingsPath = path.join(options.dir, 'settings.json');
  writeWorkerSettings(settingsPath, TENANT, CONNECTION, { url: options.receiver, secret: options.secret });
  const main = path.join(__dirname, '..', 'app', 'cli', 'main.js');
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const child = spawn(
      process.execPath,
      [main, 'worker', '--prefix', options.prefix, '--settings', settingsPath, '--concurrency', String(options.concurrency)],
      {
        env: { ...process.env, ...options.env, REDIS_URL: options.redisUrl, SE_DATA_DIR: options.dir, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    children.push(child);
  }
  return {
    // VmHWM is the process's peak resident set so far; read before the processes exit.
    peakRssMiB: () =>
      Math.round(
        children.reduce((sum, c) => sum + Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${c.pid}/status`, 'utf8'))?.[1] ?? 0), 0) / 1024,
      ),
    close: () =>
      Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              c.once('exit', () => resolve());
              c.kill('SIGTERM');
            }),
        ),
      ).then(() => undefined),
  };
}
