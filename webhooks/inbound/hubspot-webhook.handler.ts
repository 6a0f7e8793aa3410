import { z } from 'zod';
import type { Clock } from '../../core';
import { verifyHubSpotSignature } from './hubspot-signature';
import {
  acceptEvents,
  headerValue,
  jsonResponse,
  MemorySeenEvents,
  type EnqueueEvents,
  type InboundEvent,
  type InboundRequest,
  type InboundResponse,
  type SeenEvents,
} from './inbound.types';

const numericId = z.union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,20}$/)]).transform(String);

/** One event of a HubSpot webhook batch; unknown fields are kept out of the queue, not rejected. */
export const HubSpotEventSchema = z
  .object({
    eventId: numericId,
    subscriptionId: z.number().int().optional(),
    portalId: numericId,
    appId: z.number().int().optional(),
    occurredAt: z.number().int().nonnegative().max(8.64e15),
    subscriptionType: z.string().regex(/^[a-z_]{1,40}\.[A-Za-z_]{1,40}$/, 'must look like `company.propertyChange`'),
    attemptNumber: z.number().int().nonnegative().optional(),
    objectId: numericId.optional(),
    objectTypeId: z.string().max(40).optional(),
    fromObjectId: numericId.optional(),
    toObjectId: numericId.optional(),
    propertyName: z.string().max(200).optional(),
    changeSource: z.string().max(100).optional(),
  })
  .refine((e) => e.objectId !== undefined || e.fromObjectId !== undefined, {
    message: 'needs objectId (or fromObjectId for association changes)',
    path: ['objectId'],
  });
export type HubSpotEvent = z.infer<typeof HubSpotEventSchema>;

export interface HubSpotWebhookOptions {
  /** The app's client secret; several during a rotation. */
  clientSecret: string | readonly string[];
  /** Public base URL HubSpot calls (e.g. `https://hooks.example.com`); v3 signs the full URL. */
  publicBaseUrl?: string;
  enqueue: EnqueueEvents;
  clock: Clock;
  seen?: SeenEvents;
  /** Accept v1/v2 `X-HubSpot-Signature` when no v3 header is present (default true). */
  allowLegacySignatures?: boolean;
  maxEvents?: number;
  maxBodyBytes?: number;
}

export type InboundHandler = (request: InboundRequest) => Promise<InboundResponse>;

export function toEvent(e: HubSpotEvent): InboundEvent {
  const [objectType = 'object', changeType = 'unknown'] = e.subscriptionType.split('.');
  const ids = e.objectId !== undefined ? [e.objectId] : [e.fromObjectId, e.toObjectId].filter((x): x is string => x !== undefined);
  return {
    provider: 'hubspot',
    orgId: e.portalId,
    eventId: `${e.portalId}:${e.eventId}`,
    objectType: objectType === 'object' && e.objectTypeId ? e.objectTypeId : objectType,
    objectIds: ids,
    changeType,
    ...(e.propertyName !== undefined ? { propertyName: e.propertyName } : {}),
    occurredAt: new Date(e.occurredAt).toISOString(),
  };
}

const SUBSCRIPTION_TYPE = /^[a-z_]{1,40}\.[A-Za-z_]{1,40}$/;
const DIGITS = /^\d{1,20}$/;

/** `numericId` without zod: the id as a string, or null when zod would reject it. */
function fastNumericId(v: unknown): string | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? String(v) : null;
  return typeof v === 'string' && DIGITS.test(v) ? v : null;
}

const isOptionalInt = (v: unknown, min = -Infinity) => v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= min);
const isOptionalString = (v: unknown, max: number) => v === undefined || (typeof v === 'string' && v.length <= max);

/**
 * The happy path of `HubSpotEventSchema` + `toEvent` without zod, which was the largest share of
 * the endpoint's CPU in `bench/webhooks.bench.ts`. It accepts a subset of what the schema accepts
 * (checked by a property test) and returns null for anything else; the caller then runs the schema,
 * which decides and names the problem. So behaviour and error messages are the schema's.
 */
export function fastHubSpotEvents(json: unknown, maxEvents: number): InboundEvent[] | null {
  if (!Array.isArray(json) || json.length === 0 || json.length > maxEvents) return null;
  const out: InboundEvent[] = new Array<InboundEvent>(json.length);
  for (let i = 0; i < json.length; i++) {
    const e = json[i] as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || Array.isArray(e)) return null;
    const eventId = fastNumericId(e.eventId);
    const portalId = fastNumericId(e.portalId);
    const occurredAt = e.occurredAt;
    const subscriptionType = e.subscriptionType;
    if (eventId === null || portalId === null) return null;
    if (typeof occurredAt !== 'number' || !Number.isSafeInteger(occurredAt) || occurredAt < 0 || occurredAt > 8.64e15) return null;
    if (typeof subscriptionType !== 'string' || !SUBSCRIPTION_TYPE.test(subscriptionType)) return null;
    if (!isOptionalInt(e.subscriptionId) || !isOptionalInt(e.appId) || !isOptionalInt(e.attemptNumber, 0)) return null;
    if (!isOptionalString(e.objectTypeId, 40) || !isOptionalString(e.propertyName, 200) || !isOptionalString(e.changeSource, 100))
      return null;
    const objectId = e.objectId === undefined ? undefined : fastNumericId(e.objectId);
    const fromObjectId = e.fromObjectId === undefined ? undefined : fastNumericId(e.fromObjectId);
    const toObjectId = e.toObjectId === undefined ? undefined : fastNumericId(e.toObjectId);
    if (objectId === null || fromObjectId === null || toObjectId === null) return null;
    if (objectId === undefined && fromObjectId === undefined) return null;
    const dot = subscriptionType.indexOf('.');
    const objectType = subscriptionType.slice(0, dot);
    const event: InboundEvent = {
      provider: 'hubspot',
      orgId: portalId,
      eventId: `${portalId}:${eventId}`,
      objectType: objectType === 'object' && typeof e.objectTypeId === 'string' && e.objectTypeId !== '' ? e.objectTypeId : objectType,
      objectIds:
        objectId !== undefined ? [objectId] : toObjectId !== undefined ? [fromObjectId as string, toObjectId] : [fromObjectId as string],
      changeType: subscriptionType.slice(dot + 1),
      occurredAt: new Date(occurredAt).toISOString(),
    };
    if (typeof e.propertyName === 'string') event.propertyName = e.propertyName;
    out[i] = event;
  }
  return out;
}

function fullUrl(request: InboundRequest, base: string | undefined): string {
  if (base) return `${base.replace(/\/+$/, '')}${request.url}`;
  const proto = headerValue(request.headers, 'x-forwarded-proto')?.split(',')[0]?.trim() ?? 'https';
  const host = headerValue(request.headers, 'x-forwarded-host') ?? headerValue(request.headers, 'host') ?? 'localhost';
  return `${proto}://${host}${request.url}`;
}

/**
 * HubSpot webhooks: method → size → signature (401) → JSON and schema (400) → dedupe by
 * `portalId:eventId` → enqueue → 200. Nothing is enqueued unless every check passed.
 */
export function createHubSpotWebhookHandler(options: HubSpotWebhookOptions): InboundHandler {
  const secrets = typeof options.clientSecret === 'string' ? [options.clientSecret] : [...options.clientSecret];
  const seen = options.seen ?? new MemorySeenEvents();
  const maxEvents = options.maxEvents ?? 1_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const batch = z.array(HubSpotEventSchema).min(1).max(maxEvents);

  return async (request) => {
    if (request.method !== 'POST')
      return {
        ...jsonResponse(405, { error: 'method not allowed' }),
        headers: { 'content-type': 'application/json; charset=utf-8', allow: 'POST' },
      };
    if (request.rawBody.length > maxBodyBytes) return jsonResponse(413, { error: 'body too large' });
    let events: InboundEvent[];
    try {
      const check = verifyHubSpotSignature(
        {
          method: request.method,
          uri: fullUrl(request, options.publicBaseUrl),
          body: request.rawBody,
          signatureV3: headerValue(request.headers, 'x-hubspot-signature-v3'),
          timestamp: headerValue(request.headers, 'x-hubspot-request-timestamp'),
          signature: headerValue(request.headers, 'x-hubspot-signature'),
          signatureVersion: headerValue(request.headers, 'x-hubspot-signature-version'),
        },
        secrets,
        options.clock.now().getTime(),
        options.allowLegacySignatures ?? true,
      );
      if (!check.ok) return jsonResponse(401, { error: 'invalid signature', reason: check.reason });
      let json: unknown;
      try {
        json = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        return jsonResponse(400, { error: 'body is not JSON' });
      }
      const fast = fastHubSpotEvents(json, maxEvents);
      if (fast) events = fast;
      else {
        const parsed = batch.safeParse(json);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return jsonResponse(400, {
            error: 'invalid event batch',
            path: issue?.path.map(String).join('.') ?? '',
            message: issue?.message ?? '',
          });
        }
        events = parsed.data.map(toEvent);
      }
    } catch {
      // Validation must never turn bad input into a 5xx.
      return jsonResponse(400, { error: 'unprocessable request' });
    }
    const result = await acceptEvents(events, seen, options.enqueue);
    if (!result.ok) return jsonResponse(503, { error: 'queue unavailable, retry later' });
    return jsonResponse(200, { received: events.length, accepted: result.accepted, duplicates: result.duplicates });
  };
}
