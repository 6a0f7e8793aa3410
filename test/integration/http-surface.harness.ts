import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import type { AccountId, ConnectionId, ScoreSet, Store, TenantId } from '../../core';
import { bundleWebAssets } from '../../app/http/console/web-assets';
import { productRouters } from '../../app/http/product-routers';
import { startServe, type RunningServe } from '../../app/http/serve-app';
import type { AuthFailureLimits } from '../../app/http/auth-failure-limiter';
import type { ServerTimeouts } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import { startHubSpotSandbox, startSalesforceSandbox, type HubSpotSandbox, type SalesforceSandbox } from '../../sandbox';
import { openTestStore } from '../helpers/test-store';
import { hubspotSignatureV3 } from '../../webhooks/inbound/hubspot-signature';
import { makeAccount } from '../helpers/records';
import { smallBook } from './install-harness';

/**
 * Who calls. Roles come from this one list: a new role is one entry here plus its column in the
 * isolation expectations. `anonymous` sends no credential; `hubspot-signed` is a HubSpot
 * hubspot.fetch request (v3 signature, no token), the only way into the HubSpot card routes.
 */
export const TOKEN_ROLES = ['admin', 'reader', 'rep', 'service'] as const;
export const CALLERS = [...TOKEN_ROLES, 'anonymous', 'hubspot-signed'] as const;
export type TokenRole = (typeof TOKEN_ROLES)[number];
export type Caller = (typeof CALLERS)[number];

export const A = 'tenant-a' as TenantId;
export const B = 'tenant-b' as TenantId;
export const PUBLIC_URL = 'https://se.example.test';
export const HUBSPOT_CLIENT_SECRET = 'hubspot-client-secret-surface';
export const SALESFORCE_WEBHOOK_SECRET = 'salesforce-webhook-secret-surface';
export const B_PORTAL = '99999001';

/** The records a matrix row points at, by the CRM ids the card routes take. */
export interface Targets {
  /** In the caller's tenant, owned by the rep's CRM user. */
  own: { hubspot: string; salesforce: string };
  /** In the caller's tenant, owned by someone the rep's CRM user cannot see. */
  otherOwner: { hubspot: string; salesforce: string };
  /** In tenant B. */
  otherTenant: { hubspot: string; salesforce: string };
}

export interface HttpSurface {
  url: string;
  serve: RunningServe;
  store: Store;
  tokens: Record<TokenRole, string> & { adminB: string };
  /** The Salesforce and HubSpot user ids of the rep (owner of the `own` records). */
  repUser: { hubspot: string; salesforce: string };
  portalId: string;
  targets: Targets;
  hubspot: HubSpotSandbox;
  salesforce: SalesforceSandbox;
  agent: http.Agent;
  /** Every log line serve wrote (JSON), for the secrets-in-logs check. */
  logLines: string[];
  /** Every secret and token the surface was given. */
  secrets: string[];
  signHubSpot(method: string, pathAndQuery: string, body: Buffer | string, timestampMs?: number): Record<string, string>;
  request(req: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
}
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function score(tenantId: TenantId, accountId: string, probability: number): ScoreSet {
  return {
    tenantId,
    accountId: accountId as AccountId,
    computedAt: '2026-11-01T00:00:00Z',
    modelVersion: 'v1',
    nextBestActions: [
      {
        actionId: 'exec-sponsor-call',
        rank: 1,
        score: 0.9,
        title: { en: 'Executive sponsor call', zh: '高管发起人电话' },
        reasons: [{ en: 'High risk', zh: '高风险' }],
      },
    ],
    churn: {
      probability,
      band: probability > 0.6 ? 'high' : 'low',
      drivers: [],
      model: { name: 'health', version: '1', kind: 'health-score' },
    },
  };
}

/**
 * `serve` as deployed, in-process: every product router on (cards, console, HubSpot and Salesforce
 * card routes, install), inbound webhooks, Bull Board on the real Redis, over a SQLite store with
 * two tenants and the HubSpot and Salesforce sandboxes behind record-access checks.
 */
export async function startHttpSurface(options: {
  authFailureLimits?: AuthFailureLimits;
  serverTimeouts?: ServerTimeouts;
  queuePrefix: string;
  logLevel?: pino.Level;
}): Promise<HttpSurface> {
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) throw new Error('REDIS_URL is unset: the integration global setup starts a redis-server');
  const assetsDir = mkdtempSync(path.join(os.tmpdir(), 'se-surface-assets-'));
  await bundleWebAssets({ sourceDir: path.resolve(__dirname, '../../ui-extension/web'), outDir: assetsDir });
  const book = smallBook(24, 3);
  const hubspot = await startHubSpotSandbox({ book, tier: 'api-add-on' });
  const salesforce = await startSalesforceSandbox({ book });
  const encryptionKey = randomBytes(32);
  const opened = await openTestStore({ encryptionKey });
  const store = opened.store;
  const at = '2026-11-01T00:00:00Z';
  for (const id of [A, B]) {
    await store.upsertTenant({ id, name: id, locale: 'en', createdAt: at });
    await store.markInstalled(id, at);
  }
  const portalId = String(hubspot.state.portal.portalId);
  const hubspotToken = 'pat-na1-sandbox-0000';
  const salesforceToken = '00D8d0000000SBX!sandbox-static-token';
  await store.saveConnection(
    {
      id: 'hubspot' as ConnectionId,
      tenantId: A,
      provider: 'hubspot',
      externalOrgId: portalId,
      baseUrl: hubspot.url,
      createdAt: at,
      updatedAt: at,
    },
    { accessToken: hubspotToken },
  );
  await store.saveConnection(
    {
      id: 'salesforce' as ConnectionId,
      tenantId: A,
      provider: 'salesforce',
      externalOrgId: salesforce.state.org.orgId,
      baseUrl: salesforce.url,
      createdAt: at,
      updatedAt: at,
    },
    { accessToken: salesforceToken, instanceUrl: salesforce.url },
  );
  await store.saveConnection(
    {
      id: 'hubspot' as ConnectionId,
      tenantId: B,
      provider: 'hubspot',
      externalOrgId: B_PORTAL,
      baseUrl: hubspot.url,
      createdAt: at,
      updatedAt: at,
    },
    { accessToken: 'pat-na1-tenant-b-0000' },
  );

  // HubSpot: the rep owns `mine`; `theirs` belongs to an owner on another team.
  const owners = hubspot.state.portal.owners;
  const me = owners[0];
  const otherTeam = owners[1];
  const companyOf = (ownerId: string | undefined) =>
    [...hubspot.state.portal.table('companies').values()].find((c) => c.properties.hubspot_owner_id === ownerId)?.id;
  const mine = companyOf(me?.id);
  const theirs = companyOf(otherTeam?.id);
  // Salesforce: UserRecordAccess decides; the owner of the first account sees it, not another owner's.
  const sfAccounts = [...salesforce.state.org.table('Account').values()];
  const sfMine = sfAccounts[0];
  const sfTheirs = sfAccounts.find((a) => a.OwnerId !== sfMine?.OwnerId);
  if (!me || !mine || !theirs || !sfMine || !sfTheirs) throw new Error('sandbox book lacks the owners the matrix needs');
  const sfId = (a: typeof sfMine) => String(a.Id);
  const salesforceAccount = (externalId: string, tenantId: TenantId, name: string) =>
    makeAccount(
      externalId,
      {
        id: `salesforce:${externalId}` as AccountId,
        source: { provider: 'salesforce', externalId, modstamp: '2026-01-01T00:00:00.000Z' },
        name,
      },
      tenantId,
    );
  await store.upsertRecords('account', [
    makeAccount(mine, { name: 'Own account' }, A),
    makeAccount(theirs, { name: 'Other owner account' }, A),
    salesforceAccount(sfId(sfMine), A, 'Own SF account'),
    salesforceAccount(sfId(sfTheirs), A, 'Other owner SF account'),
    makeAccount('777001', { name: 'Tenant B secret account' }, B),
    salesforceAccount('001B00000000777AAA', B, 'Tenant B SF account'),
  ]);
  await store.appendScoreSets([
    score(A, `hubspot:${mine}`, 0.7),
    score(A, `hubspot:${theirs}`, 0.4),
    score(A, `salesforce:${sfId(sfMine)}`, 0.5),
    score(A, `salesforce:${sfId(sfTheirs)}`, 0.5),
    score(B, 'hubspot:777001', 0.9),
    score(B, 'salesforce:001B00000000777AAA', 0.9),
  ]);

  const tokens = {
    admin: await store.issueApiToken(A, 'admin', 'surface-admin'),
    reader: await store.issueApiToken(A, 'reader', 'surface-reader'),
    rep: await store.issueApiToken(A, 'rep', 'surface-rep', { crmUserId: String(me.userId) }),
    service: await store.issueApiToken(A, 'service', 'surface-service'),
    adminB: await store.issueApiToken(B, 'admin', 'surface-admin-b'),
  };

  const logLines: string[] = [];
  const sink: Writable = new (await import('node:stream')).Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(line);
      done();
    },
  });
  const log = pino({ level: options.logLevel ?? 'debug' }, sink);
  const metrics = createMetrics({ defaultMetrics: false });
  const hubspotClientId = 'surface-hubspot-client-id';
  const salesforceClientId = 'surface-salesforce-client-id';
  const salesforceClientSecret = 'surface-salesforce-client-secret';
  const serve = await startServe({
    store,
    log,
    metrics,
    host: '127.0.0.1',
    port: 0,
    redisUrl,
    queuePrefix: options.queuePrefix,
    hubspotClientSecrets: [HUBSPOT_CLIENT_SECRET],
    publicBaseUrl: PUBLIC_URL,
    salesforceSecrets: [SALESFORCE_WEBHOOK_SECRET],
    salesforceOrganizationIds: [salesforce.state.org.orgId],
    drainMs: 1_000,
    ...(options.serverTimeouts ? { serverTimeouts: options.serverTimeouts } : {}),
    ...(options.authFailureLimits ? { authFailureLimits: options.authFailureLimits } : {}),
    productRouters: (queue) =>
      productRouters({
        store,
        metrics,
        queue,
        webAssetsDir: assetsDir,
        settings: {
          encryptionKey,
          publicUrl: PUBLIC_URL,
          hubspotClientId,
          hubspotClientSecret: HUBSPOT_CLIENT_SECRET,
          hubspotApiUrl: hubspot.url,
          hubspotAuthorizeUrl: `${hubspot.url}/oauth/authorize`,
          salesforceClientId,
          salesforceClientSecret,
          salesforceLoginUrl: salesforce.url,
        },
      }),
  });
  const { agent, request } = httpClient(serve.url);

  return {
    url: serve.url,
    serve,
    store,
    tokens,
    repUser: { hubspot: String(me.userId), salesforce: String(sfMine.OwnerId) },
    portalId,
    targets: {
      own: { hubspot: mine, salesforce: sfId(sfMine) },
      otherOwner: { hubspot: theirs, salesforce: sfId(sfTheirs) },
      otherTenant: { hubspot: '777001', salesforce: '001B00000000777AAA' },
    },
    hubspot,
    salesforce,
    agent,
    logLines,
    secrets: [
      ...Object.values(tokens),
      HUBSPOT_CLIENT_SECRET,
      SALESFORCE_WEBHOOK_SECRET,
      salesforceClientSecret,
      hubspotToken,
      salesforceToken,
      encryptionKey.toString('hex'),
      encryptionKey.toString('base64'),
    ],
    signHubSpot,
    request,
    close: async () => {
      agent.destroy();
      await serve.close();
      await opened.close();
      await hubspot.close();
      await salesforce.close();
      rmSync(assetsDir, { recursive: true, force: true });
    },
  };
}

/** What hubspot.fetch sends: a v3 signature over the public URL, body and timestamp. */
export function signHubSpot(
  method: string,
  pathAndQuery: string,
  body: Buffer | string,
  timestampMs = Date.now() - 1_000,
): Record<string, string> {
  const ts = String(timestampMs);
  return {
    'x-hubspot-signature-v3': hubspotSignatureV3(HUBSPOT_CLIENT_SECRET, method, `${PUBLIC_URL}${pathAndQuery}`, body, ts),
    'x-hubspot-request-timestamp': ts,
  };
}

/** Raw requests over keep-alive loopback sockets (node's http: bytes as given, no fetch normalisation). */
export function httpClient(url: string): { agent: http.Agent; request(req: RawRequest): Promise<RawResponse> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const { port } = new URL(url);
  const request = (req: RawRequest): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { ...(req.headers ?? {}) };
      if (req.body) headers['content-length'] = String(req.body.length);
      const r = http.request({ host: '127.0.0.1', port: Number(port), method: req.method, path: req.path, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(req.body);
    });
  return { agent, request };
}

/** The surface's public facts, as a test on another thread sees them. */
export type RemoteSurface = Pick<
  HttpSurface,
  'url' | 'tokens' | 'targets' | 'portalId' | 'repUser' | 'signHubSpot' | 'request' | 'close'
> & { routes: { method: string; path: string }[] };

/**
 * The same surface in a worker thread: on a 2-core machine the server gets a core of its own
 * instead of sharing the test's thread with request generation and the client.
 */
export function startHttpSurfaceInWorker(options: Parameters<typeof startHttpSurface>[0]): Promise<RemoteSurface> {
  const worker = new Worker(path.join(__dirname, 'http-surface.worker.js'), { workerData: options });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { type: string; message?: string } & Omit<RemoteSurface, 'signHubSpot' | 'request' | 'close'>) => {
      if (m.type !== 'ready') {
        reject(new Error(`the surface worker failed: ${m.message ?? m.type}`));
        return;
      }
      const { agent, request } = httpClient(m.url);
      resolve({
        url: m.url,
        tokens: m.tokens,
        targets: m.targets,
        portalId: m.portalId,
        repUser: m.repUser,
        routes: m.routes,
        signHubSpot,
        request,
        close: async () => {
          agent.destroy();
          const closed = new Promise<void>((done) => worker.on('message', (x: { type: string }) => x.type === 'closed' && done()));
          worker.postMessage('close');
          await closed;
          await worker.terminate();
        },
      });
    });
  });
}
