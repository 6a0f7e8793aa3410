/** A framework-agnostic HTTP request as the inbound handlers need it: the raw bytes, unparsed. */
export interface InboundRequest {
  method: string;
  /** Path and query as received, e.g. `/webhooks/hubspot?x=1`. */
  url: string;
  /** Header names in any case; Node's lower-cased map fits. */
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export interface InboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One CRM change, enough to schedule an incremental sync of the affected records. */
export interface InboundEvent {
  provider: 'hubspot' | 'salesforce';
  /** HubSpot portal id or Salesforce organization id: which tenant. */
  orgId: string;
  /** Provider-scoped, unique: `<orgId>:<event id>`; the dedupe key. */
  eventId: string;
  /** `company`, `contact`, `deal`, `ticket`, … (HubSpot) or the sObject name (`Account`). */
  objectType: string;
  objectIds: string[];
  changeType: string;
  propertyName?: string;
  /** ISO-8601. */
  occurredAt: string;
}

/** The queue port: resolves once the events are durably queued; rejects when they are not. */
export type EnqueueEvents = (events: InboundEvent[]) => Promise<void>;

/**
 * Dedupe by event id across requests. `claim` returns the ids not seen before and marks them;
 * `release` forgets ids whose enqueue failed, so the CRM's retry is accepted. A Redis-backed
 * implementation can be injected when running several processes.
 */
export interface SeenEvents {
  claim(ids: readonly string[]): string[] | Promise<string[]>;
  release(ids: readonly string[]): void | Promise<void>;
}

/**
 * In-process dedupe window remembering at least the last `capacity` ids: two generations of sets,
 * the older dropped whole when the newer fills, so every operation is O(1) (evicting one by one
 * from the front of a big Set walks its deleted slots and was the endpoint's hottest spot).
 */
export class MemorySeenEvents implements SeenEvents {
  private current = new Set<string>();
  private previous = new Set<string>();
  constructor(private readonly capacity = 200_000) {}

  has(id: string): boolean {
    return this.current.has(id) || this.previous.has(id);
  }

  claim(ids: readonly string[]): string[] {
    const fresh: string[] = [];
    for (const id of ids) {
      if (this.has(id)) continue;
      if (this.current.size >= this.capacity) {
        this.previous = this.current;
        this.current = new Set();
      }
      this.current.add(id);
      fresh.push(id);
    }
    return fresh;
  }

  release(ids: readonly string[]): void {
    for (const id of ids) {
      this.current.delete(id);
      this.previous.delete(id);
    }
  }
}

export function headerValue(headers: InboundRequest['headers'], name: string): string | undefined {
  const direct = headers[name] ?? headers[name.toLowerCase()];
  let value = direct;
  if (value === undefined) {
    const lower = name.toLowerCase();
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) value = v;
  }
  return Array.isArray(value) ? value[0] : value;
}

export function jsonResponse(status: number, body: unknown): InboundResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

/**
 * Validates, dedupes, then enqueues; the shared tail of every inbound handler. Only new events
 * are enqueued; if the queue fails their ids are released and the CRM is told to retry (503).
 */
export async function acceptEvents(
  events: InboundEvent[],
  seen: SeenEvents,
  enqueue: EnqueueEvents,
): Promise<{ ok: true; accepted: number; duplicates: number } | { ok: false }> {
  const unique = new Map<string, InboundEvent>();
  for (const e of events) if (!unique.has(e.eventId)) unique.set(e.eventId, e);
  const fresh = await seen.claim([...unique.keys()]);
  if (fresh.length > 0) {
    try {
      await enqueue(fresh.map((id) => unique.get(id) as InboundEvent));
    } catch {
      await seen.release(fresh);
      return { ok: false };
    }
  }
  return { ok: true, accepted: fresh.length, duplicates: events.length - fresh.length };
}
