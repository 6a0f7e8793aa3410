import { z } from 'zod';
import type { Clock } from '../../core';
import { safeEqual, verifySignatureHeader } from '../shared/signature';
import type { InboundHandler } from './hubspot-webhook.handler';
import {
  acceptEvents,
  headerValue,
  jsonResponse,
  MemorySeenEvents,
  type EnqueueEvents,
  type InboundEvent,
  type SeenEvents,
} from './inbound.types';

const sfId = z.string().regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');

/** Apex-callout JSON: a trigger or CDC subscriber posts the change headers it saw. */
export const SalesforceChangeBatchSchema = z.object({
  organizationId: sfId,
  events: z
    .array(
      z.object({
        /** Unique per change, e.g. the CDC transactionKey + sequenceNumber, or the replay id. */
        eventId: z.string().min(1).max(200),
        entityName: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/),
        changeType: z.enum([
          'CREATE',
          'UPDATE',
          'DELETE',
          'UNDELETE',
          'GAP_CREATE',
          'GAP_UPDATE',
          'GAP_DELETE',
          'GAP_UNDELETE',
          'GAP_OVERFLOW',
        ]),
        recordIds: z.array(sfId).min(1).max(2_000),
        commitTimestamp: z.union([z.number().int().nonnegative().max(8.64e15), z.iso.datetime({ offset: true })]),
        changedFields: z.array(z.string().max(200)).max(1_000).optional(),
      }),
    )
    .min(1)
    .max(1_000),
});

export interface SalesforceWebhookOptions {
  /** Shared secret: HMAC key for JSON callouts, `?token=` value for Outbound Messages. */
  sharedSecret: string | readonly string[];
  /** Organization ids allowed to post (15 or 18 chars); empty or absent allows any org holding the secret. */
  allowedOrganizationIds?: readonly string[];
  enqueue: EnqueueEvents;
  clock: Clock;
  seen?: SeenEvents;
  maxBodyBytes?: number;
}

const SOAP_ACK =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse></soapenv:Body></soapenv:Envelope>';

/** Text of the first `<name>` / `<prefix:name>` element in `xml` from `from`; linear scan, no regex backtracking. */
function element(xml: string, name: string, from = 0, to = xml.length): { text: string; end: number } | null {
  let i = from;
  while (i < to) {
    const open = xml.indexOf('<', i);
    if (open < 0 || open >= to) return null;
    const close = xml.indexOf('>', open);
    if (close < 0 || close >= to) return null;
    const tag =
      xml
        .slice(open + 1, close)
        .trim()
        .split(/\s/, 1)[0] ?? '';
    const local = tag.slice(tag.indexOf(':') + 1);
    if (local === name && !tag.startsWith('/') && !xml.slice(open, close).endsWith('/')) {
      const endTag = xml.indexOf(`</${tag}>`, close);
      if (endTag < 0 || endTag > to) return null;
      return { text: xml.slice(close + 1, endTag), end: endTag + tag.length + 3 };
    }
    i = close + 1;
  }
  return null;
}

function decodeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e] ?? '');
}

/** Parses a Salesforce Outbound Message (SOAP `notifications`) into events; null when malformed. */
export function parseOutboundMessage(xml: string, receivedAt: Date): { organizationId: string; events: InboundEvent[] } | null {
  const org = element(xml, 'OrganizationId');
  if (!org) return null;
  const organizationId = decodeXml(org.text.trim());
  if (!sfId.safeParse(organizationId).success) return null;
  const events: InboundEvent[] = [];
  let at = 0;
  for (;;) {
    const n = element(xml, 'Notification', at);
    if (!n) break;
    at = n.end;
    const id = element(n.text, 'Id');
    const sobject = /<sObject\b[^>]{0,400}?xsi:type="(?:[A-Za-z]{1,20}:)?([A-Za-z][A-Za-z0-9_]{0,79})"/.exec(n.text);
    const start = n.text.indexOf('<sObject');
    const recordId = start >= 0 ? element(n.text, 'Id', start) : null;
    if (!id || !sobject?.[1] || !recordId) return null;
    const notificationId = decodeXml(id.text.trim());
    const objectId = decodeXml(recordId.text.trim());
    if (!sfId.safeParse(notificationId).success || !sfId.safeParse(objectId).success) return null;
    events.push({
      provider: 'salesforce',
      orgId: organizationId,
      eventId: `${organizationId}:${notificationId}`,
      objectType: sobject[1],
      objectIds: [objectId],
      changeType: 'UPSERT',
      // Outbound Messages carry no change time; the receipt time stands in.
      occurredAt: receivedAt.toISOString(),
    });
    if (events.length > 1_000) return null;
  }
  return events.length > 0 ? { organizationId, events } : null;
}

/**
 * Salesforce change notifications, two shapes on one endpoint:
 * - Apex-callout JSON signed with `X-Signature: t=…,v1=…` (same scheme as our alerts);
 * - Outbound Messages (SOAP XML), authenticated by `?token=<shared secret>` since Salesforce
 *   cannot sign them, plus the organization allow-list; answered with a SOAP Ack.
 * Validation first (401/400), then dedupe and enqueue, as for HubSpot.
 */
export function createSalesforceWebhookHandler(options: SalesforceWebhookOptions): InboundHandler {
  const secrets = typeof options.sharedSecret === 'string' ? [options.sharedSecret] : [...options.sharedSecret];
  const allowed = (options.allowedOrganizationIds ?? []).map((id) => id.slice(0, 15));
  const seen = options.seen ?? new MemorySeenEvents();
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const orgAllowed = (org: string) => allowed.length === 0 || allowed.includes(org.slice(0, 15));

  return async (request) => {
    if (request.method !== 'POST')
      return {
        ...jsonResponse(405, { error: 'method not allowed' }),
        headers: { 'content-type': 'application/json; charset=utf-8', allow: 'POST' },
      };
    if (request.rawBody.length > maxBodyBytes) return jsonResponse(413, { error: 'body too large' });
    let events: InboundEvent[];
    let soap = false;
    try {
      const contentType = headerValue(request.headers, 'content-type') ?? '';
      const text = request.rawBody.toString('utf8');
      soap = /xml/i.test(contentType) || text.trimStart().startsWith('<');
      if (soap) {
        const token = new URL(request.url, 'http://localhost').searchParams.get('token') ?? '';
        let ok = false;
        for (const s of secrets) ok = safeEqual(s, token) || ok;
        if (!ok) return jsonResponse(401, { error: 'invalid token' });
        const parsed = parseOutboundMessage(text, options.clock.now());
        if (!parsed) return jsonResponse(400, { error: 'invalid outbound message' });
        if (!orgAllowed(parsed.organizationId)) return jsonResponse(401, { error: 'organization not allowed' });
        events = parsed.events;
      } else {
        const check = verifySignatureHeader(
          headerValue(request.headers, 'x-signature'),
          request.rawBody,
          secrets,
          options.clock.now().getTime(),
        );
        if (!check.ok) return jsonResponse(401, { error: 'invalid signature', reason: check.reason });
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return jsonResponse(400, { error: 'body is not JSON' });
        }
        const parsed = SalesforceChangeBatchSchema.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return jsonResponse(400, {
            error: 'invalid change batch',
            path: issue?.path.map(String).join('.') ?? '',
            message: issue?.message ?? '',
          });
        }
        if (!orgAllowed(parsed.data.organizationId)) return jsonResponse(401, { error: 'organization not allowed' });
        const org = parsed.data.organizationId;
        events = parsed.data.events.map((e) => ({
          provider: 'salesforce',
          orgId: org,
          eventId: `${org}:${e.eventId}`,
          objectType: e.entityName,
          objectIds: e.recordIds,
          changeType: e.changeType,
          occurredAt: new Date(typeof e.commitTimestamp === 'number' ? e.commitTimestamp : Date.parse(e.commitTimestamp)).toISOString(),
        }));
      }
    } catch {
      return jsonResponse(400, { error: 'unprocessable request' });
    }
    const result = await acceptEvents(events, seen, options.enqueue);
    if (!result.ok) return jsonResponse(503, { error: 'queue unavailable, retry later' });
    if (soap) return { status: 200, headers: { 'content-type': 'text/xml; charset=utf-8' }, body: SOAP_ACK };
    return jsonResponse(200, { received: events.length, accepted: result.accepted, duplicates: result.duplicates });
  };
}
