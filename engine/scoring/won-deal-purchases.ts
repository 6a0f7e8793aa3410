import type { CanonicalOpportunity, CanonicalTransaction, TransactionId } from '../../core';

/**
 * Orgs that keep no invoices (a vanilla Salesforce org, a default HubSpot portal) still record what
 * customers paid: closed-won deals. Each becomes an order on its close date, so CLV has purchases to
 * value and billing features have a history. The pipeline uses this only for a book with no
 * transactions at all, so within one tenant a purchase always means the same thing.
 */
export function purchasesFromWonDeals(opportunities: readonly CanonicalOpportunity[]): CanonicalTransaction[] {
  return opportunities
    .filter((o) => o.isWon && !o.deletedAt && (o.amount ?? 0) > 0)
    .map((o) => ({
      tenantId: o.tenantId,
      id: o.id as string as TransactionId,
      accountId: o.accountId,
      source: o.source,
      dataHash: o.dataHash,
      kind: 'order' as const,
      occurredAt: `${o.closeDate}T00:00:00.000Z`,
      amount: o.amount as number,
      ...(o.currency ? { currency: o.currency } : {}),
      attributes: { fromDeal: o.name },
    }));
}
