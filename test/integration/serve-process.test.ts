import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import type { ConnectionId, TenantId } from '../../core';
import { signatureHeader } from '../../webhooks/shared/signature';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { redisUrl, uniquePrefix } from '../helpers/redis';

const ROOT = path.join(__dirname, '../..');
const HS_SECRET = 'hs-client-secret';
const SF_SECRET = 'sf-shared-secret';
const PUBLIC = 'https://hooks.test.example';
const PORTAL = '62515';
const SF_ORG = '00D5g000004SbXzEAK';
const T1 = 'tenant-one' as TenantId;
const T2 = 'tenant-two' as TenantId;

interface Served {
  child: ChildProcess;
  url: string;
  result: { url: string; off: string[]; features: Record<string, { on: boolean; detail: string }> };
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `success-engine serve` as its own process (TypeScript sources through swc) and waits for its JSON line. */
export function startServeProcess(env: Record<string, string>, args: string[]): Promise<Served> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'app/cli/main.ts'), 'serve', '--port', '0', '--json', ...args],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', SE_HTTP_HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 60 s:\n${stderr}`)), 60_000);
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString();
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      const result = JSON.parse(stdout.slice(0, nl)) as Served['result'];
      resolve({ child, url: result.url, result, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code} before listening:\n${stderr}`)));
  });
}

function hubspotBatch(ids: number[], objectType = 'company'): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(
    ids.map((id) => ({
      eventId: id,
      subscriptionId: 1,
      portalId: Number(PORTAL),
      occurredAt: Date.now(),
      subscriptionType: `${objectType}.propertyChange`,
      objectId: 1000 + id,
      propertyName: 'name',
    })),
  );
  const ts = String(Date.now());
  const signature = createHmac('sha256', HS_SECRET).update(`POST${PUBLIC}/webhooks/hubspot${body}${ts}`).digest('base64');
  return { body, headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ts } };
}

async function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; redirect?: 'manual' } = {},
) {
  const res = await fetch(url, {
    method: options.method ?? 'GET',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
    redirect: options.redirect ?? 'manual',
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Seeds the store `serve` will open (SQLite in its data folder, or a PostgreSQL database); the test closes it after the process ends. */
async function seedStore(dataDir: string, key: string): Promise<{ tokens: Record<string, string>; opened: TestStore }> {
  const opened = await openTestStore({ sqlitePath: path.join(dataDir, 'success-engine.sqlite'), encryptionKey: Buffer.from(key, 'hex') });
  const store = opened.store;
  const at = '2026-11-01T00:00:00.000Z';
  for (const id of [T1, T2]) await store.upsertTenant({ id, name: id, locale: 'en', createdAt: at });
  await store.saveConnection(
    {
      id: 'hs-main' as ConnectionId,
      tenantId: T1,
      provider: 'hubspot',
      externalOrgId: PORTAL,
      baseUrl: 'https://api.hubapi.com',
      createdAt: at,
      updatedAt: at,
    },
    { accessToken: 'pat-x' },
  );
  await store.saveConnection(
    {
      id: 'sf-main' as ConnectionId,
      tenantId: T2,
      provider: 'salesforce',
      externalOrgId: SF_ORG,
      baseUrl: 'https://example.my.salesforce.com',
      createdAt: at,
      updatedAt: at,
    },
    { accessToken: 'sf-x' },
  );
  const tokens = {
    adminOne: await store.issueApiToken(T1, 'admin', 'ops'),
    readerOne: await store.issueApiToken(T1, 'reader', 'card'),
    adminTwo: await store.issueApiToken(T2, 'admin', 'ops'),
  };
  return { tokens, opened };
}

describe('success-engine serve (a real process on real Redis)', () => {
  const prefix = uniquePrefix('serve');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'se-serve-'));
  const key = randomBytes(32).toString('hex');
  let tokens: Record<string, string>;
  let seeded: TestStore;
  let served: Served;
  let syncQueue: Queue;

  beforeAll(async () => {
    ({ tokens, opened: seeded } = await seedStore(dataDir, key));
    writeFileSync(path.join(dataDir, 'hubspot.secret'), `# rotated monthly\n${HS_SECRET}\n`);
    writeFileSync(path.join(dataDir, 'salesforce.secret'), `${SF_SECRET}\n`);
    served = await startServeProcess(
      {
        SE_DATA_DIR: dataDir,
        ...seeded.env,
        SE_ENCRYPTION_KEY: key,
        REDIS_URL: redisUrl(),
        SE_HUBSPOT_CLIENT_ID: 'app-1',
        SE_HUBSPOT_CLIENT_SECRET: HS_SECRET,
        SE_HUBSPOT_AUTHORIZE_URL: 'https://app.hubspot.test/oauth/authorize',
      },
      [
        '--hubspot-secret-file',
        path.join(dataDir, 'hubspot.secret'),
        '--public-url',
        PUBLIC,
        '--salesforce-secret-file',
        path.join(dataDir, 'salesforce.secret'),
        '--operator-tenant',
        T1,
        '--queue-prefix',
        prefix,
      ],
    );
    syncQueue = new Queue('sync.page', { connection: { url: redisUrl() }, prefix });
  }, 90_000);

  afterAll(async () => {
    await syncQueue?.close();
    if (served && served.child.exitCode === null) {
      served.child.kill('SIGKILL');
      await served.exited;
    }
    await seeded?.close();
  });

  const jobs = async () =>
    (await syncQueue.getJobs(['delayed', 'waiting', 'prioritized'])).map((j) => ({ id: j.id, data: j.data as Record<string, unknown> }));

  it('reports every feature on, and answers health, readiness and metrics with security headers', async () => {
    expect(served.result.off).toEqual([]);
    const health = await request(`${served.url}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(health.headers.get('x-powered-by')).toBeNull();
    const ready = await request(`${served.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toMatchObject({
      status: 'ready',
      checks: [
        { name: 'store', ok: true },
        { name: 'redis', ok: true },
      ],
    });
    const metrics = await request(`${served.url}/metrics`);
    expect(metrics.text).toContain('se_http_request_duration_seconds_bucket');
    expect(metrics.text).toContain('se_process_cpu_seconds_total');
  });

  it('mounts the cards, the console and the marketplace install, each behind its own check', async () => {
    const consolePage = await request(`${served.url}/console/`);
    expect(consolePage.status).toBe(200);
    expect(consolePage.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await request(`${served.url}/console/api/overview`)).status).toBe(401);
    expect((await request(`${served.url}/card/accounts/hubspot:1`)).status).toBe(200);
    expect((await request(`${served.url}/card/api/accounts/hubspot:1`)).status).toBe(401);
    expect((await request(`${served.url}/crm/hubspot/card?objectType=0-2&objectId=1&portalId=1&userId=1`)).status).toBe(401);
    expect((await request(`${served.url}/crm/salesforce/card?objectType=Account&recordId=001000000000001`)).status).toBe(401);
    const install = await request(`${served.url}/install/hubspot`, { redirect: 'manual' });
    expect(install.status).toBe(302);
    const consent = new URL(install.headers.get('location') ?? '');
    expect(consent.origin + consent.pathname).toBe('https://app.hubspot.test/oauth/authorize');
    expect(consent.searchParams.get('redirect_uri')).toBe(`${PUBLIC}/install/hubspot/callback`);
    expect(consent.searchParams.get('state')).toEqual(expect.any(String));
  });

  it('serves the score API to a reader token and the drift report only to admins', async () => {
    expect((await request(`${served.url}/api/v1/scores`)).status).toBe(401);
    expect((await request(`${served.url}/api/v1/scores`, { headers: { authorization: `Bearer ${tokens.readerOne}` } })).status).toBe(200);
    expect((await request(`${served.url}/api/v1/admin/drift`, { headers: { authorization: `Bearer ${tokens.readerOne}` } })).status).toBe(
      403,
    );
    const drift = await request(`${served.url}/api/v1/admin/drift`, { headers: { authorization: `Bearer ${tokens.adminOne}` } });
    expect(drift.status).toBe(200);
    expect(JSON.parse(drift.text)).toMatchObject({ status: 'no-model', tenantId: T1, task: 'churn' });
  });

  it('keeps Bull Board behind an operator admin token: none 401, reader 403, other tenant 403, admin 200', async () => {
    const board = `${served.url}/admin/queues/api/queues`;
    expect((await request(board, { headers: { accept: 'application/json' } })).status).toBe(401);
    expect((await request(board, { headers: { authorization: 'Bearer se_not-a-token' } })).status).toBe(401);
    expect((await request(board, { headers: { authorization: `Bearer ${tokens.readerOne}` } })).status).toBe(403);
    expect((await request(board, { headers: { authorization: `Bearer ${tokens.adminTwo}` } })).status).toBe(403);
    const ok = await request(board, { headers: { authorization: `Bearer ${tokens.adminOne}` } });
    expect(ok.status).toBe(200);
    const names = (JSON.parse(ok.text) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['sync.page', 'score.batch', 'writeback.batch', 'alert.deliver', 'dead-letter']));
    // A browser without a token is sent to the sign-in page, which sets an HttpOnly cookie.
    const page = await request(`${served.url}/admin/queues/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/admin/login');
    const badLogin = await request(`${served.url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(tokens.readerOne ?? '')}`,
    });
    expect(badLogin.status).toBe(403);
    const login = await request(`${served.url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(tokens.adminOne ?? '')}`,
    });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/se_admin=.*HttpOnly.*SameSite=Strict/i);
    const ui = await request(`${served.url}/admin/queues/`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('__UI_CONFIG__');
  });

  it('refuses a Bull Board query value holding a NUL with 400 (the board splits its error keys on NUL and answered 500)', async () => {
    // Found by http-fuzz: GET /admin/queues/api/queues?status=%00 → 500 "Unterminated string in JSON".
    for (const query of ['status=%00', 'status=latest&activeQueue=sync.page%00x', 'page=1%00']) {
      const res = await request(`${served.url}/admin/queues/api/queues?${query}`, {
        headers: { authorization: `Bearer ${tokens.adminOne}` },
      });
      expect([query, res.status]).toEqual([query, 400]);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'HTTP.BAD_REQUEST', message: expect.stringContaining('NUL') } });
    }
  });

  it('turns an accepted HubSpot batch into one delayed incremental sync per connection and entity, deduped', async () => {
    const before = (await jobs()).length;
    const first = hubspotBatch([1, 2, 3]);
    const r1 = await request(`${served.url}/webhooks/hubspot`, { method: 'POST', headers: first.headers, body: first.body });
    expect(r1.status).toBe(200);
    expect(JSON.parse(r1.text)).toEqual({ received: 3, accepted: 3, duplicates: 0 });
    const added = (await jobs()).slice(before);
    expect(added.length).toBe(1);
    expect(added[0]?.data).toMatchObject({ tenantId: T1, connectionId: 'hs-main', entity: 'account', mode: 'incremental', page: 0 });
    // The CRM retries the same batch: 200, all duplicates, nothing new queued.
    const again = hubspotBatch([1, 2, 3]);
    const r2 = await request(`${served.url}/webhooks/hubspot`, { method: 'POST', headers: again.headers, body: again.body });
    expect(JSON.parse(r2.text)).toEqual({ received: 3, accepted: 0, duplicates: 3 });
    expect((await jobs()).length).toBe(before + 1);
    // A deal change is another entity: another job. A bad signature queues nothing.
    const deals = hubspotBatch([4], 'deal');
    expect((await request(`${served.url}/webhooks/hubspot`, { method: 'POST', headers: deals.headers, body: deals.body })).status).toBe(
      200,
    );
    const bad = hubspotBatch([5]);
    expect(
      (
        await request(`${served.url}/webhooks/hubspot`, {
          method: 'POST',
          headers: { ...bad.headers, 'x-hubspot-signature-v3': 'AAAA' },
          body: bad.body,
        })
      ).status,
    ).toBe(401);
    const all = await jobs();
    expect(all.filter((j) => j.data.entity === 'opportunity').length).toBe(1);
    expect(all.filter((j) => j.data.entity === 'account').length).toBeLessThanOrEqual(2);
    const metrics = await request(`${served.url}/metrics`);
    expect(metrics.text).toMatch(/se_inbound_events_total\{provider="hubspot",outcome="enqueued"\} 4/);
    expect(metrics.text).toMatch(/se_inbound_events_total\{provider="hubspot",outcome="duplicate"\} 3/);
  });

  it('turns a signed Salesforce change batch into an incremental sync for the org’s tenant', async () => {
    const body = JSON.stringify({
      organizationId: SF_ORG,
      events: [
        { eventId: 'tx-1:1', entityName: 'Case', changeType: 'UPDATE', recordIds: ['5005g00000AbCdEAAV'], commitTimestamp: Date.now() },
      ],
    });
    const res = await request(`${served.url}/webhooks/salesforce`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signatureHeader(SF_SECRET, Math.floor(Date.now() / 1000), body) },
      body,
    });
    expect(res.status).toBe(200);
    const job = (await jobs()).find((j) => j.data.tenantId === T2);
    expect(job?.data).toMatchObject({ connectionId: 'sf-main', entity: 'ticket', mode: 'incremental' });
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const { body, headers } = hubspotBatch([77]);
    const { port } = new URL(served.url);
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: Number(port),
          path: '/webhooks/hubspot',
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      // Half the body now, SIGTERM, the rest afterwards: the server must still answer.
      req.write(body.slice(0, 10));
      setTimeout(() => {
        served.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    const answered = await response;
    if (answered.status !== 200) throw new Error(served.stderr());
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toMatchObject({ accepted: 1 });
    expect(await served.exited).toBe(0);
    expect(served.stderr()).toContain('"msg":"stopped"');
    expect((await jobs()).some((j) => j.data.entity === 'account')).toBe(true);
  });
});

describe('success-engine serve without Redis', () => {
  it('starts, names the features that are off, and serves health and the score API', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'se-serve-noredis-'));
    const key = randomBytes(32).toString('hex');
    const { tokens, opened } = await seedStore(dataDir, key);
    writeFileSync(path.join(dataDir, 'hubspot.secret'), `${HS_SECRET}\n`);
    const served = await startServeProcess({ SE_DATA_DIR: dataDir, ...opened.env, SE_ENCRYPTION_KEY: key }, [
      '--hubspot-secret-file',
      path.join(dataDir, 'hubspot.secret'),
    ]);
    try {
      expect(served.result.off).toEqual(['queue', 'hubspot-webhooks', 'salesforce-webhooks', 'queue-board', 'install']);
      expect(served.result.features['hubspot-webhooks']?.detail).toContain('needs REDIS_URL');
      expect(JSON.parse((await request(`${served.url}/readyz`)).text)).toMatchObject({
        status: 'ready',
        checks: [{ name: 'store', ok: true }],
      });
      expect((await request(`${served.url}/api/v1/scores`, { headers: { authorization: `Bearer ${tokens.readerOne}` } })).status).toBe(200);
      const { body, headers } = hubspotBatch([1]);
      expect((await request(`${served.url}/webhooks/hubspot`, { method: 'POST', headers, body })).status).toBe(404);
      expect(
        (await request(`${served.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${tokens.adminOne}` } })).status,
      ).toBe(404);
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exited).toBe(0);
      await opened.close();
    }
  }, 90_000);
});
