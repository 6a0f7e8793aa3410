import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import type { Clock, EntityName } from '../../core';
import { openConnector, backfillEntities } from '../../app/install/connector-factory';
import { createInstallRouter, createTenantAdminRouter } from '../../app/install/install.router';
import type { InstallDeps, InstallSettings } from '../../app/install/install.types';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import { scoreStep } from '../../app/pipeline/score.step';
import { syncPage } from '../../app/pipeline/sync.step';
import { InProcessJobQueue } from '../../app/queue/in-process-queue';
import type { Processors } from '../../app/queue/job-queue';
import { generateBook, readTelcoCsv, type Book } from '../../sandbox';
import { SqliteRecordStore } from '../../store';

export const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');

export function smallBook(accounts = 40, seed = 5): Book {
  return generateBook({ seed, accounts, rows: readTelcoCsv(CSV) });
}

/** A clock that runs with real time (the sandboxes' tokens expire in real time) and can jump ahead. */
export function offsetClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => (offset += ms) };
}

export interface InstallHarness {
  deps: InstallDeps;
  store: SqliteRecordStore;
  queue: InProcessJobQueue;
  clock: ReturnType<typeof offsetClock>;
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * The product's HTTP surface with the install routers, over a real SQLite store and the in-process
 * queue running the real pipeline steps: sync pages until each entity is drained, then score the
 * book once every entity of the run is in.
 */
export async function startInstallHarness(settings: Omit<InstallSettings, 'stateSecret' | 'publicBaseUrl'>): Promise<InstallHarness> {
  const store = new SqliteRecordStore({ path: ':memory:', encryptionKey: randomBytes(32) });
  const clock = offsetClock();
  const remaining = new Map<string, Set<EntityName>>();
  const processors: Processors = {
    'sync.page': async (p, ctx) => {
      const connection = store.listConnections(p.tenantId).find((c) => c.id === p.connectionId);
      if (!connection) return;
      const run = remaining.get(p.runId) ?? new Set(backfillEntities(connection.provider));
      remaining.set(p.runId, run);
      const result = await syncPage(store, openConnector(deps, p.tenantId, p.connectionId), p);
      if (!result.done) {
        await ctx.queue.enqueue('sync.page', { ...p, page: p.page + 1 });
        return;
      }
      run.delete(p.entity);
      const accountIds = store.listRecords(p.tenantId, 'account', { limit: 1000 }).map((a) => a.id);
      if (run.size === 0 && accountIds.length > 0) await ctx.queue.enqueue('score.batch', { tenantId: p.tenantId, accountIds, reason: 'sync', runId: p.runId });
    },
    'score.batch': (p) => {
      scoreStep(store, p.tenantId, clock.now().toISOString());
      return Promise.resolve();
    },
  };
  const queue = new InProcessJobQueue(processors, () => Promise.resolve());
  const fullSettings: InstallSettings = { ...settings, stateSecret: randomBytes(32), publicBaseUrl: 'http://placeholder' };
  const deps: InstallDeps = { store, queue, settings: fullSettings, clock };
  const app = createHttpApp({
    store,
    log: pino({ level: 'silent' }),
    metrics: createMetrics(),
    readiness: [],
    publicRouters: [
      { path: '/install', router: createInstallRouter(deps) },
      { path: '/api/v1/tenant', router: createTenantAdminRouter(deps) },
    ],
  });
  const server = await listen(app, '127.0.0.1', 0);
  // Scoring blocks the loop for seconds; a server closing idle keep-alive sockets meanwhile races the client's reuse (ECONNRESET).
  server.server.keepAliveTimeout = 120_000;
  fullSettings.publicBaseUrl = server.url;
  return {
    deps,
    store,
    queue,
    clock,
    server,
    close: async () => {
      await server.close();
      store.close();
    },
  };
}

/** Click "Install", approve in the CRM (the sandbox approves at once), follow the redirect back. */
export async function installThroughBrowser(server: RunningServer, provider: 'hubspot' | 'salesforce'): Promise<{ status: number; body: Record<string, unknown>; callbackUrl: string }> {
  const start = await fetch(`${server.url}/install/${provider}`, { redirect: 'manual' });
  if (start.status !== 302) throw new Error(`install start answered ${start.status}`);
  const consent = await fetch(start.headers.get('location') as string, { redirect: 'manual' });
  if (consent.status !== 302) throw new Error(`CRM consent answered ${consent.status}: ${await consent.text()}`);
  const callbackUrl = consent.headers.get('location') as string;
  const done = await fetch(callbackUrl);
  return { status: done.status, body: (await done.json()) as Record<string, unknown>, callbackUrl };
}

/** Every row, in every table of the database, that mentions `needle` in any column. */
export function rowsMentioning(store: SqliteRecordStore, needle: string): { table: string; row: Record<string, unknown> }[] {
  const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
  const hits: { table: string; row: Record<string, unknown> }[] = [];
  for (const table of tables) {
    for (const row of store.db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
      if (Object.values(row).some((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)).includes(needle))) hits.push({ table, row });
    }
  }
  return hits;
}
