/** Delivery retry policy: exponential backoff with full jitter, for at most `windowMs` after the first attempt. */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  windowMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 5_000, maxDelayMs: 60 * 60_000, windowMs: 24 * 60 * 60_000 };

/**
 * Delay before attempt `attempt + 1` after `attempt` failures: uniform in [0, min(cap, base·2^(attempt−1))]
 * ("full jitter", which spreads retries from many senders best). `random` returns [0, 1).
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), 40));
  // At least 1 ms so a retry is never scheduled "now" and loops cannot spin.
  return Math.max(1, Math.floor(random() * ceiling));
}
