import { mulberry32, type Rng } from './seed/prng';

/**
 * Faults for one sandbox run. Request numbers count every API request the server receives
 * (1-based), so a test can say "requests 5–7 get 429" and replay it exactly; rates draw from a
 * seeded stream.
 */
export interface FaultPlan {
  seed?: number;
  /** Added before every answer; a number, or a range drawn per request. */
  latencyMs?: number | { min: number; max: number };
  /** Bursts of rate-limit answers: requests afterRequest+1 … afterRequest+count. */
  rateLimitBursts?: readonly { afterRequest: number; count: number }[];
  /** Bursts of server errors (default 503). */
  serverErrorBursts?: readonly { afterRequest: number; count: number; status?: number }[];
  /** Probability that any request gets a 503. */
  serverErrorRate?: number;
  /** Requests whose connection is closed without an answer. */
  dropRequests?: readonly number[];
  /** Probability that any request's connection is dropped. */
  dropRate?: number;
  /** Every access token issued so far stops working when this request number arrives. */
  expireTokensAtRequest?: number;
  /** Probability that one record of a batch write fails with UNABLE_TO_LOCK_ROW (or its HubSpot analogue). */
  lockRowRate?: number;
  /** Record ids that always fail with UNABLE_TO_LOCK_ROW on write. */
  lockedRecordIds?: readonly string[];
}

export type FaultDecision = { kind: 'none' } | { kind: 'rate-limit' } | { kind: 'server-error'; status: number } | { kind: 'drop' };

export class FaultInjector {
  private requests = 0;
  private readonly rng: Rng;
  private readonly locked: Set<string>;

  constructor(private readonly plan: FaultPlan = {}) {
    this.rng = mulberry32(plan.seed ?? 1);
    this.locked = new Set(plan.lockedRecordIds ?? []);
  }

  get requestCount(): number {
    return this.requests;
  }

  /** Call once per incoming request, before anything else. */
  next(): { decision: FaultDecision; latencyMs: number; expireTokens: boolean } {
    const n = ++this.requests;
    const p = this.plan;
    let latencyMs = 0;
    if (typeof p.latencyMs === 'number') latencyMs = p.latencyMs;
    else if (p.latencyMs) latencyMs = p.latencyMs.min + Math.floor(this.rng.next() * (p.latencyMs.max - p.latencyMs.min + 1));
    const expireTokens = p.expireTokensAtRequest === n;
    const within = (b: { afterRequest: number; count: number }): boolean => n > b.afterRequest && n <= b.afterRequest + b.count;
    let decision: FaultDecision = { kind: 'none' };
    const burst5xx = p.serverErrorBursts?.find(within);
    if (p.dropRequests?.includes(n) || (p.dropRate !== undefined && this.rng.next() < p.dropRate)) decision = { kind: 'drop' };
    else if (p.rateLimitBursts?.some(within)) decision = { kind: 'rate-limit' };
    else if (burst5xx) decision = { kind: 'server-error', status: burst5xx.status ?? 503 };
    else if (p.serverErrorRate !== undefined && this.rng.next() < p.serverErrorRate) decision = { kind: 'server-error', status: 503 };
    return { decision, latencyMs, expireTokens };
  }

  /** Whether a write to this record fails with a row lock this time. */
  lockRow(recordId: string): boolean {
    if (this.locked.has(recordId)) return true;
    return this.plan.lockRowRate !== undefined && this.rng.next() < this.plan.lockRowRate;
  }
}
