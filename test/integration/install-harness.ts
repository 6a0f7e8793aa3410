import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import type { Clock } from '../../core';
import { createInstallRouter, createTenantAdminRouter } from '../../app/install/install.router';
import type { InstallDeps, InstallSettings } from '../../app/install/install.types';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import { InProcessJobQueue } from '../../app/queue/in-process-queue';
import { createPipelineAdapters } from '../../app/worker/pipeline-adapters';
import { createProcessors } from '../../app/worker/processors';
import { generateBook, readTelcoCsv, type Book } from '../../sandbox';
import { SqliteStore } from '../../store';

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
  store: SqliteStore;
  queue: InProcessJobQueue;
  clock: ReturnType<typeof offsetClock>;
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * The product's HTTP surface with the install routers, over a real SQLite store and the in-process
 * queue running the product's own processors (the flow install enqueues: pages → train → score →
 * write-back).
 */
export async function startInstallHarness(settings: Omit<InstallSettings, 'stateSecret' | 'publicBaseUrl'>): Promise<InstallHarness> {
  const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
  const clock = offsetClock();
  const processors = createProcessors(
    createPipelineAdapters({ store, clock, oauthApps: { hubspot: settings.hubspot, salesforce: settings.salesforce } }),
  );
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
      await store.close();
    },
  };
}

/** Click "Install", approve in the CRM (the sandbox approves at once), follow the redirect back. */
export async function installThroughBrowser(
  server: RunningServer,
  provider: 'hubspot' | 'salesforce',
): Promise<{ status: number; body: Record<string, unknown>; callbackUrl: string }> {
  const start = await fetch(`${server.url}/install/${provider}`, { redirect: 'manual' });
  if (start.status !== 302) throw new Error(`install start answered ${start.status}`);
  const consent = await fetch(start.headers.get('location') as string, { redirect: 'manual' });
  if (consent.status !== 302) throw new Error(`CRM consent answered ${consent.status}: ${await consent.text()}`);
  const callbackUrl = consent.headers.get('location') as string;
  const done = await fetch(callbackUrl);
  return { status: done.status, body: (await done.json()) as Record<string, unknown>, callbackUrl };
}

/** Every row, in every table of the database, that mentions `needle` in any column. */
export function rowsMentioning(store: SqliteStore, needle: string): { table: string; row: Record<string, unknown> }[] {
  const tables = (store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
  const hits: { table: string; row: Record<string, unknown> }[] = [];
  for (const table of tables) {
    for (const row of store.db.prepare(`SELECT * FROM "${table}"`).all() as Record<string, unknown>[]) {
      if (Object.values(row).some((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)).includes(needle)))
        hits.push({ table, row });
    }
  }
  return hits;
}
