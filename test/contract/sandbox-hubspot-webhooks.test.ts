import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Signature } from '@hubspot/api-client';
import { fixedClock } from '../../core';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/hubspot-sandbox.server';

const TOKEN = 'pat-na1-sandbox-0000';
const SECRET = 'webhook-secret';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('HubSpot sandbox outbound webhooks', () => {
  let receiver: Server;
  let target: string;
  const received: Received[] = [];
  const statuses: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(statuses.shift() ?? 204);
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
    statuses.length = 0;
  });

  async function withSandbox(
    run: (sandbox: HubSpotSandbox, clock: ReturnType<typeof fixedClock>) => Promise<void>,
    batchSize = 100,
  ): Promise<void> {
    const clock = fixedClock(new Date());
    const sandbox = await startHubSpotSandbox({
      clock,
      tier: 'enterprise',
      webhooks: { targetUrl: target, clientSecret: SECRET, appId: 77, batchSize, retryDelaysMs: [60_000, 120_000], maxAttempts: 3 },
    });
    try {
      await run(sandbox, clock);
    } finally {
      await sandbox.close();
    }
  }

  it('batches creations, property changes and deletions into signed POSTs the SDK helper accepts', async () => {
    await withSandbox(async (sandbox) => {
      const hs = new Client({ accessToken: TOKEN, basePath: sandbox.url });
      const created = await hs.crm.companies.basicApi.create({ properties: { name: 'Hooked' }, associations: [] });
      await hs.crm.companies.basicApi.update(created.id, { properties: { name: 'Hooked', industry: 'RETAIL' } });
      await hs.crm.companies.basicApi.archive(created.id);
      await hs.crm.objects.notes.basicApi.create({
        properties: { hs_note_body: 'not a webhook type', hs_timestamp: new Date().toISOString() },
        associations: [],
      });
      await sandbox.state.webhooks!.flush();

      expect(received).toHaveLength(1);
      const [post] = received;
      const events = JSON.parse(post!.body) as Record<string, unknown>[];
      expect(events.map((e) => e.subscriptionType)).toEqual(['company.creation', 'company.propertyChange', 'company.deletion']);
      expect(events[1]).toMatchObject({
        objectId: Number(created.id),
        propertyName: 'industry',
        propertyValue: 'RETAIL',
        attemptNumber: 0,
        appId: 77,
        portalId: sandbox.state.portal.portalId,
      });
      expect(events[0]?.changeFlag).toBe('NEW');
      expect(new Set(events.map((e) => e.eventId)).size).toBe(3);

      const timestamp = Number(post!.headers['x-hubspot-request-timestamp']);
      expect(
        Signature.isValid({
          signatureVersion: 'v3',
          signature: String(post!.headers['x-hubspot-signature-v3']),
          clientSecret: SECRET,
          requestBody: post!.body,
          url: target,
          method: 'POST',
          timestamp,
        }),
      ).toBe(true);
      expect(
        Signature.isValid({
          signatureVersion: 'v1',
          signature: String(post!.headers['x-hubspot-signature']),
          clientSecret: SECRET,
          requestBody: post!.body,
        }),
      ).toBe(true);
      expect(
        Signature.isValid({
          signatureVersion: 'v1',
          signature: String(post!.headers['x-hubspot-signature']),
          clientSecret: 'wrong',
          requestBody: post!.body,
        }),
      ).toBe(false);
    });
  });

  it('splits into batches of the configured size', async () => {
    await withSandbox(async (sandbox) => {
      const hs = new Client({ accessToken: TOKEN, basePath: sandbox.url });
      await hs.crm.contacts.batchApi.create({
        inputs: Array.from({ length: 5 }, (_, i) => ({ properties: { email: `p${i}@example.com` }, associations: [] })),
      });
      await sandbox.state.webhooks!.flush();
      expect(received.map((r) => (JSON.parse(r.body) as unknown[]).length)).toEqual([2, 2, 1]);
    }, 2);
  });

  it('retries after a 5xx with a higher attemptNumber once the delay has passed, and drops after a 4xx', async () => {
    await withSandbox(async (sandbox, clock) => {
      const hs = new Client({ accessToken: TOKEN, basePath: sandbox.url });
      statuses.push(503);
      await hs.crm.deals.basicApi.create({ properties: { dealname: 'Retry me' }, associations: [] });
      const hooks = sandbox.state.webhooks!;
      await hooks.flush();
      expect(received).toHaveLength(1);
      await hooks.flush();
      expect(received).toHaveLength(1); // not due yet
      clock.advance(60_000);
      await hooks.flush();
      expect(received).toHaveLength(2);
      expect((JSON.parse(received[1]!.body) as { attemptNumber: number }[])[0]?.attemptNumber).toBe(1);
      expect(hooks.queued).toBe(0);

      statuses.push(400);
      await hs.crm.deals.basicApi.create({ properties: { dealname: 'Rejected' }, associations: [] });
      await hooks.flush();
      clock.advance(600_000);
      await hooks.flush();
      expect(received).toHaveLength(3);
      expect(hooks.dropped).toHaveLength(1);
      expect(hooks.deliveries.map((d) => d.status)).toEqual([503, 204, 400]);
    });
  });
});
