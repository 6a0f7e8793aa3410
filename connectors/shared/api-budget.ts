import { SuccessEngineError } from '../../core';
import { msUntilUtcMidnight } from './retry-policy';

/**
 * Our own API calls per provider org and UTC day, so a connector stops at its share of the org's
 * daily allocation however many workers or restarts it took. In-process by default (shared per
 * org key); the app can back it with the store or Redis.
 */
export interface ApiBudgetCounter {
  used(orgKey: string, day: string): number | Promise<number>;
  add(orgKey: string, day: string, calls: number): void | Promise<void>;
}

export class MemoryApiBudgetCounter implements ApiBudgetCounter {
  private readonly counts = new Map<string, number>();
  used(orgKey: string, day: string): number {
    return this.counts.get(`${orgKey}|${day}`) ?? 0;
  }
  add(orgKey: string, day: string, calls: number): void {
    const key = `${orgKey}|${day}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + calls);
  }
}

/** One in-process counter for every connector instance of the process. */
export const processBudgetCounter = new MemoryApiBudgetCounter();

export interface BudgetState {
  /** Our calls today. */
  used: number;
  /** The org's daily allocation and what the org as a whole used, from the last `Sforce-Limit-Info`. */
  orgLimit: number;
  orgUsed: number;
  share: number;
}

/**
 * The typed stop: code `CONNECTOR.RATE_LIMITED` (queues already delay on it) with `reason: 'budget'`,
 * the wait until the allocation resets, and the figures that tripped it.
 */
export class ApiBudgetExhaustedError extends SuccessEngineError {
  constructor(provider: string, state: BudgetState, now: Date) {
    const allowed = Math.floor(state.orgLimit * state.share);
    const orgDry = state.orgUsed >= state.orgLimit;
    super(
      'CONNECTOR.RATE_LIMITED',
      orgDry
        ? `${provider} org has used its whole daily API allocation (${state.orgUsed} of ${state.orgLimit}); waiting for the daily reset`
        : `${provider} daily API budget reached: ${state.used} calls of our ${Math.round(state.share * 100)}% share (${allowed} of ${state.orgLimit}); waiting for the daily reset`,
      {
        reason: 'budget',
        waitMs: msUntilUtcMidnight(now),
        used: state.used,
        allowed,
        orgLimit: state.orgLimit,
        orgUsed: state.orgUsed,
        share: state.share,
      },
    );
    this.name = 'ApiBudgetExhaustedError';
  }
}
