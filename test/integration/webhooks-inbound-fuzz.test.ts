import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import fc from 'fast-check';
import { createInboundWebhooksRouter } from '../../app/http/inbound-webhooks.router';
import { fixedClock } from '../../core';
import { hubspotCanonicalUri } from '../../webhooks/inbound/hubspot-signature';
import { createHubSpotWebhookHandler, type InboundHandler } from '../../webhooks/inbound/hubspot-webhook.handler';
import type { InboundEvent, InboundRequest } from '../../webhooks/inbound/inbound.types';
import { createSalesforceWebhookHandler } from '../../webhooks/inbound/salesforce-webhook.handler';
import { signatureHeader } from '../../webhooks/shared/signature';

const HS_SECRET = 'hs-client-secret-fuzz';
const SF_SECRET = 'sf-shared-secret-fuzz';
const BASE = 'https://hooks.example.com';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const clock = fixedClock(new Date(NOW));
const RUNS = 3_000;
// A cap for slow shared machines, not a timed assertion.
jest.setTimeout(300_000);

/** Signs as HubSpot does: the full URL with its listed escapes (%2C, %3A, …) decoded. */
function v3(body: Buffer, url: string, ts: string, secret = HS_SECRET, method = 'POST'): string {
  return createHmac('sha256', secret)
    .update(`${method}${hubspotCanonicalUri(`${BASE}${url}`)}`)
    .update(body)
    .update(ts)
    .digest('base64');
}

/** Handlers with counting enqueue ports. */
function harness() {
  const enqueued: InboundEvent[] = [];
  const enqueue = (events: InboundEvent[]) => {
    enqueued.push(...events);
    return Promise.resolve();
  };
  const hubspot = createHubSpotWebhookHandler({ clientSecret: HS_SECRET, publicBaseUrl: BASE, clock, enqueue });
  const salesforce = createSalesforceWebhookHandler({ sharedSecret: SF_SECRET, clock, enqueue });
  return { hubspot, salesforce, enqueued };
}

// Header values a real HTTP client could send (printable ASCII), and raw strings for the direct handler runs.
const headerText = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=,.:;-_ '.split('')),
  maxLength: 80,
});
const anyBody = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  fc.string({ unit: 'binary', maxLength: 300 }).map((s) => Buffer.from(s)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
);
const subscriptionType = fc.constantFrom(
  'company.propertyChange',
  'company.creation',
  'contact.deletion',
  'deal.associationChange',
  'ticket.merge',
  'object.propertyChange',
  'Company.x',
  'bad',
);
const looseEvent = fc.record(
  {
    eventId: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.string({ maxLength: 8 })),
    portalId: fc.oneof(fc.integer({ min: 1, max: 1e9 }), fc.string({ maxLength: 5 })),
    occurredAt: fc.oneof(fc.nat({ max: 4_000_000_000_000 }), fc.string({ maxLength: 5 })),
    subscriptionType,
    objectId: fc.oneof(fc.nat(), fc.constant(-1), fc.string({ maxLength: 5 })),
    fromObjectId: fc.nat(),
    propertyName: fc.string({ maxLength: 10 }),
    extra: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);
const validEvent = fc.record({
  eventId: fc.nat(),
  subscriptionId: fc.nat(),
  portalId: fc.integer({ min: 1, max: 1e9 }),
  appId: fc.nat(),
  occurredAt: fc.nat({ max: 4_000_000_000_000 }),
  subscriptionType: fc.constantFrom('company.propertyChange', 'company.creation', 'contact.deletion', 'deal.propertyChange'),
  attemptNumber: fc.nat({ max: 10 }),
  objectId: fc.nat(),
  propertyName: fc.string({ maxLength: 20 }),
  propertyValue: fc.string({ maxLength: 20 }),
  changeSource: fc.constantFrom('CRM', 'API', 'IMPORT'),
});
const hubspotBody = fc.oneof(
  anyBody,
  fc.array(looseEvent, { maxLength: 5 }).map((a) => Buffer.from(JSON.stringify(a))),
  fc.array(validEvent, { minLength: 1, maxLength: 20 }).map((a) => Buffer.from(JSON.stringify(a))),
);
const method = fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH');
const path = fc.oneof(
  fc.constant('/webhooks/hubspot'),
  fc.constant('/webhooks/hubspot?x=1'),
  headerText.map((q) => `/webhooks/hubspot?q=${encodeURIComponent(q)}`),
);

type SigMode = 'none' | 'valid' | 'garbage' | 'wrong-secret' | 'stale' | 'tampered' | 'legacy-garbage';
const sigMode = fc.constantFrom<SigMode>('none', 'valid', 'valid', 'garbage', 'wrong-secret', 'stale', 'tampered', 'legacy-garbage');

function hubspotRequest(m: string, url: string, body: Buffer, mode: SigMode, junk: string, tsOffset: number): InboundRequest {
  const ts = String(NOW + (mode === 'stale' ? (tsOffset >= 0 ? 300_001 + tsOffset : -300_001 + tsOffset) : tsOffset % 300_000));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (mode === 'valid')
    Object.assign(headers, { 'x-hubspot-signature-v3': v3(body, url, ts, HS_SECRET, m), 'x-hubspot-request-timestamp': ts });
  if (mode === 'stale')
    Object.assign(headers, { 'x-hubspot-signature-v3': v3(body, url, ts, HS_SECRET, m), 'x-hubspot-request-timestamp': ts });
  if (mode === 'wrong-secret')
    Object.assign(headers, { 'x-hubspot-signature-v3': v3(body, url, ts, `${HS_SECRET}x`, m), 'x-hubspot-request-timestamp': ts });
  if (mode === 'garbage')
    Object.assign(headers, { 'x-hubspot-signature-v3': junk, 'x-hubspot-request-timestamp': junk.length % 2 ? ts : junk });
  if (mode === 'legacy-garbage')
    Object.assign(headers, { 'x-hubspot-signature': junk, 'x-hubspot-signature-version': junk.length % 2 ? 'v1' : 'v2' });
  if (mode === 'tampered') {
    Object.assign(headers, { 'x-hubspot-signature-v3': v3(body, url, ts, HS_SECRET, m), 'x-hubspot-request-timestamp': ts });
    return { method: m, url, headers, rawBody: Buffer.concat([body, Buffer.from(junk || ' ')]) };
  }
  return { method: m, url, headers, rawBody: body };
}

const ALLOWED = new Set([200, 400, 401, 405, 413]);

async function checkOne(
  handler: InboundHandler,
  enqueued: InboundEvent[],
  req: InboundRequest,
  mode: SigMode,
  seen?: Set<number>,
): Promise<void> {
  const before = enqueued.length;
  const res = await handler(req);
  seen?.add(res.status);
  expect(ALLOWED.has(res.status)).toBe(true);
  if (res.status !== 200) expect(enqueued.length).toBe(before);
  if (req.method !== 'POST') expect(res.status).toBe(405);
  else if (mode !== 'valid') expect(res.status).toBe(401);
  else expect([200, 400]).toContain(res.status);
  if (res.status === 200) {
    const body = JSON.parse(res.body) as { accepted: number; received: number; duplicates: number };
    expect(enqueued.length - before).toBe(body.accepted);
    expect(body.accepted + body.duplicates).toBe(body.received);
  }
}

describe('inbound webhook fuzzing', () => {
  it(`HubSpot handler: ${RUNS} random bodies and headers never give a 5xx; bad signatures get 401 and enqueue nothing`, async () => {
    const { hubspot, enqueued } = harness();
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        hubspotBody,
        sigMode,
        headerText,
        fc.integer({ min: -1_000_000, max: 1_000_000 }),
        async (m, url, body, mode, junk, off) => {
          await checkOne(hubspot, enqueued, hubspotRequest(m, url, body, mode, junk, off), mode, statuses);
        },
      ),
      { numRuns: RUNS },
    );
    // The generators reach every branch: accepted, malformed, rejected, wrong method.
    expect([...statuses].sort()).toEqual([200, 400, 401, 405]);
    expect(enqueued.length).toBeGreaterThan(0);
  });

  it(`HubSpot handler: arbitrary header maps (${RUNS} runs) are rejected with 401, never a 5xx`, async () => {
    const { hubspot, enqueued } = harness();
    const names = fc.constantFrom(
      'x-hubspot-signature-v3',
      'X-HubSpot-Signature-v3',
      'x-hubspot-request-timestamp',
      'x-hubspot-signature',
      'x-hubspot-signature-version',
      'content-type',
      'host',
      'x-forwarded-proto',
    );
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
      fc.constant(undefined),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(names, value), anyBody, async (headers, body) => {
        await checkOne(hubspot, enqueued, { method: 'POST', url: '/webhooks/hubspot', headers, rawBody: body }, 'garbage');
      }),
      { numRuns: RUNS },
    );
    expect(enqueued).toEqual([]);
  });

  it(`Salesforce handler: ${RUNS} random JSON and XML bodies with random or valid credentials`, async () => {
    const { salesforce, enqueued } = harness();
    const xmlish = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => `<${s}>`),
      fc
        .tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }))
        .map(
          ([a, b]) =>
            `<notifications><OrganizationId>${a}</OrganizationId><Notification><Id>${b}</Id><sObject xsi:type="sf:Account"><sf:Id>${a}</sf:Id></sObject></Notification></notifications>`,
        ),
    );
    const body = fc.oneof(
      anyBody,
      xmlish.map((s) => Buffer.from(s)),
    );
    const credential = fc.constantFrom('valid', 'none', 'garbage', 'wrong-secret');
    await fc.assert(
      fc.asyncProperty(body, credential, headerText, fc.boolean(), async (raw, cred, junk, xml) => {
        const headers: Record<string, string> = { 'content-type': xml ? 'text/xml' : 'application/json' };
        let url = '/webhooks/salesforce';
        if (cred === 'valid') {
          headers['x-signature'] = signatureHeader(SF_SECRET, NOW / 1000, raw);
          url += `?token=${SF_SECRET}`;
        } else if (cred === 'garbage') {
          headers['x-signature'] = junk;
          url += `?token=${encodeURIComponent(junk)}`;
        } else if (cred === 'wrong-secret') {
          headers['x-signature'] = signatureHeader(`${SF_SECRET}x`, NOW / 1000, raw);
          url += `?token=${SF_SECRET}x`;
        }
        const before = enqueued.length;
        const res = await salesforce({ method: 'POST', url, headers, rawBody: raw });
        expect(ALLOWED.has(res.status)).toBe(true);
        if (cred !== 'valid') expect(res.status).toBe(401);
        if (res.status !== 200) expect(enqueued.length).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  describe('through the express router over loopback HTTP', () => {
    let server: http.Server;
    let port = 0;
    const { hubspot, salesforce, enqueued } = harness();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

    beforeAll(async () => {
      const app = express();
      app.use(createInboundWebhooksRouter({ hubspot, salesforce, maxBodyBytes: 4_096 }));
      server = http.createServer(app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    function send(m: string, url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: m, path: url, headers: { ...headers, 'content-length': String(body.length) }, agent },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    it('600 random requests: no 5xx, bad signatures 401, enqueue count equals accepted events', async () => {
      const encoding = fc.constantFrom(undefined, 'gzip', 'deflate', 'br', 'identity', 'x-unknown');
      const bigBody = fc.integer({ min: 4_097, max: 9_000 }).map((n) => Buffer.alloc(n, 97));
      const statuses = new Set<number>();
      await fc.assert(
        fc.asyncProperty(
          method,
          path,
          fc.oneof({ weight: 9, arbitrary: hubspotBody }, { weight: 1, arbitrary: bigBody }),
          sigMode,
          headerText,
          encoding,
          fc.integer({ min: -1_000_000, max: 1_000_000 }),
          async (m, url, body, mode, junk, enc, off) => {
            const req = hubspotRequest(m, url, body, mode, junk, off);
            const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
            if (enc) headers['content-encoding'] = enc;
            const before = enqueued.length;
            const res = await send(m, url, headers, req.rawBody);
            statuses.add(res.status);
            expect(res.status).toBeLessThan(500);
            expect([200, 400, 401, 404, 405, 413, 415]).toContain(res.status);
            if (res.status !== 200) expect(enqueued.length).toBe(before);
            else {
              expect(mode).toBe('valid');
              expect(enqueued.length - before).toBe((JSON.parse(res.body) as { accepted: number }).accepted);
            }
            if (m === 'POST' && mode !== 'valid' && req.rawBody.length <= 4_096 && (enc === undefined || enc === 'identity'))
              expect(res.status).toBe(401);
          },
        ),
        { numRuns: 600 },
      );
      for (const status of [200, 400, 401, 405, 413]) expect(statuses).toContain(status);
    });
  });
});
