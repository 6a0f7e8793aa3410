import type { CrmConnector, PulledPage, ScoreSet, SyncCursor, TenantId } from '../core';
import { HubSpotConnector } from '../connectors/hubspot/hubspot.connector';
import { SalesforceConnector } from '../connectors/salesforce/salesforce.connector';
import { emptyCallStats } from '../connectors/shared/governed-call';
import {
  HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL,
  HUBSPOT_RATE_INTERVAL_MS,
  SALESFORCE_LIMITS,
} from '../connectors/shared/provider-limits';
import { startHubSpotSandbox } from '../sandbox/hubspot/hubspot-sandbox.server';
import { startSalesforceSandbox } from '../sandbox/salesforce/salesforce-sandbox.server';
import { generateBook, generateBundles } from '../sandbox/seed/book.generator';
import type { AccountBundle, Book } from '../sandbox/seed/book.types';
import { readTelcoCsv } from '../sandbox/seed/telco.reader';
import type { Benchmark } from './bench-kit';
import { forkSandbox, serveSandboxFromChild, type SandboxChild } from './sandbox-child';

const DEFAULT_CSV = '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';
const tenantId = 'bench-connectors' as TenantId;

function score(accountId: string, i: number): ScoreSet {
  const p = (i % 97) / 100;
  return {
    tenantId,
    accountId: accountId as ScoreSet['accountId'],
    computedAt: '2026-10-01T00:00:00.000Z',
    churn: {
      probability: p,
      band: p >= 0.75 ? 'critical' : p >= 0.5 ? 'high' : p >= 0.25 ? 'medium' : 'low',
      drivers: [
        { feature: 'tenure_months', contribution: 10, direction: 'raises', value: 2, text: { en: 'Short tenure', zh: '客户时长短' } },
      ],
      model: { name: 'churn', version: 'bench', kind: 'learned' },
    },
    nextBestActions: [],
    modelVersion: 'bench',
  };
}

/** Companies only: the benchmark measures account sync and write-back, not the generator. */
function accountsOnlyBook(accounts: number, rows: ReturnType<typeof readTelcoCsv>): Book {
  const seed = { seed: 42, accounts, rows };
  return { ...generateBook({ ...seed, accounts: 0 }), bundles: accountsOnly(generateBundles(seed)) };
}

async function syncAndWrite(
  connector: CrmConnector,
  progress: (m: string) => void,
): Promise<{ synced: number; unique: number; written: number; failed: number; syncSeconds: number; writeSeconds: number }> {
  const t0 = process.hrtime.bigint();
  const ids: string[] = [];
  let cursor: SyncCursor | null = null;
  for (;;) {
    const page: PulledPage<'account'> = await connector.pullPage('account', cursor);
    ids.push(...page.records.map((r) => r.id));
    cursor = page.nextCursor;
    if (ids.length % 10_000 < page.records.length) progress(`synced ${ids.length}`);
    if (page.done) break;
  }
  const syncSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const t1 = process.hrtime.bigint();
  let written = 0;
  let failed = 0;
  const chunk = 1_000;
  for (let i = 0; i < ids.length; i += chunk) {
    const results = await connector.writeBack(ids.slice(i, i + chunk).map((id, j) => score(id, i + j)));
    written += results.filter((r) => r.status === 'written').length;
    failed += results.filter((r) => r.status === 'failed').length;
    if ((i + chunk) % 10_000 === 0) progress(`written ${written}`);
  }
  const writeSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  return {
    synced: ids.length,
    unique: new Set(ids).size,
    written,
    failed,
    syncSeconds: Number(syncSeconds.toFixed(2)),
    writeSeconds: Number(writeSeconds.toFixed(2)),
  };
}

/**
 * Sync and write back as the queue pipeline does: each synced page's scores go to write-back while
 * the next page is pulled, with up to `inFlight` write batches outstanding.
 */
async function syncAndWritePipelined(
  connector: CrmConnector,
  progress: (m: string) => void,
  inFlight: number,
): Promise<{ synced: number; unique: number; written: number; failed: number; syncSeconds: number; writeSeconds: number }> {
  const t0 = process.hrtime.bigint();
  const ids: string[] = [];
  let written = 0;
  let failed = 0;
  const running = new Set<Promise<void>>();
  const chunk = 1_000;
  const schedule = async (batch: string[], offset: number): Promise<void> => {
    while (running.size >= inFlight) await Promise.race(running);
    const p: Promise<void> = connector
      .writeBack(batch.map((id, j) => score(id, offset + j)))
      .then((results) => {
        written += results.filter((r) => r.status === 'written').length;
        failed += results.filter((r) => r.status === 'failed').length;
        if (written % 10_000 < batch.length) progress(`written ${written}`);
      })
      .finally(() => running.delete(p));
    running.add(p);
  };
  let cursor: SyncCursor | null = null;
  for (;;) {
    const page: PulledPage<'account'> = await connector.pullPage('account', cursor);
    const pageIds = page.records.map((r) => r.id);
    const offset = ids.length;
    ids.push(...pageIds);
    cursor = page.nextCursor;
    if (ids.length % 10_000 < pageIds.length) progress(`synced ${ids.length}`);
    for (let i = 0; i < pageIds.length; i += chunk) await schedule(pageIds.slice(i, i + chunk), offset + i);
    if (page.done) break;
  }
  const syncSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await Promise.all(running);
  const total = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    synced: ids.length,
    unique: new Set(ids).size,
    written,
    failed,
    syncSeconds: Number(syncSeconds.toFixed(2)),
    writeSeconds: Number((total - syncSeconds).toFixed(2)),
  };
}

const SF_CHILD_FLAG = '--connectors-bench-salesforce-sandbox';

/** The Salesforce sandbox in a child process (same seed, same book). */
function salesforceSandboxProcess(accounts: number, latencyMs: number, csv: string): Promise<SandboxChild<object>> {
  return forkSandbox<object>(__filename, [SF_CHILD_FLAG, String(accounts), String(latencyMs), csv]);
}

if (require.main === module && process.argv[2] === SF_CHILD_FLAG) {
  const [accounts, latencyMs, csv] = process.argv.slice(3) as [string, string, string];
  serveSandboxFromChild(async () => {
    const sandbox = await startSalesforceSandbox({
      book: accountsOnlyBook(Number(accounts), readTelcoCsv(csv)),
      faults: { latencyMs: Number(latencyMs) },
      dailyApiRequests: 1_000_000,
    });
    return { url: sandbox.url, close: () => sandbox.close(), stats: () => ({}) };
  });
}

/**
 * Sync N accounts and write a score to each against the sandbox with real limits.
 * HubSpot: the public-app window (100 per 10 s), floor = calls ÷ 10 per second.
 * Salesforce: no request window but a latency model (each call waits `--latency` ms, default 40) and the
 * connector's governor (25 calls/s); floor = calls ÷ min(governor rate, calls in flight ÷ latency).
 * The sandbox runs in a child process (`--sandbox-in-process` to share ours); sync and write-back are
 * pipelined as the queues do it (`--pipeline false` for one after the other).
 */
export const connectorsBench: Benchmark = async ({ flags, progress }) => {
  const crm = String(flags.crm ?? 'hubspot');
  const accounts = Number(flags.accounts ?? 10_000);
  const rows = readTelcoCsv(String(flags.csv ?? DEFAULT_CSV));
  progress(`building a ${crm} sandbox with ${accounts} accounts`);
  const book = crm === 'salesforce' && flags['sandbox-in-process'] !== true ? accountsOnlyBook(0, rows) : accountsOnlyBook(accounts, rows);
  const stats = emptyCallStats();
  if (crm === 'hubspot') {
    const sandbox = await startHubSpotSandbox({ book, tier: 'free' });
    try {
      const connector = new HubSpotConnector({
        tenantId,
        portalKey: `bench-${Date.now()}`,
        basePath: sandbox.url,
        accessToken: 'pat-na1-sandbox-0000',
        stats,
        readBeforeWrite: false,
      });
      const t = process.hrtime.bigint();
      await connector.ensureSchema();
      const outcome = await syncAndWrite(connector, progress);
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      const perSecond = (HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL * 1000) / HUBSPOT_RATE_INTERVAL_MS;
      const callsNeeded = stats.calls - stats.failed;
      const floorSeconds = callsNeeded / perSecond;
      return {
        crm,
        accounts,
        seconds: Number(seconds.toFixed(2)),
        floorSeconds: Number(floorSeconds.toFixed(2)),
        ratio: Number((seconds / floorSeconds).toFixed(3)),
        calls: stats.calls,
        failedCalls: stats.failed,
        byReason: stats.byReason,
        ...outcome,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      };
    } finally {
      await sandbox.close();
    }
  }
  if (crm === 'salesforce') {
    const latencyMs = Number(flags.latency ?? 40);
    // Write calls in flight at once (the shared governor still caps the rate at SALESFORCE_LIMITS).
    const inFlight = Math.max(1, Number(flags['in-flight'] ?? 4));
    const pipelined = flags.pipeline !== 'false';
    const bulkPageSize = Number(flags['bulk-page'] ?? 10_000);
    // The sandbox runs in its own process, as Salesforce does: its CPU is not ours to count.
    const sandbox =
      flags['sandbox-in-process'] === true
        ? await startSalesforceSandbox({ book, faults: { latencyMs }, dailyApiRequests: 1_000_000 })
        : await salesforceSandboxProcess(accounts, latencyMs, String(flags.csv ?? DEFAULT_CSV));
    try {
      const connector = new SalesforceConnector({
        tenantId,
        orgKey: `bench-${Date.now()}`,
        instanceUrl: sandbox.url,
        accessToken: '00D8d0000000SBX!sandbox-static-token',
        namespace: null,
        stats,
        readBeforeWrite: false,
        bulkPageSize,
      });
      const cpu0 = process.cpuUsage();
      const t = process.hrtime.bigint();
      await connector.ensureSchema();
      const outcome = pipelined ? await syncAndWritePipelined(connector, progress, inFlight) : await syncAndWrite(connector, progress);
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      // Allowed rate under the latency model: the governor's rate, or fewer when the calls in flight cannot fill it.
      const governorPerSecond = (SALESFORCE_LIMITS.requestsPerInterval * 1000) / SALESFORCE_LIMITS.intervalMs;
      const allowedPerSecond = Math.min(governorPerSecond, (inFlight * 1000) / latencyMs);
      const floorSeconds = (stats.calls - stats.failed) / allowedPerSecond;
      // Our own CPU (mapping, validating and hashing every record; building write bodies): when it
      // exceeds the floor, the machine, not the API, sets the pace.
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = Number(((cpu.user + cpu.system) / 1e6).toFixed(2));
      // The sandbox's CPU (SOQL, CSV, JSON) is work Salesforce does on its servers, not on ours.
      const sandboxCpuSeconds = 'stats' in sandbox ? (await sandbox.stats()).cpuSeconds : null;
      return {
        crm,
        accounts,
        latencyMs,
        inFlight,
        pipelined,
        bulkPageSize,
        allowedPerSecond,
        cpuSeconds,
        sandboxCpuSeconds,
        seconds: Number(seconds.toFixed(2)),
        floorSeconds: Number(floorSeconds.toFixed(2)),
        ratio: Number((seconds / floorSeconds).toFixed(3)),
        calls: stats.calls,
        failedCalls: stats.failed,
        byReason: stats.byReason,
        ...outcome,
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      };
    } finally {
      await sandbox.close();
    }
  }
  throw new Error(`--crm must be hubspot or salesforce, got ${crm}`);
};

/** Keeps only the account of each generated bundle, without holding the full bundles in memory. */
function accountsOnly(bundles: Iterable<AccountBundle>): AccountBundle[] {
  const out: AccountBundle[] = [];
  for (const b of bundles) out.push({ account: b.account, contacts: [], deals: [], tickets: [], activities: [], transactions: [] });
  return out;
}
