import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import express from 'express';
import { createInboundWebhooksDispatcher, createInboundWebhooksRouter } from '../../app/http/inbound-webhooks.router';
import { systemClock } from '../../core';
import { createHubSpotWebhookHandler } from '../../webhooks/inbound/hubspot-webhook.handler';
import type { InboundEvent } from '../../webhooks/inbound/inbound.types';
import { createSalesforceWebhookHandler } from '../../webhooks/inbound/salesforce-webhook.handler';

const SECRET = 'hs-secret';
const BASE = 'https://hooks.example.com';

describe('inbound webhooks router (express 5, loopback)', () => {
  let server: http.Server;
  let port = 0;
  const queued: InboundEvent[] = [];
  let queueDown = false;
  const enqueue = (events: InboundEvent[]) => {
    if (queueDown) return Promise.reject(new Error('queue down'));
    queued.push(...events);
    return Promise.resolve();
  };

  beforeAll(async () => {
    const app = express();
    app.use(
      createInboundWebhooksRouter({
        hubspot: createHubSpotWebhookHandler({ clientSecret: SECRET, publicBaseUrl: BASE, clock: systemClock, enqueue }),
        salesforce: createSalesforceWebhookHandler({ sharedSecret: 'sf', clock: systemClock, enqueue }),
      }),
    );
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function post(
    path: string,
    body: Buffer,
    headers: Record<string, string>,
    method = 'POST',
  ): Promise<{ status: number; body: string; contentType: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path, method, headers: { ...headers, 'content-length': String(body.length) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              contentType: String(res.headers['content-type']),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  function hubspotHeaders(body: string, path = '/webhooks/hubspot'): Record<string, string> {
    const ts = String(Date.now());
    return {
      'content-type': 'application/json',
      'x-hubspot-request-timestamp': ts,
      'x-hubspot-signature-v3': createHmac('sha256', SECRET).update(`POST${BASE}${path}${body}${ts}`).digest('base64'),
    };
  }

  const batch = (id: number) =>
    JSON.stringify([{ eventId: id, portalId: 1, occurredAt: Date.now(), subscriptionType: 'company.propertyChange', objectId: 42 }]);

  it('passes the exact raw bytes to the handler and answers with its JSON', async () => {
    const body = batch(1);
    const res = await post('/webhooks/hubspot', Buffer.from(body), hubspotHeaders(body));
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/json');
    expect(JSON.parse(res.body)).toEqual({ received: 1, accepted: 1, duplicates: 0 });
    expect(queued.map((e) => e.eventId)).toContain('1:1');
  });

  it('inflates gzip bodies before the signature check', async () => {
    const body = batch(2);
    const res = await post('/webhooks/hubspot', gzipSync(body), { ...hubspotHeaders(body), 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
  });

  it('maps parser failures and wrong methods to 4xx', async () => {
    const body = batch(3);
    expect((await post('/webhooks/hubspot', Buffer.from('not gzip'), { ...hubspotHeaders(body), 'content-encoding': 'gzip' })).status).toBe(
      400,
    );
    expect((await post('/webhooks/hubspot', Buffer.from(body), { ...hubspotHeaders(body), 'content-encoding': 'x-zip' })).status).toBe(415);
    expect((await post('/webhooks/hubspot', Buffer.alloc(1_048_577, 32), hubspotHeaders(body))).status).toBe(413);
    expect((await post('/webhooks/hubspot', Buffer.alloc(0), {}, 'GET')).status).toBe(405);
  });

  it('answers 503 while the queue is down and accepts the same batch afterwards', async () => {
    const body = batch(4);
    queueDown = true;
    expect((await post('/webhooks/hubspot', Buffer.from(body), hubspotHeaders(body))).status).toBe(503);
    queueDown = false;
    expect(JSON.parse((await post('/webhooks/hubspot', Buffer.from(body), hubspotHeaders(body))).body)).toMatchObject({ accepted: 1 });
  });

  it('serves Salesforce Outbound Messages with a SOAP Ack', async () => {
    const xml =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>00D5g000004ABCDEAS</OrganizationId><Notification><Id>04l5g00000AbCdEAAV</Id><sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>0015g00000XyZabAAB</sf:Id></sObject></Notification></notifications></soapenv:Body></soapenv:Envelope>';
    const res = await post('/webhooks/salesforce?token=sf', Buffer.from(xml), { 'content-type': 'text/xml; charset=utf-8' });
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('text/xml');
    expect(res.body).toContain('<Ack>true</Ack>');
  });
});

describe('inbound webhooks dispatcher (in front of express, as serve runs it)', () => {
  let server: http.Server;
  let base = '';
  const answered: { route: string; status: number }[] = [];
  const errors: unknown[] = [];
  const queued: InboundEvent[] = [];

  beforeAll(async () => {
    const app = express();
    app.get('/other', (_req, res) => {
      res.json({ from: 'express' });
    });
    const front = createInboundWebhooksDispatcher({
      hubspot: createHubSpotWebhookHandler({
        clientSecret: SECRET,
        publicBaseUrl: BASE,
        clock: systemClock,
        enqueue: (events) => (queued.push(...events), Promise.resolve()),
      }),
      salesforce: () => Promise.reject(new Error('a bug')),
      onAnswered: (route, status) => answered.push({ route, status }),
      onError: (error) => errors.push(error),
    });
    server = http.createServer((req, res) => void (front(req, res) || app(req, res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers its paths (query strings and a trailing slash included) and leaves the rest to express', async () => {
    const body = JSON.stringify([
      { eventId: 9, portalId: 1, occurredAt: Date.now(), subscriptionType: 'company.propertyChange', objectId: 42 },
    ]);
    const ts = String(Date.now());
    const sig = createHmac('sha256', SECRET).update(`POST${BASE}/webhooks/hubspot?v=1${body}${ts}`).digest('base64');
    const res = await fetch(`${base}/webhooks/hubspot?v=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': ts, 'x-hubspot-signature-v3': sig },
      body,
    });
    expect(res.status).toBe(200);
    expect(queued.map((e) => e.eventId)).toEqual(['1:9']);
    expect((await fetch(`${base}/webhooks/hubspot/`, { method: 'POST', body: '[]' })).status).toBe(401);
    expect(await (await fetch(`${base}/other`)).json()).toEqual({ from: 'express' });
    expect(answered).toEqual([
      { route: '/webhooks/hubspot', status: 200 },
      { route: '/webhooks/hubspot/', status: 401 },
    ]);
  });

  it('turns a handler that throws into a bare 500 and reports it', async () => {
    const res = await fetch(`${base}/webhooks/salesforce`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'HTTP.INTERNAL', message: 'internal error' } });
    expect(String(errors[0])).toContain('a bug');
  });
});
