import { createHash } from 'node:crypto';
import { SuccessEngineError } from '../../core';

export const DEFAULT_HOLDOUT_RATE = 0.1;

/**
 * A uniform number in [0, 1) fixed by tenant, action and account: the same account stays in the
 * same arm for an action across runs and machines, and arms are independent between actions.
 */
export function holdoutBucket(tenantId: string, actionId: string, accountId: string): number {
  const digest = createHash('sha256').update(`${tenantId}\u0000${actionId}\u0000${accountId}`).digest();
  // 48 bits are plenty and stay exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function isInHoldout(tenantId: string, actionId: string, accountId: string, rate: number = DEFAULT_HOLDOUT_RATE): boolean {
  if (!(rate >= 0 && rate <= 1))
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `holdoutRate must be within [0, 1], got ${rate}`, { field: 'holdoutRate' });
  return holdoutBucket(tenantId, actionId, accountId) < rate;
}
