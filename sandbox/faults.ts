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
  /** Probability that any request gets a rate-limit answer. */
  rateLimitRate?: number;
  /** Bursts of server errors (default 503). */
  serverErrorBursts?: readonly { afterRequest: number; count: number; status?: number }[];
  /** Probability that any request gets a 503. */
  serverErrorRate?: number;
  /** Requests whose connection is closed without an answer. */
  dropRequests?: readonly number[];
  /** Probability that any request's connection is dropped. */
  dropRate?: number;
  /** Probability that the request is applied but its connection is closed before the answer (the client cannot know it landed). */
  answerLostRate?: number;
  /** Probability that the request is held without an answer for `hangMs` (longer than a client should wait), then dropped unapplied. */
  hangRate?: number;
  /** How long a hung request is held (default 60 s). */
  hangMs?: number;
  /** Every access token issued so far stops working when this request number arrives. */
  expireTokensAtRequest?: number;
  /**
   * Probability that the access tokens in use expire at this request (sessions expiring mid-run).
   * Tokens minted in the last YOUNG_TOKEN_MS are spared: a real one lives 30 minutes (HubSpot) or
   * hours (Salesforce), so it cannot expire between the refresh that minted it and the replay.
   * (https://developers.hubspot.com/docs/api/oauth-quickstart-guide: expires_in 1800;
   * https://help.salesforce.com/s/articleView?id=sf.admin_sessions_timeout.htm: session timeout ≥ 15 min.)
   */
  expireTokensRate?: number;
  /** Probability that one record of a batch write fails with UNABLE_TO_LOCK_ROW (or its HubSpot analogue). */
  lockRowRate?: number;
  /** Record ids that always fail with UNABLE_TO_LOCK_ROW on write. */
  lockedRecordIds?: readonly string[];
}

/** Age under which a token survives a rate-drawn expiry (see FaultPlan.expireTokensRate). */
export const YOUNG_TOKEN_MS = 5_000;

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'rate-limit' }
  | { kind: 'server-error'; status: number }
  | { kind: 'drop' }
  | { kind: 'answer-lost' }
  | { kind: 'hang'; ms: number };

/** Faults injected so far, by kind (token expiries included). */
export type InjectedFaults = Record<Exclude<FaultDecision['kind'], 'none'> | 'expired-tokens' | 'locked-row', number>;

export class FaultInjector {
  private requests = 0;
  private readonly rng: Rng;
  readonly injected: InjectedFaults = {
    'rate-limit': 0,
    'server-error': 0,
    drop: 0,
    'answer-lost': 0,
    hang: 0,
    'expired-tokens': 0,
    'locked-row': 0,
  };
  private readonly locked: Set<string>;

  constructor(private readonly plan: FaultPlan = {}) {
    this.rng = mulberry32(plan.seed ?? 1);
    this.locked = new Set(plan.lockedRecordIds ?? []);
  }

  get requestCount(): number {
    return this.requests;
  }

  /** Call once per incoming request, before anything else. */
  next(): { decision: FaultDecision; latencyMs: number; expireTokens: boolean; spareTokensYoungerThanMs: number } {
    const n = ++this.requests;
    const p = this.plan;
    let latencyMs = 0;
    if (typeof p.latencyMs === 'number') latencyMs = p.latencyMs;
    else if (p.latencyMs) latencyMs = p.latencyMs.min + Math.floor(this.rng.next() * (p.latencyMs.max - p.latencyMs.min + 1));
    const atRequest = p.expireTokensAtRequest === n;
    const expireTokens = atRequest || (p.expireTokensRate !== undefined && this.rng.next() < p.expireTokensRate);
    if (expireTokens) this.injected['expired-tokens']++;
    const spareTokensYoungerThanMs = expireTokens && !atRequest ? YOUNG_TOKEN_MS : 0;
    const within = (b: { afterRequest: number; count: number }): boolean => n > b.afterRequest && n <= b.afterRequest + b.count;
    let decision: FaultDecision = { kind: 'none' };
    const burst5xx = p.serverErrorBursts?.find(within);
    if (p.dropRequests?.includes(n) || (p.dropRate !== undefined && this.rng.next() < p.dropRate)) decision = { kind: 'drop' };
    else if (p.rateLimitBursts?.some(within) || (p.rateLimitRate !== undefined && this.rng.next() < p.rateLimitRate))
      decision = { kind: 'rate-limit' };
    else if (burst5xx) decision = { kind: 'server-error', status: burst5xx.status ?? 503 };
    else if (p.serverErrorRate !== undefined && this.rng.next() < p.serverErrorRate) decision = { kind: 'server-error', status: 503 };
    else if (p.answerLostRate !== undefined && this.rng.next() < p.answerLostRate) decision = { kind: 'answer-lost' };
    else if (p.hangRate !== undefined && this.rng.next() < p.hangRate) decision = { kind: 'hang', ms: p.hangMs ?? 60_000 };
    if (decision.kind !== 'none') this.injected[decision.kind]++;
    return { decision, latencyMs, expireTokens, spareTokensYoungerThanMs };
  }

  /** Whether a write to this record fails with a row lock this time. */
  lockRow(recordId: string): boolean {
    const locked = this.locked.has(recordId) || (this.plan.lockRowRate !== undefined && this.rng.next() < this.plan.lockRowRate);
    if (locked) this.injected['locked-row']++;
    return locked;
  }
}
