import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionId, CrmTokens, Store, TenantId } from '../../core';
import { HUBSPOT_REQUIRED_SCOPES } from '../../manifests/crm-manifests';
import { HubSpotConnector } from '../../connectors/hubspot/hubspot.connector';
import {
  generateBook,
  readTelcoCsv,
  startHubSpotSandbox,
  type AccountBundle,
  type FaultPlan,
  type HubSpotSandbox,
  type HubSpotTier,
} from '../../sandbox';
import { openPostgresStore } from '../../store';
import { openTestStore, type TestStore } from '../helpers/test-store';
import type { TestPostgres } from '../store/postgres-server';
import { countScoreWrites, startCountingReceiver } from '../helpers/crm-watch';
import { writeWorkerSettings } from '../helpers/worker-settings';

/**
 * What the pipeline tests share: a HubSpot sandbox whose state the test reads (writes per company,
 * accepted requests per window), a SQLite store the worker processes open too, and an alert
 * receiver that counts every POST per idempotency key.
 */
export const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
export const TENANT = 'pipeline-test' as TenantId;
export const CONNECTION = 'hubspot-main' as ConnectionId;
const TOKEN = 'pat-na1-pipeline-test';

export interface Harness {
  dir: string;
  keyHex: string;
  settingsPath: string;
  sandbox: HubSpotSandbox;
  store: Store;
  asOf: string;
  /** Writes of our churn property per company id (every write counts, even of the same value). */
  writes: Map<string, number>;
  /** Times (ms) of requests the sandbox's rate limiter accepted, and how many it refused. */
  accepted: number[];
  refused: { count: number };
  /** POSTs per idempotency key at the receiver, and the verified keys it kept. */
  alertPosts: Map<string, number>;
  workerEnv: Record<string, string>;
  companyIds(): string[];
  close(): Promise<void>;
}

export async function startHarness(options: {
  accounts: number;
  seed?: number;
  companiesOnly?: boolean;
  tier?: HubSpotTier;
  faults?: FaultPlan;
  /** The harness and its worker processes share a database of this server, whatever SE_TEST_STORE says. */
  postgres?: TestPostgres;
  /** Connect as the marketplace app does (OAuth access and refresh tokens), not with a private-app token. */
  oauth?: boolean;
}): Promise<Harness> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-pipeline-'));
  const book = generateBook({ seed: options.seed ?? 7, accounts: options.accounts, rows: readTelcoCsv(CSV) });
  if (options.companiesOnly)
    book.bundles = book.bundles.map((b): AccountBundle => ({
      ...b,
      contacts: [],
      deals: [],
      tickets: [],
      activities: [],
      transactions: [],
    }));
  const sandbox = await startHubSpotSandbox({
    book,
    tier: options.tier ?? 'free',
    privateAppTokens: [TOKEN],
    ...(options.faults ? { faults: options.faults } : {}),
  });

  const writes = countScoreWrites(sandbox);
  const accepted: number[] = [];
  const refused = { count: 0 };
  const limiter = sandbox.state.limiter;
  const take = limiter.take.bind(limiter);
  limiter.take = (o) => {
    const verdict = take(o);
    if (verdict.ok) accepted.push(Date.now());
    else refused.count++;
    return verdict;
  };

  const secret = randomBytes(24).toString('hex');
  const receiver = await startCountingReceiver(secret);
  const alertPosts = receiver.posts;
  const receiverUrl = receiver.url;

  const key = randomBytes(32);
  const opened = options.postgres
    ? await ownPostgresStore(options.postgres, key)
    : await openTestStore({ sqlitePath: path.join(dir, 'store.sqlite'), encryptionKey: key });
  const store = opened.store;
  await store.upsertTenant({ id: TENANT, name: 'Pipeline test tenant', locale: 'en', createdAt: book.asOf });
  await store.saveConnection(
    {
      id: CONNECTION,
      tenantId: TENANT,
      provider: 'hubspot',
      externalOrgId: String(sandbox.state.portal.portalId),
      baseUrl: sandbox.url,
      createdAt: book.asOf,
      updatedAt: book.asOf,
    },
    options.oauth ? await oauthTokens(sandbox) : { accessToken: TOKEN },
  );
  // Install (our properties) as the install step would; the pipeline needs them to write.
  await new HubSpotConnector({ tenantId: TENANT, portalKey: `install-${dir}`, basePath: sandbox.url, accessToken: TOKEN }).ensureSchema();

  const settingsPath = path.join(dir, 'settings.json');
  writeWorkerSettings(settingsPath, TENANT, CONNECTION, { url: receiverUrl, secret });
  return {
    dir,
    keyHex: key.toString('hex'),
    settingsPath,
    sandbox,
    store,
    asOf: book.asOf,
    writes,
    accepted,
    refused,
    alertPosts,
    workerEnv: {
      ...opened.env,
      SE_ENCRYPTION_KEY: key.toString('hex'),
      SE_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      ...(options.oauth ? { SE_HUBSPOT_CLIENT_ID: SANDBOX_OAUTH.clientId, SE_HUBSPOT_CLIENT_SECRET: SANDBOX_OAUTH.clientSecret } : {}),
    },
    companyIds: () => [...sandbox.state.portal.table('companies').values()].filter((c) => !c.archived).map((c) => c.id),
    async close() {
      await opened.close();
      await receiver.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The HubSpot sandbox's default OAuth app. */
export const SANDBOX_OAUTH = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' };

/** Tokens as the marketplace install leaves them: the code exchange for every scope the app asks. */
async function oauthTokens(sandbox: HubSpotSandbox): Promise<CrmTokens> {
  const redirectUri = 'https://app.example.com/oauth';
  const code = sandbox.state.issueAuthCode(redirectUri, Object.keys(HUBSPOT_REQUIRED_SCOPES));
  return new HubSpotConnector({ tenantId: TENANT, portalKey: 'oauth', basePath: sandbox.url, oauthClient: SANDBOX_OAUTH }).authorise({
    kind: 'authorization-code',
    code,
    redirectUri,
  });
}

async function ownPostgresStore(server: TestPostgres, encryptionKey: Buffer): Promise<Pick<TestStore, 'store' | 'env' | 'close'>> {
  const database = await server.createDatabase();
  const store = await openPostgresStore({ url: database.url, encryptionKey, poolSize: 4 });
  return {
    store,
    env: { SE_DATABASE_URL: database.url },
    close: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/** Most requests the sandbox accepted in any window of `windowMs`. */
export function peakInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

/** A real `success-engine worker` process (TypeScript compiled on load). The lock must outlast the longest synchronous step (training, scoring the book) on a loaded machine. */
export function spawnWorker(h: Harness, redisUrl: string, prefix: string, extra: string[] = []): ChildProcess & { output: () => string } {
  const root = path.resolve(__dirname, '../..');
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(root, 'test/helpers/ts-register.js'),
      path.join(root, 'app/cli/main.ts'),
      'worker',
      '--prefix',
      prefix,
      '--settings',
      h.settingsPath,
      '--lock-ms',
      '15000',
      '--concurrency',
      '2',
      ...extra,
    ],
    {
      cwd: root,
      env: { ...process.env, ...h.workerEnv, REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  return Object.assign(child, { output: () => output });
}

export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
