import { SuccessEngineError, type AccountId, type Store, type TenantId } from '../../../core';
import { parseActionOutcome, type ActionOutcome } from '../../../engine/nba/action-outcomes';

export type CardFeedback = 'completed' | 'dismissed';

/** Outcomes recorded so far (card, API, CRM tasks), the input of propensity learning and lift. */
export async function listActionOutcomes(store: Pick<Store, 'listActionOutcomes'>, tenantId: TenantId): Promise<ActionOutcome[]> {
  return store.listActionOutcomes(tenantId);
}

/**
 * Done / Dismiss from any card (web, HubSpot, Salesforce): the action must be one the newest score
 * recommended to this account.
 * Recorded as a treatment outcome of that recommendation (same recommendation → replaced, so a
 * second click changes the answer instead of counting twice), with an audit entry.
 */
export async function recordCardFeedback(
  store: Pick<Store, 'scoreHistory' | 'recordActionOutcome' | 'appendAudit'>,
  input: { tenantId: TenantId; accountId: AccountId; actionId: string; status: CardFeedback; actor: string; now: Date },
): Promise<ActionOutcome> {
  const [latest] = await store.scoreHistory(input.tenantId, input.accountId, { limit: 1 });
  const recommended = latest?.nextBestActions.some((a) => a.actionId === input.actionId);
  if (!latest || !recommended)
    throw new SuccessEngineError('HTTP.NOT_FOUND', `action "${input.actionId}" is not recommended for account ${input.accountId}`);
  const at = input.now.toISOString();
  const outcome = parseActionOutcome({
    tenantId: input.tenantId,
    accountId: input.accountId,
    actionId: input.actionId,
    arm: 'treatment',
    recommendedAt: latest.computedAt,
    status: input.status,
    completedAt: input.status === 'completed' ? at : null,
    source: 'card',
    retained: null,
  });
  await store.recordActionOutcome(outcome, input.actor);
  await store.appendAudit({
    tenantId: input.tenantId,
    at,
    actor: input.actor,
    action: `nba.${input.status}`,
    target: `${input.accountId}/${input.actionId}`,
    details: { recommendedAt: latest.computedAt, source: 'card' },
  });
  return outcome;
}
