import { SuccessEngineError, type ErrorCode } from '../../core';
import type { ProviderLimitProfile } from './provider-limits';

/** Why a call failed, as far as retrying is concerned. */
export type RetryReason =
  | 'rate-limited'
  | 'daily-limit'
  | 'server-error'
  | 'network'
  | 'auth-expired'
  | 'auth-revoked'
  | 'permission-denied'
  | 'bad-request'
  | 'not-found'
  | 'attempts-exhausted';

export interface RetryDecision {
  retry: boolean;
  waitMs: number;
  reason: RetryReason;
  /** Rate-limit waits don't spend an attempt (the call was never processed). */
  countsAsAttempt: boolean;
}

/** What we know about one failed call; every member is optional because failures differ. */
export interface FailedCall {
  /** 1-based attempt that just failed. */
  attempt: number;
  status?: number;
  /** Header names in any case. */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Parsed error body (HubSpot object, Salesforce array). */
  body?: unknown;
  /** Network-level error code (ECONNRESET, ETIMEDOUT, …). */
  networkCode?: string;
}

export function header(headers: FailedCall['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return Array.isArray(v) ? v[0] : v;
  return undefined;
}

function bodyText(body: unknown): string {
  if (typeof body === 'string') return body;
  try {
    return JSON.stringify(body ?? '');
  } catch {
    return '';
  }
}

/** Backoff with equal jitter: half fixed, half random, so workers that failed together spread out. */
export function backoffMs(limits: ProviderLimitProfile, attempt: number, random: () => number = Math.random): number {
  const full = Math.min(limits.backoffCapMs, limits.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}

/**
 * The one retry policy: from a failed call's status, headers, body or network error, decide
 * whether to retry, how long to wait, and why. Limits come from the provider profile.
 */
export function decideRetry(limits: ProviderLimitProfile, call: FailedCall, random: () => number = Math.random): RetryDecision {
  const exhausted = call.attempt >= limits.maxAttempts;
  const transient = (reason: RetryReason): RetryDecision =>
    exhausted
      ? { retry: false, waitMs: 0, reason: 'attempts-exhausted', countsAsAttempt: true }
      : { retry: true, waitMs: backoffMs(limits, call.attempt, random), reason, countsAsAttempt: true };
  const final = (reason: RetryReason): RetryDecision => ({ retry: false, waitMs: 0, reason, countsAsAttempt: true });

  // Resets, refusals and timeouts never reached the API, so any of them is worth another try.
  if (call.status === undefined) return transient('network');
  const status = call.status;
  const text = bodyText(call.body);

  if (status === 429 || (status === 403 && text.includes('REQUEST_LIMIT_EXCEEDED'))) {
    // Salesforce says REQUEST_LIMIT_EXCEEDED for the daily total and for concurrent long-running
    // requests alike; only the first is final for the day.
    if (text.includes('REQUEST_LIMIT_EXCEEDED') && /Concurrent/i.test(text))
      return { retry: true, waitMs: limits.rateLimitWaitMs, reason: 'rate-limited', countsAsAttempt: false };
    if (text.includes('"DAILY"') || text.includes('daily limit') || text.includes('REQUEST_LIMIT_EXCEEDED'))
      return { retry: false, waitMs: msUntilUtcMidnight(), reason: 'daily-limit', countsAsAttempt: false };
    const retryAfter = Number(header(call.headers, 'retry-after'));
    let waitMs = limits.rateLimitWaitMs;
    if (Number.isFinite(retryAfter) && retryAfter > 0) waitMs = retryAfter * 1000;
    else if (text.includes('SECONDLY"') || text.includes('secondly limit')) waitMs = 1_000;
    else {
      const interval = Number(header(call.headers, 'x-hubspot-ratelimit-interval-milliseconds'));
      if (Number.isFinite(interval) && interval > 0) waitMs = interval;
    }
    return { retry: true, waitMs, reason: 'rate-limited', countsAsAttempt: false };
  }
  // Refresh and replay; the caller allows one refresh per call, so a second 401 becomes auth-revoked.
  if (status === 401) return exhausted ? final('auth-revoked') : { retry: true, waitMs: 0, reason: 'auth-expired', countsAsAttempt: true };
  if (status === 403) return final('permission-denied');
  if (status === 404) return final('not-found');
  if (status === 408 || status === 420 || status >= 500) return transient('server-error');
  if (status >= 400) return final('bad-request');
  return transient('server-error');
}

export function msUntilUtcMidnight(now: Date = new Date()): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return next - now.getTime();
}

const CODE_BY_REASON: Record<RetryReason, ErrorCode> = {
  'rate-limited': 'CONNECTOR.RATE_LIMITED',
  'daily-limit': 'CONNECTOR.RATE_LIMITED',
  'server-error': 'CONNECTOR.UNAVAILABLE',
  network: 'CONNECTOR.UNAVAILABLE',
  'auth-expired': 'CONNECTOR.AUTH_EXPIRED',
  'auth-revoked': 'CONNECTOR.AUTH_REVOKED',
  'permission-denied': 'CONNECTOR.PERMISSION_DENIED',
  'bad-request': 'CONNECTOR.BAD_REQUEST',
  'not-found': 'CONNECTOR.NOT_FOUND',
  'attempts-exhausted': 'CONNECTOR.UNAVAILABLE',
};

/** The error a connector throws when it stops retrying; the queue maps the code (rate limit waits keep waitMs). */
export function connectorError(decision: RetryDecision, what: string, call: FailedCall, cause?: unknown): SuccessEngineError {
  const code = CODE_BY_REASON[decision.reason];
  const details: Record<string, unknown> = { reason: decision.reason, attempt: call.attempt };
  if (call.status !== undefined) details.status = call.status;
  if (code === 'CONNECTOR.RATE_LIMITED') details.waitMs = decision.waitMs;
  return new SuccessEngineError(
    code,
    `${what} failed (${decision.reason}${call.status !== undefined ? `, HTTP ${call.status}` : ''}${call.networkCode ? `, ${call.networkCode}` : ''})`,
    details,
    { cause },
  );
}
