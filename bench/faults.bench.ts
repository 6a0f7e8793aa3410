import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionId, Store, TenantId } from '../core';
import { BullmqJobQueue, DEAD_LETTER_QUEUE } from '../app/queue/bullmq-queue';
import { HubSpotConnector } from '../connectors/hubspot/hubspot.connector';
import { sameAsCrm, scoreFieldValues } from '../connectors/shared/score-values';
import { HUBSPOT_REQUIRED_SCOPES } from '../manifests/crm-manifests';
import type { FaultPlan } from '../sandbox/faults';
import { startHubSpotSandbox, type HubSpotSandbox } from '../sandbox/hubspot/hubspot-sandbox.server';
import { mulberry32, type Rng } from '../sandbox/seed/prng';
import { openPostgresStore } from '../store';
import { DEFAULT_TOLERANCE_SECONDS } from '../webhooks/shared/signature';
import { countScoreWrites, crmScoreValues, startCountingReceiver, type CountingReceiver } from '../test/helpers/crm-watch';
import { freePort, startOwnRedis } from '../test/helpers/redis';
import { writeWorkerSettings } from '../test/helpers/worker-settings';
import { startOwnTestPostgres, type TestPostgres } from '../test/store/postgres-server';
import type { Benchmark } from './bench-kit';
import { companiesOnlyBook } from './hubspot-sandbox.process';

const DEFAULT_CSV = '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';
const TENANT = 'bench-faults' as TenantId;
const CONNECTION = 'hubspot-faults' as ConnectionId;
const OAUTH = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' };
const REDIRECT = 'https://app.example.com/oauth';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The fault campaign: a HubSpot portal of N companies synced, scored, written back and alerted on
 * by K `success-engine worker` processes sharing one Redis and one PostgreSQL, while faults land:
 * SIGKILLed workers (replaced a second later), a Redis crash (AOF, restarted), a PostgreSQL restart,
 * CRM faults on a share of requests (5xx, 429, dropped connections, answers lost after the write
 * landed, calls that never answer, expired sessions) and an alert receiver whose clock is skewed.
 * Then it checks the end state against the CRM and the receiver: records lost, duplicate CRM writes,
 * duplicate alerts, and whether store and CRM agree.
 *
 * `--accounts 10000 --workers 3 --crm-fault-rate 0.1 --seed 1 --max-seconds 900`. Loopback only;
 * starts its own Redis and PostgreSQL (the run restarts both).
 */
export const faultsBench: Benchmark = async ({ flags, progress }) => {
  const accounts = Number(flags.accounts ?? 10_000);
  const workerCount = Number(flags.workers ?? 3);
  const crmFaultRate = Number(flags['crm-fault-rate'] ?? 0.1);
  const seed = Number(flags.seed ?? 1);
  const maxSeconds = Number(flags['max-seconds'] ?? 900);
  const csv = String(flags.csv ?? DEFAULT_CSV);
  const rng = mulberry32(seed);
  const cleanup: (() => unknown)[] = [];
  try {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'se-bench-faults-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const redis = await ownRedis(dir, cleanup);
    progress(`redis on ${redis.url} (AOF, fsync always); starting PostgreSQL`);
    const pg = await startOwnTestPostgres();
    cleanup.push(() => pg.stop());
    const database = await pg.createDatabase();
    const encryptionKey = randomBytes(32);
    const store = await openPostgresStore({ url: database.url, encryptionKey, poolSize: 4 });
    cleanup.push(() => store.close());

    progress(`HubSpot sandbox with ${accounts} companies, ${Math.round(crmFaultRate * 100)} % of requests faulted`);
    const sandbox = await startHubSpotSandbox({
      book: companiesOnlyBook(accounts, csv),
      tier: 'free',
      faults: crmFaults(crmFaultRate, seed),
    });
    cleanup.push(() => sandbox.close());
    const writes = countScoreWrites(sandbox);
    const secret = randomBytes(24).toString('hex');
    // Half the receiver's requests are checked against a clock up to 80 % of the signature tolerance off.
    const skewRng = mulberry32(seed + 1);
    const receiver = await startCountingReceiver(secret, () =>
      skewRng.next() < 0.5 ? Math.round((skewRng.next() * 2 - 1) * DEFAULT_TOLERANCE_SECONDS * 800) : 0,
    );
    cleanup.push(() => receiver.close());
    await installTenant(store, sandbox, progress);

    const settingsPath = path.join(dir, 'settings.json');
    writeWorkerSettings(settingsPath, TENANT, CONNECTION, { url: receiver.url, secret });
    const prefix = `bench-faults-${randomBytes(4).toString('hex')}`;
    const fleet = new WorkerFleet(workerCount, {
      prefix,
      settingsPath,
      env: {
        REDIS_URL: redis.url,
        SE_DATABASE_URL: database.url,
        SE_ENCRYPTION_KEY: encryptionKey.toString('hex'),
        SE_DATA_DIR: dir,
        SE_HUBSPOT_CLIENT_ID: OAUTH.clientId,
        SE_HUBSPOT_CLIENT_SECRET: OAUTH.clientSecret,
        SE_CRM_REQUEST_TIMEOUT_SECONDS: '3',
        LOG_LEVEL: 'error',
      },
    });
    cleanup.push(() => fleet.killAll());
    const producer = new BullmqJobQueue({ redisUrl: redis.url, prefix });
    cleanup.push(() => producer.close());

    const t = Date.now();
    await producer.enqueue('sync.start', {
      tenantId: TENANT,
      connectionId: CONNECTION,
      mode: 'backfill',
      entities: ['account'],
      train: true,
      asOf: companiesOnlyBook(0, csv).asOf,
      runId: 'faults',
    });
    const chaos = runChaos({ rng, fleet, redis, pg, store, producer, writes, receiver, companies: accounts, progress });
    let timedOut = false;
    await producer.waitForIdle({ timeoutMs: maxSeconds * 1000, pollMs: 500, maxOutageMs: 120_000 }).catch((error: unknown) => {
      timedOut = true;
      progress(`not idle after ${maxSeconds} s: ${String(error)}`);
    });
    chaos.stop();
    await chaos.done;
    const seconds = (Date.now() - t) / 1000;
    const deadLetters = (await producer.queue(DEAD_LETTER_QUEUE).getJobs(['waiting', 'completed', 'failed', 'delayed'])).map((j) => {
      const d = j.data as { queue?: string; error?: string };
      return { queue: d.queue, error: String(d.error).slice(0, 300) };
    });
    await fleet.stopAll();

    const outcome = await checkOutcome(store, sandbox, writes, receiver);
    const crm = sandbox.state.faults.injected;
    const crmInjected = Object.values(crm).reduce((n, v) => n + v, 0);
    const faults = {
      crm: { ...crm, requests: sandbox.state.faults.requestCount },
      workerKills: chaos.log.filter((e) => e.fault === 'worker-sigkill').length,
      redisRestarts: chaos.log.filter((e) => e.fault === 'redis-crash').length,
      postgresRestarts: chaos.log.filter((e) => e.fault === 'postgres-restart').length,
      skewedAlertClocks: receiver.skewed.count,
    };
    return {
      faultsInjected: crmInjected + faults.workerKills + faults.redisRestarts + faults.postgresRestarts + faults.skewedAlertClocks,
      lost: outcome.lost.total,
      duplicateWrites: outcome.duplicateWrites,
      duplicateAlerts: outcome.duplicateAlerts,
      consistent: !timedOut && outcome.consistent,
      accounts,
      workers: workerCount,
      seconds: Number(seconds.toFixed(1)),
      timedOut,
      faults,
      chaos: chaos.log,
      lostBy: outcome.lost,
      alerts: outcome.alerts,
      redeliveriesSameKey: outcome.redeliveries,
      deadLetters,
    };
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
};

/** The CRM's share of faulted requests, split across the kinds a real portal shows. */
function crmFaults(rate: number, seed: number): FaultPlan {
  return {
    seed,
    serverErrorRate: rate * 0.3,
    dropRate: rate * 0.2,
    answerLostRate: rate * 0.2,
    rateLimitRate: rate * 0.1,
    hangRate: rate * 0.1,
    // Held past the workers' request timeout (3 s here), then dropped unapplied.
    hangMs: 600_000,
    expireTokensRate: rate * 0.1,
  };
}

/** The tenant as an OAuth install leaves it: a connection with access and refresh tokens, and our properties created. */
async function installTenant(store: Store, sandbox: HubSpotSandbox, progress: (m: string) => void): Promise<void> {
  const now = new Date().toISOString();
  const code = sandbox.state.issueAuthCode(REDIRECT, Object.keys(HUBSPOT_REQUIRED_SCOPES));
  let saved = await new HubSpotConnector({ tenantId: TENANT, portalKey: 'install', basePath: sandbox.url, oauthClient: OAUTH }).authorise({
    kind: 'authorization-code',
    code,
    redirectUri: REDIRECT,
  });
  const installer = new HubSpotConnector({
    tenantId: TENANT,
    portalKey: 'install',
    basePath: sandbox.url,
    oauthClient: OAUTH,
    accessToken: saved.accessToken,
    ...(saved.refreshToken ? { refreshToken: saved.refreshToken } : {}),
    onTokens: (t) => {
      saved = { ...saved, ...t };
    },
  });
  progress('install: our property group and properties (through the faulted CRM)');
  await installer.ensureSchema();
  await store.upsertTenant({ id: TENANT, name: 'Fault campaign', locale: 'en', createdAt: now });
  await store.saveConnection(
    {
      id: CONNECTION,
      tenantId: TENANT,
      provider: 'hubspot',
      externalOrgId: String(sandbox.state.portal.portalId),
      baseUrl: sandbox.url,
      createdAt: now,
      updatedAt: now,
    },
    saved,
  );
}

interface OwnRedis {
  url: string;
  /** SIGKILL, as a crash; the AOF (fsync always) keeps every acknowledged write. */
  crash(): Promise<void>;
  start(): Promise<void>;
}

async function ownRedis(dir: string, cleanup: (() => unknown)[]): Promise<OwnRedis> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(dir, 'redis-'));
  let child: ChildProcess = await startOwnRedis(port, dataDir);
  cleanup.push(() => child.kill('SIGKILL'));
  return {
    url: `redis://127.0.0.1:${port}`,
    async crash() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async start() {
      child = await startOwnRedis(port, dataDir);
    },
  };
}

/** K worker processes of the built CLI; any of them can be SIGKILLed and replaced. */
class WorkerFleet {
  private readonly children: ChildProcess[] = [];
  constructor(
    count: number,
    private readonly options: { prefix: string; settingsPath: string; env: Record<string, string> },
  ) {
    for (let i = 0; i < count; i++) this.children.push(this.spawnOne());
  }

  get size(): number {
    return this.children.length;
  }

  /** SIGKILL worker `index` and start a replacement a second later, as a supervisor would. */
  async killAndReplace(index: number): Promise<void> {
    const victim = this.children[index] as ChildProcess;
    const exited = new Promise((resolve) => victim.once('exit', resolve));
    victim.kill('SIGKILL');
    await exited;
    await sleep(1_000);
    this.children[index] = this.spawnOne();
  }

  async stopAll(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
  }

  killAll(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }

  private spawnOne(): ChildProcess {
    const main = path.join(__dirname, '..', 'app', 'cli', 'main.js');
    const { prefix, settingsPath, env } = this.options;
    return spawn(
      process.execPath,
      [main, 'worker', '--prefix', prefix, '--settings', settingsPath, '--concurrency', '2', '--lock-ms', '15000'],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
  }
}

type ChaosFault = 'worker-sigkill' | 'redis-crash' | 'postgres-restart';
interface ChaosEvent {
  fault: ChaosFault;
  atSecond: number;
  when: string;
  worker?: number;
}

/**
 * Faults tied to the run's progress, so every phase gets some whatever the machine's speed: a worker
 * killed during the sync, Redis crashing later in the sync, PostgreSQL restarting while the book is
 * scored, workers killed during write-back and alert delivery (about 70 % of companies are live
 * customers who get a score, hence the write-back thresholds). Which worker dies is drawn from `rng`.
 */
function runChaos(ctx: {
  rng: Rng;
  fleet: WorkerFleet;
  redis: OwnRedis;
  pg: Required<TestPostgres>;
  store: Store;
  producer: BullmqJobQueue;
  writes: Map<string, number>;
  receiver: CountingReceiver;
  companies: number;
  progress: (m: string) => void;
}): { log: ChaosEvent[]; stop(): void; done: Promise<void> } {
  const t = Date.now();
  const log: ChaosEvent[] = [];
  const synced = async (): Promise<number> => ctx.store.countRecords(TENANT, 'account').catch(() => 0);
  const scoring = async (): Promise<boolean> =>
    (await ctx.producer
      .queue('score.tenant')
      .getActiveCount()
      .catch(() => 0)) > 0;
  const killOne = async (): Promise<number> => {
    const index = Math.floor(ctx.rng.next() * ctx.fleet.size);
    await ctx.fleet.killAndReplace(index);
    return index;
  };
  const plan: { when: string; ready: () => Promise<boolean>; fault: ChaosFault; act: () => Promise<number | undefined> }[] = [
    { when: 'sync 25 %', ready: async () => (await synced()) >= ctx.companies * 0.25, fault: 'worker-sigkill', act: killOne },
    {
      when: 'sync 60 %',
      ready: async () => (await synced()) >= ctx.companies * 0.6,
      fault: 'redis-crash',
      act: async () => {
        await ctx.redis.crash();
        await sleep(1_500);
        await ctx.redis.start();
        return undefined;
      },
    },
    {
      when: 'scoring',
      ready: scoring,
      fault: 'postgres-restart',
      act: async () => {
        ctx.pg.halt();
        await sleep(3_000);
        ctx.pg.start();
        return undefined;
      },
    },
    {
      when: 'write-back 30 %',
      ready: () => Promise.resolve(ctx.writes.size >= ctx.companies * 0.3 * 0.7),
      fault: 'worker-sigkill',
      act: killOne,
    },
    { when: 'alerts delivering', ready: () => Promise.resolve(ctx.receiver.posts.size >= 5), fault: 'worker-sigkill', act: killOne },
    {
      when: 'write-back 70 %',
      ready: () => Promise.resolve(ctx.writes.size >= ctx.companies * 0.7 * 0.7),
      fault: 'worker-sigkill',
      act: killOne,
    },
  ];
  let stopped = false;
  const done = (async () => {
    for (const step of plan) {
      while (!stopped && !(await step.ready())) await sleep(200);
      if (stopped) return;
      const atSecond = Number(((Date.now() - t) / 1000).toFixed(1));
      const worker = await step.act();
      log.push({ fault: step.fault, atSecond, when: step.when, ...(worker !== undefined ? { worker } : {}) });
      ctx.progress(`chaos at ${atSecond} s (${step.when}): ${step.fault}${worker !== undefined ? ` of worker ${worker}` : ''}`);
    }
  })();
  return {
    log,
    stop: () => {
      stopped = true;
    },
    done,
  };
}

/** The end state against the CRM and the receiver. */
async function checkOutcome(store: Store, sandbox: HubSpotSandbox, writes: Map<string, number>, receiver: CountingReceiver) {
  const companies = [...sandbox.state.portal.table('companies').values()].filter((c) => !c.archived).map((c) => c.id);
  const records = await store.countRecords(TENANT, 'account');
  const versions = (await store.listRecords(TENANT, 'account', { modifiedAtOrBefore: '9999-12-31T00:00:00.000Z' })).length;
  const scores = await store.latestScores(TENANT);
  const scoredIds = new Set(scores.map((s) => s.accountId.replace(/^hubspot:/, '')));
  const writesLost = [...scoredIds].filter((id) => !writes.has(id)).length;
  const strayWrites = [...writes.keys()].filter((id) => !scoredIds.has(id)).length;
  const disagreeing = scores.filter((s) => {
    const crm = crmScoreValues(sandbox, s.accountId.replace(/^hubspot:/, ''));
    return !crm || !sameAsCrm(scoreFieldValues(s), crm);
  }).length;

  const alerts = await store.listAlerts(TENANT);
  const undelivered = alerts.filter((a) => a.status !== 'delivered' || !receiver.posts.has(a.idempotencyKey)).length;
  const keys = new Set(alerts.map((a) => a.idempotencyKey));
  const strayPosts = [...receiver.posts.keys()].filter((k) => !keys.has(k)).length;
  const perAlert = new Map<string, number>();
  for (const a of alerts)
    perAlert.set(`${a.accountId}|${a.rule}|${a.target}`, (perAlert.get(`${a.accountId}|${a.rule}|${a.target}`) ?? 0) + 1);
  const lost = {
    records: Math.max(0, companies.length - records),
    writes: writesLost,
    alerts: undelivered,
    total: 0,
  };
  lost.total = lost.records + lost.writes + lost.alerts;
  return {
    lost,
    duplicateWrites: [...writes.values()].filter((n) => n > 1).length + strayWrites,
    // Alerts a receiver that dedupes on the Idempotency-Key (as docs/alerts.md asks) would act on twice.
    duplicateAlerts: [...perAlert.values()].filter((n) => n > 1).length + strayPosts,
    redeliveries: [...receiver.posts.values()].filter((n) => n > 1).length,
    alerts: { raised: alerts.length, delivered: alerts.length - undelivered },
    consistent: records === companies.length && versions === companies.length && disagreeing === 0 && lost.total === 0,
  };
}
