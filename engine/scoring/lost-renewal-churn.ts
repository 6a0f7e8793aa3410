import type { CanonicalAccount, CanonicalOpportunity } from '../../core';

/**
 * Orgs without a churn field (a vanilla Salesforce org, a default HubSpot portal) still record who
 * left: a renewal that closed lost, with nothing won or still open on or after its close date. Such
 * an account reads as churned on that date, so training has labels and scoring skips it. An account
 * whose CRM already says churned (status or date) keeps what the CRM says.
 */
export function withChurnFromLostRenewals(
  accounts: readonly CanonicalAccount[],
  opportunities: readonly CanonicalOpportunity[],
): CanonicalAccount[] {
  const byAccount = new Map<string, CanonicalOpportunity[]>();
  for (const o of opportunities) {
    if (o.deletedAt) continue;
    const list = byAccount.get(o.accountId);
    if (list) list.push(o);
    else byAccount.set(o.accountId, [o]);
  }
  return accounts.map((account) => {
    if (account.status !== 'active' || account.churnedAt) return account;
    const lostOn = lostRenewalDate(byAccount.get(account.id) ?? []);
    return lostOn ? { ...account, status: 'churned' as const, churnedAt: `${lostOn}T00:00:00.000Z` } : account;
  });
}

/** The close date of the last lost renewal, unless a deal was won or is open on or after it. */
function lostRenewalDate(opportunities: readonly CanonicalOpportunity[]): string | undefined {
  let lost: string | undefined;
  for (const o of opportunities)
    if (o.kind === 'renewal' && o.isClosed && !o.isWon && (lost === undefined || o.closeDate > lost)) lost = o.closeDate;
  if (lost === undefined) return undefined;
  const after = lost;
  const stillBuying = opportunities.some((o) => (!o.isClosed || o.isWon) && o.closeDate >= after);
  return stillBuying ? undefined : lost;
}
