import { errorCodeInfo, isSuccessEngineError } from '../../core';

/**
 * How a failed step is treated by the queue, from the error's dotted code (its `retry` column in
 * core/errors.ts):
 * - `rate-limit`: the CRM said slow down; the worker pauses the queue for `waitMs` and retries the
 *   job without counting an attempt;
 * - `unrecoverable`: retrying cannot help (bad payload, bad input, revoked access); straight to dead letters;
 * - `retry`: with exponential backoff up to the job's attempts; also anything that is not ours.
 */
export type FailureHandling = { kind: 'rate-limit'; waitMs: number } | { kind: 'unrecoverable' } | { kind: 'retry' };

export function classifyFailure(error: unknown): FailureHandling {
  if (!isSuccessEngineError(error)) return { kind: 'retry' };
  const semantics = errorCodeInfo(error.code).retry;
  if (semantics === 'rate-limit') {
    const waitMs = typeof error.details.waitMs === 'number' && error.details.waitMs > 0 ? error.details.waitMs : 10_000;
    return { kind: 'rate-limit', waitMs };
  }
  return { kind: semantics };
}
