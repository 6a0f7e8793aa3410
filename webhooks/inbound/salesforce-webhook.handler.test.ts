import { fixedClock } from '../../core';
import { signatureHeader } from '../shared/signature';
import type { InboundEvent, InboundRequest } from './inbound.types';
import { createSalesforceWebhookHandler, parseOutboundMessage } from './salesforce-webhook.handler';

const SECRET = 'sf-shared-secret';
const NOW = Date.parse('2026-06-01T12:00:00Z');
const ORG = '00D5g000004ABCDEAS';

function outboundMessage(ids: [string, string][], org = ORG): string {
  const notes = ids
    .map(
      ([n, rec]) =>
        `<Notification><Id>${n}</Id><sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>${rec}</sf:Id><sf:Name>Acme &amp; Co</sf:Name></sObject></Notification>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound"><OrganizationId>${org}</OrganizationId><ActionId>04k5g000000XyZ1AAK</ActionId><SessionId xsi:nil="true"/><EnterpriseUrl>https://x.my.salesforce.com/services/Soap/c/59.0</EnterpriseUrl>${notes}</notifications></soapenv:Body></soapenv:Envelope>`;
}

function setup(allowedOrganizationIds?: string[]) {
  const queued: InboundEvent[] = [];
  const handler = createSalesforceWebhookHandler({
    sharedSecret: SECRET,
    clock: fixedClock(new Date(NOW)),
    enqueue: (events) => {
      queued.push(...events);
      return Promise.resolve();
    },
    ...(allowedOrganizationIds ? { allowedOrganizationIds } : {}),
  });
  return { handler, queued };
}

const jsonBatch = JSON.stringify({
  organizationId: ORG,
  events: [
    {
      eventId: 'tx1-1',
      entityName: 'Account',
      changeType: 'UPDATE',
      recordIds: ['0015g00000XyZabAAB', '0015g00000XyZacAAB'],
      commitTimestamp: NOW - 5_000,
      changedFields: ['Name'],
    },
  ],
});

function signedJson(body: string, secret = SECRET): InboundRequest {
  return {
    method: 'POST',
    url: '/webhooks/salesforce',
    headers: { 'content-type': 'application/json', 'x-signature': signatureHeader(secret, NOW / 1000, body) },
    rawBody: Buffer.from(body),
  };
}

describe('Salesforce webhook handler', () => {
  it('accepts signed Apex-callout JSON and dedupes by event id', async () => {
    const { handler, queued } = setup();
    const res = await handler(signedJson(jsonBatch));
    expect(res.status).toBe(200);
    expect(queued).toEqual([
      {
        provider: 'salesforce',
        orgId: ORG,
        eventId: `${ORG}:tx1-1`,
        objectType: 'Account',
        objectIds: ['0015g00000XyZabAAB', '0015g00000XyZacAAB'],
        changeType: 'UPDATE',
        occurredAt: new Date(NOW - 5_000).toISOString(),
      },
    ]);
    expect(JSON.parse((await handler(signedJson(jsonBatch))).body)).toMatchObject({ accepted: 0, duplicates: 1 });
  });

  it('rejects bad signatures (401) and bad batches (400) without enqueueing', async () => {
    const { handler, queued } = setup();
    expect((await handler(signedJson(jsonBatch, 'wrong'))).status).toBe(401);
    expect((await handler({ ...signedJson(jsonBatch), headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect((await handler(signedJson(JSON.stringify({ organizationId: ORG, events: [] })))).status).toBe(400);
    expect((await handler(signedJson('{'))).status).toBe(400);
    expect(queued).toEqual([]);
  });

  it('accepts Outbound Messages with the token and answers with a SOAP Ack', async () => {
    const { handler, queued } = setup([ORG.slice(0, 15)]);
    const xml = outboundMessage([
      ['04l5g00000AbCdEAAV', '0015g00000XyZabAAB'],
      ['04l5g00000AbCdFAAV', '0015g00000XyZacAAB'],
    ]);
    const req = (url: string, body = xml): InboundRequest => ({
      method: 'POST',
      url,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      rawBody: Buffer.from(body),
    });
    const res = await handler(req(`/webhooks/salesforce?token=${SECRET}`));
    expect(res.status).toBe(200);
    expect(res.body).toContain('<Ack>true</Ack>');
    expect(queued.map((e) => [e.eventId, e.objectType, e.objectIds[0]])).toEqual([
      [`${ORG}:04l5g00000AbCdEAAV`, 'Account', '0015g00000XyZabAAB'],
      [`${ORG}:04l5g00000AbCdFAAV`, 'Account', '0015g00000XyZacAAB'],
    ]);
    expect((await handler(req('/webhooks/salesforce?token=nope'))).status).toBe(401);
    expect((await handler(req('/webhooks/salesforce'))).status).toBe(401);
    expect(
      (
        await handler(
          req(
            `/webhooks/salesforce?token=${SECRET}`,
            outboundMessage([['04l5g00000AbCdEAAV', '0015g00000XyZabAAB']], '00D000000000001AAA'),
          ),
        )
      ).status,
    ).toBe(401);
    expect((await handler(req(`/webhooks/salesforce?token=${SECRET}`, '<notifications></notifications>'))).status).toBe(400);
    expect(queued).toHaveLength(2);
  });

  it('parses nothing from malformed XML', () => {
    const at = new Date(NOW);
    expect(
      parseOutboundMessage('<OrganizationId>00D5g000004ABCDEAS</OrganizationId><Notification><Id>x</Id></Notification>', at),
    ).toBeNull();
    expect(parseOutboundMessage('<<<>>>', at)).toBeNull();
    expect(parseOutboundMessage(outboundMessage([['04l5g00000AbCdEAAV', '0015g00000XyZabAAB']]), at)?.events).toHaveLength(1);
  });
});
