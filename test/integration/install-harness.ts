import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import type { Clock, Store, TenantId } from '../../core';
import { createInstallRouter, createTenantAdminRouter } from '../../app/install/install.router';
import type { InstallDeps, InstallSettings } from '../../app/install/install.types';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import { InProcessJobQueue } from '../../app/queue/in-process-queue';
import { createPipelineAdapters } from '../../app/worker/pipeline-adapters';
import { createProcessors } from '../../app/worker/processors';
import { generateBook, readTelcoCsv, type Book } from '../../sandbox';
import { openTestStore, type TestStore } from '../helpers/test-store';

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
  store: Store;
  /** The same store's tables and rows, for what no port shows (ciphertext at rest, rows left after erasure). */
  tables: Pick<TestStore, 'tables' | 'rows'>;
  queue: InProcessJobQueue;
  clock: ReturnType<typeof offsetClock>;
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * The product's HTTP surface with the install routers, over a real store (SQLite or PostgreSQL) and the in-process
 * queue running the product's own processors (the flow install enqueues: pages → train → score →
 * write-back).
 */
export async function startInstallHarness(settings: Omit<InstallSettings, 'stateSecret' | 'publicBaseUrl'>): Promise<InstallHarness> {
  const opened = await openTestStore({ encryptionKey: randomBytes(32) });
  const store = opened.store;
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
    tables: opened,
    queue,
    clock,
    server,
    close: async () => {
      await server.close();
      await opened.close();
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
export async function rowsMentioning(
  db: Pick<TestStore, 'tables' | 'rows'>,
  needle: string,
): Promise<{ table: string; row: Record<string, unknown> }[]> {
  const hits: { table: string; row: Record<string, unknown> }[] = [];
  for (const table of await db.tables())
    for (const row of await db.rows(table)) if (Object.values(row).some((v) => columnText(v).includes(needle))) hits.push({ table, row });
  return hits;
}

/** The rows of `table` whose tenant_id is `tenantId`. */
export async function tenantRows(
  db: Pick<TestStore, 'rows'>,
  table: string,
  tenantId: TenantId | string,
): Promise<Record<string, unknown>[]> {
  return (await db.rows(table)).filter((row) => row.tenant_id === tenantId);
}

function columnText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value !== null && typeof value === 'object') return JSON.stringify(value); // PostgreSQL's jsonb and timestamps
  return String(value);
}
