import { isSuccessEngineError } from '../../core';

/**
 * How a failed step is treated by the queue, from the error's dotted code:
 * - `rate-limit`: the CRM said slow down; the worker pauses the queue for `waitMs` and retries the
 *   job without counting an attempt;
 * - `unrecoverable`: retrying cannot help (bad payload, revoked access); straight to dead letters;
 * - `retry`: anything else, with exponential backoff up to the job's attempts.
 */
export type FailureHandling = { kind: 'rate-limit'; waitMs: number } | { kind: 'unrecoverable' } | { kind: 'retry' };

const UNRECOVERABLE = new Set(['CORE.VALIDATION_FAILED', 'CONFIG.INVALID', 'CONNECTOR.AUTH_REVOKED', 'CONNECTOR.PERMISSION_DENIED', 'STORE.DECRYPT_FAILED', 'QUEUE.BAD_PAYLOAD', 'PIPELINE.UNKNOWN_CONNECTION', 'PIPELINE.UNKNOWN_ALERT', 'QUEUE.NO_PARENT']);

export function classifyFailure(error: unknown): FailureHandling {
  if (!isSuccessEngineError(error)) return { kind: 'retry' };
  if (error.code === 'CONNECTOR.RATE_LIMITED') {
    const waitMs = typeof error.details.waitMs === 'number' && error.details.waitMs > 0 ? error.details.waitMs : 10_000;
    return { kind: 'rate-limit', waitMs };
  }
  if (UNRECOVERABLE.has(error.code)) return { kind: 'unrecoverable' };
  return { kind: 'retry' };
}
