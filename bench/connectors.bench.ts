import type { CrmConnector, PulledPage, ScoreSet, SyncCursor, TenantId } from '../core';
import { HubSpotConnector } from '../connectors/hubspot/hubspot.connector';
import { SalesforceConnector } from '../connectors/salesforce/salesforce.connector';
import { emptyCallStats } from '../connectors/shared/governed-call';
import { HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL, HUBSPOT_RATE_INTERVAL_MS } from '../connectors/shared/provider-limits';
import { startHubSpotSandbox } from '../sandbox/hubspot/hubspot-sandbox.server';
import { startSalesforceSandbox } from '../sandbox/salesforce/salesforce-sandbox.server';
import { generateBook, generateBundles } from '../sandbox/seed/book.generator';
import type { AccountBundle, Book } from '../sandbox/seed/book.types';
import { readTelcoCsv } from '../sandbox/seed/telco.reader';
import type { Benchmark } from './bench-kit';

const DEFAULT_CSV = '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv';
const tenantId = 'bench-connectors' as TenantId;

function score(accountId: string, i: number): ScoreSet {
  const p = (i % 97) / 100;
  return {
    tenantId,
    accountId: accountId as ScoreSet['accountId'],
    computedAt: '2026-10-01T00:00:00.000Z',
    churn: { probability: p, band: p >= 0.75 ? 'critical' : p >= 0.5 ? 'high' : p >= 0.25 ? 'medium' : 'low', drivers: [{ feature: 'tenure_months', contribution: 10, direction: 'raises', value: 2, text: { en: 'Short tenure', zh: '客户时长短' } }], model: { name: 'churn', version: 'bench', kind: 'learned' } },
    nextBestActions: [],
    modelVersion: 'bench',
  };
}

/** Companies only: the benchmark measures account sync and write-back, not the generator. */
function accountsOnlyBook(accounts: number, rows: ReturnType<typeof readTelcoCsv>): Book {
  const seed = { seed: 42, accounts, rows };
  return { ...generateBook({ ...seed, accounts: 0 }), bundles: accountsOnly(generateBundles(seed)) };
}

async function syncAndWrite(connector: CrmConnector, progress: (m: string) => void): Promise<{ synced: number; unique: number; written: number; failed: number; syncSeconds: number; writeSeconds: number }> {
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
  return { synced: ids.length, unique: new Set(ids).size, written, failed, syncSeconds: Number(syncSeconds.toFixed(2)), writeSeconds: Number(writeSeconds.toFixed(2)) };
}

/**
 * Sync N accounts and write a score to each against the sandbox with real limits.
 * HubSpot: the public-app window (100 per 10 s), floor = calls ÷ 10 per second.
 * Salesforce: no request window but a latency model (each call waits `--latency` ms), floor = calls × latency.
 */
export const connectorsBench: Benchmark = async ({ flags, progress }) => {
  const crm = String(flags.crm ?? 'hubspot');
  const accounts = Number(flags.accounts ?? 10_000);
  const rows = readTelcoCsv(String(flags.csv ?? DEFAULT_CSV));
  progress(`building a ${crm} sandbox with ${accounts} accounts`);
  const book = accountsOnlyBook(accounts, rows);
  const stats = emptyCallStats();
  if (crm === 'hubspot') {
    const sandbox = await startHubSpotSandbox({ book, tier: 'free' });
    try {
      const connector = new HubSpotConnector({ tenantId, portalKey: `bench-${Date.now()}`, basePath: sandbox.url, accessToken: 'pat-na1-sandbox-0000', stats, readBeforeWrite: false });
      const t = process.hrtime.bigint();
      await connector.ensureSchema();
      const outcome = await syncAndWrite(connector, progress);
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      const perSecond = (HUBSPOT_PUBLIC_APP_REQUESTS_PER_INTERVAL * 1000) / HUBSPOT_RATE_INTERVAL_MS;
      const callsNeeded = stats.calls - stats.failed;
      const floorSeconds = callsNeeded / perSecond;
      return { crm, accounts, seconds: Number(seconds.toFixed(2)), floorSeconds: Number(floorSeconds.toFixed(2)), ratio: Number((seconds / floorSeconds).toFixed(3)), calls: stats.calls, failedCalls: stats.failed, byReason: stats.byReason, ...outcome, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
    } finally {
      await sandbox.close();
    }
  }
  if (crm === 'salesforce') {
    const latencyMs = Number(flags.latency ?? 40);
    const sandbox = await startSalesforceSandbox({ book, faults: { latencyMs }, dailyApiRequests: 1_000_000 });
    try {
      const connector = new SalesforceConnector({ tenantId, orgKey: `bench-${Date.now()}`, instanceUrl: sandbox.url, accessToken: '00D8d0000000SBX!sandbox-static-token', namespace: null, stats, readBeforeWrite: false });
      const t = process.hrtime.bigint();
      await connector.ensureSchema();
      const outcome = await syncAndWrite(connector, progress);
      const seconds = Number(process.hrtime.bigint() - t) / 1e9;
      const floorSeconds = ((stats.calls - stats.failed) * latencyMs) / 1000;
      return { crm, accounts, latencyMs, seconds: Number(seconds.toFixed(2)), floorSeconds: Number(floorSeconds.toFixed(2)), ratio: Number((seconds / floorSeconds).toFixed(3)), calls: stats.calls, failedCalls: stats.failed, byReason: stats.byReason, ...outcome, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
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
