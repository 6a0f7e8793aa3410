import type { Lane } from './queue-map';

/**
 * Fairness between tenants without BullMQ Pro's groups: interactive work (on-change updates) runs
 * at the top priority; bulk work gets priority 2 + the number of bulk jobs that tenant already
 * queued in this run. Tenant A's 500th backfill page therefore waits behind tenant B's 1st, so a
 * 1M-account backfill can't starve a small tenant, and neither can starve an on-change update.
 */
export const INTERACTIVE_PRIORITY = 1;
const BULK_BASE = 2;
/** BullMQ's ceiling for priorities (2^21). */
export const PRIORITY_LIMIT = 2_097_152;

export class FairPriority {
  private readonly sequence = new Map<string, number>();

  next(tenantId: string, lane: Lane): number {
    if (lane === 'interactive') return INTERACTIVE_PRIORITY;
    const n = this.sequence.get(tenantId) ?? 0;
    this.sequence.set(tenantId, n + 1);
    return Math.min(BULK_BASE + n, PRIORITY_LIMIT);
  }

  /** A new run starts the tenant's bulk sequence again. */
  reset(tenantId: string): void {
    this.sequence.delete(tenantId);
  }
}
