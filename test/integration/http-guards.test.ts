import IORedis, { type Redis } from 'ioredis';
import pino from 'pino';
import type { TenantId, Store } from '../../core';
import { createConsoleRouter } from '../../app/http/console/console.router';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
import { redisUrl, uniquePrefix } from '../helpers/redis';
import { openTestStore, type TestStore } from '../helpers/test-store';

const A = 'tenant-a' as TenantId;

/** Token guessing is limited per address; console writes refuse other origins (anti-CSRF). */
describe('HTTP guards', () => {
  let store: Store;
  let opened: TestStore;
  let server: RunningServer;
  let admin = '';

  beforeAll(async () => {
    opened = await openTestStore();
    store = opened.store;
    await store.upsertTenant({ id: A, name: A, locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    admin = await store.issueApiToken(A, 'admin', 'guards');
    const app = createHttpApp({
      store,
      log: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      readiness: [],
      publicRouters: [{ path: '/console', router: createConsoleRouter({ store }) }],
      authFailureLimits: { maxFailures: 5, windowMs: 60_000 },
    });
    server = await listen(app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await opened.close();
  });

  const call = (path: string, init: { method?: string; token?: string; headers?: Record<string, string>; body?: unknown } = {}) =>
    fetch(`${server.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.headers ?? {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  it('console writes from another origin get 403; same origin and non-browser clients pass', async () => {
    const body = { enabled: false };
    const foreign = await call('/console/api/crm-tasks', {
      method: 'PUT',
      token: admin,
      body,
      headers: { origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(((await foreign.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'HTTP.FORBIDDEN',
      message: expect.stringContaining('cross-origin'),
    });
    const crossSite = await call('/console/api/crm-tasks', {
      method: 'PUT',
      token: admin,
      body,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    expect(await store.getTenantSetting(A, 'pipeline.crm-tasks')).toBeNull();
    const { host } = new URL(server.url);
    expect(
      (
        await call('/console/api/crm-tasks', {
          method: 'PUT',
          token: admin,
          body,
          headers: { origin: `http://${host}`, 'sec-fetch-site': 'same-origin' },
        })
      ).status,
    ).toBe(200);
    expect((await call('/console/api/crm-tasks', { method: 'PUT', token: admin, body })).status).toBe(200);
    expect((await store.getTenantSetting(A, 'pipeline.crm-tasks'))?.value).toMatchObject(body);
    // Reads are not writes: a cross-origin GET still needs the token, and CORS keeps its answer from the page.
    expect((await call('/console/api/crm-tasks', { token: admin, headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });

  it('after 5 failed token checks from one address every token check answers 429 with Retry-After, a valid token too', async () => {
    expect((await call('/console/api/overview', { token: admin })).status).toBe(200);
    // A missing header is not a guess.
    for (let i = 0; i < 8; i++) expect((await call('/console/api/overview')).status).toBe(401);
    for (let i = 0; i < 5; i++) expect((await call('/console/api/overview', { token: `se_guess_${i}` })).status).toBe(401);
    const limited = await call('/console/api/overview', { token: 'se_guess_6' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('HTTP.RATE_LIMITED');
    expect((await call('/console/api/overview', { token: admin })).status).toBe(429);
    expect((await call('/api/v1/scores', { token: admin })).status).toBe(429);
  });
});

/** Several serve processes behind one load balancer: guesses spread over them still hit one limit. */
describe('failed token checks counted on Redis', () => {
  let opened: TestStore;
  const servers: RunningServer[] = [];
  const clients: Redis[] = [];
  let admin = '';

  beforeAll(async () => {
    opened = await openTestStore();
    await opened.store.upsertTenant({ id: A, name: A, locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    admin = await opened.store.issueApiToken(A, 'admin', 'guards');
    const keyPrefix = uniquePrefix('auth');
    for (let i = 0; i < 2; i++) {
      const redis = new IORedis(redisUrl(), { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      clients.push(redis);
      const app = createHttpApp({
        store: opened.store,
        log: pino({ level: 'silent' }),
        metrics: createMetrics({ defaultMetrics: false }),
        readiness: [],
        publicRouters: [{ path: '/console', router: createConsoleRouter({ store: opened.store }) }],
        authFailureLimits: { maxFailures: 6, windowMs: 60_000 },
        authFailureCounter: { redis, keyPrefix },
      });
      servers.push(await listen(app, '127.0.0.1', 0));
    }
    await Promise.all(clients.map((c) => (c.status === 'ready' ? Promise.resolve() : new Promise((r) => c.once('ready', r)))));
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const c of clients) c.disconnect();
    await opened.close();
  });

  const check = (server: RunningServer, token: string) =>
    fetch(`${server.url}/console/api/overview`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

  it('3 guesses at each of two processes lock the address out of both', async () => {
    const [one, two] = servers as [RunningServer, RunningServer];
    for (let i = 0; i < 3; i++) {
      expect(await check(one, `se_guess_a${i}`)).toBe(401);
      expect(await check(two, `se_guess_b${i}`)).toBe(401);
    }
    // Per process, each has seen 3 of 6: only a shared count reaches the limit.
    expect(await check(one, admin)).toBe(429);
    expect(await check(two, admin)).toBe(429);
  });
});
