import pino from 'pino';
import type { TenantId, Store } from '../../core';
import { createConsoleRouter } from '../../app/http/console/console.router';
import { createHttpApp, listen, type RunningServer } from '../../app/http/server';
import { createMetrics } from '../../app/observability/metrics';
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
