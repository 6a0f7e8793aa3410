import { createHash, createHmac } from 'node:crypto';
import { fixedClock } from '../../core';
import { hubspotCanonicalUri } from './hubspot-signature';
import { createHubSpotWebhookHandler } from './hubspot-webhook.handler';
import type { InboundEvent, InboundRequest } from './inbound.types';

const SECRET = 'hubspot-client-secret';
const BASE = 'https://hooks.example.com';
const NOW = Date.parse('2026-06-01T12:00:00Z');

function event(eventId: number, extra: Record<string, unknown> = {}) {
  return {
    eventId,
    subscriptionId: 7,
    portalId: 62515,
    appId: 99,
    occurredAt: NOW - 1000,
    subscriptionType: 'company.propertyChange',
    attemptNumber: 0,
    objectId: 1234 + eventId,
    propertyName: 'name',
    propertyValue: 'x',
    changeSource: 'CRM',
    ...extra,
  };
}

function signedV3(body: string, opts: { ts?: number; secret?: string; url?: string; method?: string } = {}): InboundRequest {
  const url = opts.url ?? '/webhooks/hubspot';
  const ts = String(opts.ts ?? NOW);
  const sig = createHmac('sha256', opts.secret ?? SECRET)
    .update(`POST${BASE}${url}${body}${ts}`)
    .digest('base64');
  return {
    method: opts.method ?? 'POST',
    url,
    headers: { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': ts, 'content-type': 'application/json' },
    rawBody: Buffer.from(body),
  };
}

function setup(overrides: { failEnqueue?: boolean; allowLegacySignatures?: boolean } = {}) {
  const queued: InboundEvent[][] = [];
  let fail = overrides.failEnqueue ?? false;
  const handler = createHubSpotWebhookHandler({
    clientSecret: ['old-secret', SECRET],
    publicBaseUrl: `${BASE}/`,
    clock: fixedClock(new Date(NOW)),
    enqueue: (events) => {
      if (fail) return Promise.reject(new Error('redis down'));
      queued.push(events);
      return Promise.resolve();
    },
    ...(overrides.allowLegacySignatures === undefined ? {} : { allowLegacySignatures: overrides.allowLegacySignatures }),
  });
  return { handler, queued, setFail: (v: boolean) => (fail = v) };
}

describe('HubSpot webhook handler', () => {
  it('accepts a v3-signed batch and enqueues canonical events', async () => {
    const { handler, queued } = setup();
    const body = JSON.stringify([event(1), event(2, { subscriptionType: 'contact.creation', propertyName: undefined })]);
    const res = await handler(signedV3(body));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ received: 2, accepted: 2, duplicates: 0 });
    expect(queued).toEqual([
      [
        {
          provider: 'hubspot',
          orgId: '62515',
          eventId: '62515:1',
          objectType: 'company',
          objectIds: ['1235'],
          changeType: 'propertyChange',
          propertyName: 'name',
          occurredAt: new Date(NOW - 1000).toISOString(),
        },
        expect.objectContaining({ eventId: '62515:2', objectType: 'contact', changeType: 'creation' }),
      ],
    ]);
  });

  it('rejects tampered bodies, wrong secrets and stale or missing timestamps with 401 and enqueues nothing', async () => {
    const { handler, queued } = setup();
    const body = JSON.stringify([event(1)]);
    const tampered = { ...signedV3(body), rawBody: Buffer.from(body.replace('"eventId":1', '"eventId":2')) };
    expect(tampered.rawBody.toString()).not.toBe(body);
    for (const req of [
      tampered,
      signedV3(body, { secret: 'nope' }),
      signedV3(body, { ts: NOW - 300_001 }),
      signedV3(body, { ts: NOW + 300_001 }),
      { ...signedV3(body), headers: { 'x-hubspot-signature-v3': 'abc' } },
      { ...signedV3(body), headers: {} },
      // Signed for another path, replayed to ours.
      { ...signedV3(body, { url: '/webhooks/other' }), url: '/webhooks/hubspot' },
    ]) {
      expect((await handler(req)).status).toBe(401);
    }
    expect(queued).toEqual([]);
    // At the edge of the window it still passes.
    expect((await handler(signedV3(body, { ts: NOW - 300_000 }))).status).toBe(200);
  });

  it('signs the URL with HubSpot-decoded characters, including the query', async () => {
    expect(hubspotCanonicalUri('https://x.io/a%3Ab?c=%2F%40%20')).toBe('https://x.io/a:b?c=/@%20');
    const { handler } = setup();
    const url = '/webhooks/hubspot?portal=1&v=a:b';
    const body = JSON.stringify([event(5)]);
    const ts = String(NOW);
    const sig = createHmac('sha256', SECRET).update(`POST${BASE}${url}${body}${ts}`).digest('base64');
    const req: InboundRequest = {
      method: 'POST',
      url: '/webhooks/hubspot?portal=1&v=a%3Ab',
      headers: { 'X-HubSpot-Signature-v3': sig, 'X-HubSpot-Request-Timestamp': ts },
      rawBody: Buffer.from(body),
    };
    expect((await handler(req)).status).toBe(200);
  });

  it('accepts v1 and v2 signatures unless legacy signatures are disabled', async () => {
    const body = JSON.stringify([event(9)]);
    const v1 = createHash('sha256')
      .update(SECRET + body)
      .digest('hex');
    const v2 = createHash('sha256').update(`${SECRET}POST${BASE}/webhooks/hubspot${body}`).digest('hex');
    const req = (sig: string, version: string): InboundRequest => ({
      method: 'POST',
      url: '/webhooks/hubspot',
      headers: { 'x-hubspot-signature': sig, 'x-hubspot-signature-version': version },
      rawBody: Buffer.from(body),
    });
    expect((await setup().handler(req(v1, 'v1'))).status).toBe(200);
    expect((await setup().handler(req(v2, 'v2'))).status).toBe(200);
    expect((await setup().handler(req(v1, 'v2'))).status).toBe(401);
    expect((await setup({ allowLegacySignatures: false }).handler(req(v1, 'v1'))).status).toBe(401);
  });

  it('answers 400 for signed bodies that are not valid batches, naming the field', async () => {
    const { handler, queued } = setup();
    expect((await handler(signedV3('not json'))).status).toBe(400);
    expect((await handler(signedV3('[]'))).status).toBe(400);
    const res = await handler(signedV3(JSON.stringify([event(1), { ...event(2), occurredAt: 'yesterday' }])));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ path: '1.occurredAt' });
    expect(queued).toEqual([]);
  });

  it('dedupes by eventId within and across requests', async () => {
    const { handler, queued } = setup();
    expect(JSON.parse((await handler(signedV3(JSON.stringify([event(1), event(1), event(2)])))).body)).toEqual({
      received: 3,
      accepted: 2,
      duplicates: 1,
    });
    expect(JSON.parse((await handler(signedV3(JSON.stringify([event(2), event(3)])))).body)).toEqual({
      received: 2,
      accepted: 1,
      duplicates: 1,
    });
    expect(queued.flat().map((e) => e.eventId)).toEqual(['62515:1', '62515:2', '62515:3']);
  });

  it('answers 503 when the queue fails and accepts the retry once it is back, losing nothing', async () => {
    const { handler, queued, setFail } = setup({ failEnqueue: true });
    const body = JSON.stringify([event(1)]);
    expect((await handler(signedV3(body))).status).toBe(503);
    setFail(false);
    expect(JSON.parse((await handler(signedV3(body))).body)).toMatchObject({ accepted: 1 });
    expect(queued.flat()).toHaveLength(1);
  });

  it('answers 405 to other methods and 413 to oversized bodies', async () => {
    const { handler } = setup();
    expect((await handler({ ...signedV3('[]'), method: 'GET' })).status).toBe(405);
    expect((await handler(signedV3('x'.repeat(1_048_577)))).status).toBe(413);
  });
});
