import type { ProviderLimitProfile } from './provider-limits';
import { connectorError, decideRetry, header, type FailedCall, type RetryDecision, type RetryReason } from './retry-policy';
import type { RateGovernor, Sleep } from './rate-governor';

/**
 * Counts of calls sent and how they failed. `failed` counts every failed response (raw: injected
 * faults and real ones alike, most of them retried successfully); `gaveUp` counts calls that still
 * failed after the retry policy, which is what a caller sees; `rateLimited` counts 429/limit answers,
 * which a governor that works keeps at the provider's own (not self-inflicted) ones.
 */
export interface CallStats {
  calls: number;
  failed: number;
  gaveUp: number;
  byReason: Partial<Record<RetryReason, number>>;
  gaveUpByReason: Partial<Record<RetryReason, number>>;
}
export const emptyCallStats = (): CallStats => ({ calls: 0, failed: 0, gaveUp: 0, byReason: {}, gaveUpByReason: {} });

/** Shares of all calls, for run reports and the acceptance check (failed for good < 5%). */
export function callShares(stats: CallStats): { rawFailedShare: number; gaveUpShare: number } {
  const share = (n: number): number => (stats.calls === 0 ? 0 : Number((n / stats.calls).toFixed(4)));
  return { rawFailedShare: share(stats.failed), gaveUpShare: share(stats.gaveUp) };
}
export interface GovernedCallOptions {
  limits: ProviderLimitProfile;
  governor: RateGovernor;
  sleep: Sleep;
  stats: CallStats;
  /** Turn whatever the client threw into what the policy reads (status, headers, body, network code). */
  describe(error: unknown): Omit<FailedCall, 'attempt'>;
  /** Called on an expired token before the replay. */
  refreshAuth?: () => Promise<void>;
  random?: () => number;
  /** Rate-limit waits allowed in one call before giving the wait to the queue instead. */
  maxRateLimitWaits?: number;
  /** A call with no answer after this long counts as a network failure (ETIMEDOUT) and is retried. */
  timeoutMs?: number;
}

/** Thrown in place of an answer that did not come within `timeoutMs`. */
class CallTimedOut extends Error {
  readonly code = 'ETIMEDOUT';
}

/**
 * The call's answer, or CallTimedOut once `ms` have passed. The SDK call itself is not aborted:
 * @hubspot/api-client 13.5 takes an agent but never uses it (its generated ObservableAPI drops the
 * configured middleware, hubspot-api-nodejs#686, fixed only in 14.x, which needs Node 22), so no
 * socket deadline can reach it. A late answer is ignored; writes read back before a retry.
 */
function withDeadline<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CallTimedOut(`${what}: no answer in ${ms} ms`)), ms);
  });
  call.catch(() => undefined); // a late failure of an abandoned call is nobody's business
  return Promise.race([call, deadline]).finally(() => clearTimeout(timer));
}

/** Rate-limit headers seen on a response, success or failure: keep the shared bucket at or below what the provider says is left. */
export async function observeRateHeaders(governor: RateGovernor, headers: FailedCall['headers']): Promise<void> {
  const remaining = Number(header(headers, 'x-hubspot-ratelimit-remaining'));
  if (header(headers, 'x-hubspot-ratelimit-remaining') !== undefined && Number.isFinite(remaining)) await governor.capTo(remaining);
}

/**
 * Send one API call through the governor and the retry policy. Throws a SuccessEngineError with a
 * CONNECTOR.* code when it gives up; a long rate-limit wait is handed to the queue (RATE_LIMITED + waitMs).
 */
export async function governedCall<T>(what: string, send: () => Promise<T>, options: GovernedCallOptions, cost = 1): Promise<T> {
  let attempt = 0;
  let rateLimitWaits = 0;
  let refreshed = false;
  const maxWaits = options.maxRateLimitWaits ?? 10;
  for (;;) {
    await options.governor.acquire(cost);
    options.stats.calls++;
    try {
      return await (options.timeoutMs ? withDeadline(send(), options.timeoutMs, what) : send());
    } catch (error) {
      options.stats.failed++;
      const described = error instanceof CallTimedOut ? { networkCode: error.code } : options.describe(error);
      const call: FailedCall = { ...described, attempt: attempt + 1 };
      const decision = decideRetry(options.limits, call, options.random);
      options.stats.byReason[decision.reason] = (options.stats.byReason[decision.reason] ?? 0) + 1;
      await observeRateHeaders(options.governor, described.headers);
      const giveUp: (d: RetryDecision) => never = (d) => {
        options.stats.gaveUp++;
        options.stats.gaveUpByReason[d.reason] = (options.stats.gaveUpByReason[d.reason] ?? 0) + 1;
        throw connectorError(d, what, call, error);
      };
      if (decision.reason === 'rate-limited') {
        // Everyone sharing the bucket waits, not only this caller.
        await options.governor.penalise(decision.waitMs);
        if (++rateLimitWaits > maxWaits) giveUp(decision);
        continue;
      }
      if (!decision.retry) giveUp(decision);
      if (decision.countsAsAttempt) attempt++;
      if (decision.reason === 'auth-expired') {
        if (!options.refreshAuth) giveUp(decision);
        // A 401 right after a fresh token means the grant itself is gone.
        if (refreshed) giveUp({ ...decision, retry: false, reason: 'auth-revoked' });
        refreshed = true;
        await options.refreshAuth();
      }
      if (decision.waitMs > 0) await options.sleep(decision.waitMs);
    }
  }
}
