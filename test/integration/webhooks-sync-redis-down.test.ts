import type { ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import pino from 'pino';
import type { ConnectionId, TenantId } from '../../core';
import { startServe, type RunningServe } from '../../app/http/serve-app';
import { createMetrics } from '../../app/observability/metrics';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { freePort, startOwnRedis, uniquePrefix } from '../helpers/redis';

const SECRET = 'hs-secret';
const PUBLIC = 'https://hooks.example.com';
const T = 'tenant-a' as TenantId;

function signed(ids: number[]) {
  const body = JSON.stringify(
    ids.map((id) => ({ eventId: id, portalId: 42, occurredAt: Date.now(), subscriptionType: 'company.propertyChange', objectId: id })),
  );
  const ts = String(Date.now());
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': ts,
      'x-hubspot-signature-v3': createHmac('sha256', SECRET).update(`POST${PUBLIC}/webhooks/hubspot${body}${ts}`).digest('base64'),
    },
  };
}

async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('inbound webhooks while Redis goes down and comes back', () => {
  let redis: ChildProcess;
  let serve: RunningServe;
  let opened: TestStore;
  let port = 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-redis-down-'));
  const prefix = uniquePrefix('redis-down');

  beforeAll(async () => {
    port = await freePort();
    redis = await startOwnRedis(port, dir);
    opened = await openTestStore({ sqlitePath: path.join(dir, 'store.sqlite'), encryptionKey: randomBytes(32) });
    const store = opened.store;
    await store.upsertTenant({ id: T, name: 'A', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
    await store.saveConnection(
      {
        id: 'hs' as ConnectionId,
        tenantId: T,
        provider: 'hubspot',
        externalOrgId: '42',
        baseUrl: 'https://api.hubapi.com',
        createdAt: '2026-01-01T00:00:00Z',
        updatedAt: '2026-01-01T00:00:00Z',
      },
      { accessToken: 'x' },
    );
    serve = await startServe({
      store,
      log: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      host: '127.0.0.1',
      port: 0,
      redisUrl: `redis://127.0.0.1:${port}`,
      queuePrefix: prefix,
      hubspotClientSecrets: [SECRET],
      publicBaseUrl: PUBLIC,
    });
  }, 30_000);

  afterAll(async () => {
    await serve?.close();
    await opened?.close();
    if (redis.exitCode === null) {
      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
    }
  }, 20_000);

  const post = async (ids: number[]) => {
    const { body, headers } = signed(ids);
    const res = await fetch(`${serve.url}/webhooks/hubspot`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** As a CRM does: retry on 503 until accepted (an overloaded machine can make an add miss the 2-s limit). */
  const postUntilAccepted = async (ids: number[]) => {
    let res = await post(ids);
    for (let i = 0; res.status === 503 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      res = await post(ids);
    }
    return res;
  };

  it('answers 503 (not ready, CRM retries) while Redis is down, and queues the retried events once it is back', async () => {
    await until('readiness', async () => (await fetch(`${serve.url}/readyz`)).status === 200);
    expect((await postUntilAccepted([1])).status).toBe(200);
    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    await until('readiness to fail', async () => (await fetch(`${serve.url}/readyz`)).status === 503);
    const during = await post([2, 3]);
    expect(during.status).toBe(503);
    expect(during.body).toEqual({ error: { code: 'HTTP.UNAVAILABLE', message: 'queue unavailable, retry later' } });

    redis = await startOwnRedis(port, dir);
    await until('readiness to recover', async () => (await fetch(`${serve.url}/readyz`)).status === 200);
    // The CRM retries the rejected batch until it is accepted (the queue's own connection may
    // reconnect a moment after readiness's does: 503 again, meanwhile). Accepted in full: a 503
    // never marks events seen.
    const retried = await postUntilAccepted([2, 3]);
    expect(retried).toEqual({ status: 200, body: { received: 2, accepted: 2, duplicates: 0 } });
    const queue = new Queue('sync.page', { connection: { url: `redis://127.0.0.1:${port}` }, prefix });
    try {
      const jobs = await queue.getJobs(['delayed', 'waiting', 'prioritized']);
      expect(jobs.length).toBeGreaterThanOrEqual(1);
      expect(
        jobs.every(
          (j) => (j.data as { tenantId: string; entity: string }).tenantId === T && (j.data as { entity: string }).entity === 'account',
        ),
      ).toBe(true);
    } finally {
      await queue.close();
    }
  }, 60_000);
});
