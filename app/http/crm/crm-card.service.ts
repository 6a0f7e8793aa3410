import { z } from 'zod';
import { canonicalId, SuccessEngineError, type AccountId, type CanonicalAccount, type ScoreSet, type TenantId } from '../../../core';
import type { Store } from '../../../core/ports/store.port';
import { buildCardView, type CardView } from '../../../ui-extension/shared/card.view-model';
import { recordCardFeedback, type CardFeedback } from '../console/action-feedback';

/** The CRMs whose record pages show our card. */
export type CardProvider = 'hubspot' | 'salesforce';
/** Canonical kind of the record a card sits on: a company/Account, or a deal/Opportunity (shown through its account). */
export type CardObjectType = 'account' | 'opportunity';

/**
 * Whether the CRM lets this user see this record (HubSpot team/owner visibility, Salesforce sharing).
 * Written in `app/install/record-access.ts`; taken as a parameter so the card routes stay testable.
 */
export type RecordAccessCheck = (
  tenantId: TenantId,
  provider: CardProvider,
  crmUserId: string,
  objectType: CardObjectType,
  externalId: string,
) => Promise<boolean>;

export interface CrmCardDeps {
  store: Pick<Store, 'getRecord' | 'scoreHistory' | 'appendAudit' | 'recordActionOutcome' | 'listActionOutcomes'>;
  canUserSeeRecord: RecordAccessCheck;
  now?: () => Date;
}

export interface CardRequest {
  tenantId: TenantId;
  provider: CardProvider;
  crmUserId: string;
  objectType: CardObjectType;
  externalId: string;
}

export const FeedbackOutcomeSchema = z.enum(['done', 'dismissed']);
export type FeedbackOutcome = z.infer<typeof FeedbackOutcomeSchema>;

/** The card says done/dismissed; outcomes say completed/dismissed (as CRM tasks do). */
const OUTCOME_STATUS: Record<FeedbackOutcome, CardFeedback> = { done: 'completed', dismissed: 'dismissed' };
const HISTORY_LIMIT = 30;

/** The account a card shows: the record itself, or the account a deal/opportunity belongs to. 404 when this tenant has no such record. */
async function resolveAccount(deps: CrmCardDeps, request: CardRequest): Promise<CanonicalAccount> {
  const { tenantId, provider, objectType, externalId } = request;
  if (objectType === 'account') {
    const account = await deps.store.getRecord(tenantId, 'account', canonicalId(provider, externalId));
    if (!account || account.deletedAt)
      throw new SuccessEngineError('HTTP.NOT_FOUND', `no ${provider} account ${externalId} for this installation`);
    return account;
  }
  const opportunity = await deps.store.getRecord(tenantId, 'opportunity', canonicalId(provider, externalId));
  if (!opportunity || opportunity.deletedAt)
    throw new SuccessEngineError('HTTP.NOT_FOUND', `no ${provider} opportunity ${externalId} for this installation`);
  const account = await deps.store.getRecord(tenantId, 'account', opportunity.accountId);
  if (!account || account.deletedAt) throw new SuccessEngineError('HTTP.NOT_FOUND', `opportunity ${externalId} has no synced account`);
  return account;
}

async function authorize(deps: CrmCardDeps, request: CardRequest): Promise<CanonicalAccount> {
  const account = await resolveAccount(deps, request);
  const allowed = await deps.canUserSeeRecord(
    request.tenantId,
    request.provider,
    request.crmUserId,
    request.objectType,
    request.externalId,
  );
  if (!allowed) throw new SuccessEngineError('HTTP.FORBIDDEN', `your ${request.provider} user cannot see this record`);
  return account;
}

/** Action ids already marked done or dismissed on this score run, so the card stops offering them. */
async function answeredActions(deps: CrmCardDeps, tenantId: TenantId, accountId: AccountId, latest: ScoreSet): Promise<Set<string>> {
  const outcomes = await deps.store.listActionOutcomes(tenantId, { accountId, recommendedAt: latest.computedAt });
  return new Set(outcomes.filter((o) => o.status === 'completed' || o.status === 'dismissed').map((o) => o.actionId));
}

/** card.v1 for a record the user may see, without actions already answered on the latest score. */
export async function loadCard(deps: CrmCardDeps, request: CardRequest): Promise<CardView> {
  const account = await authorize(deps, request);
  const history = await deps.store.scoreHistory(request.tenantId, account.id, { limit: HISTORY_LIMIT });
  const [latest, ...older] = history;
  const answered = latest ? await answeredActions(deps, request.tenantId, account.id, latest) : new Set<string>();
  const shown = latest
    ? [
        {
          ...latest,
          nextBestActions: latest.nextBestActions.filter((a) => !answered.has(a.actionId)),
        },
        ...older,
      ]
    : history;
  return buildCardView({ account, history: shown, now: (deps.now ?? (() => new Date()))() });
}

export interface FeedbackRequest extends CardRequest {
  actionId: string;
  outcome: FeedbackOutcome;
}

/**
 * Records a rep's done/dismiss on a recommended action of the latest score, as every card does
 * (an action outcome plus an audit entry). Answers the refreshed card.
 */
export async function recordFeedback(deps: CrmCardDeps, request: FeedbackRequest): Promise<CardView> {
  const account = await authorize(deps, request);
  await recordCardFeedback(deps.store, {
    tenantId: request.tenantId,
    accountId: account.id,
    actionId: request.actionId,
    status: OUTCOME_STATUS[request.outcome],
    actor: `${request.provider}:${request.crmUserId}`,
    now: (deps.now ?? (() => new Date()))(),
  });
  return loadCard(deps, request);
}

export const FeedbackBodySchema = z.object({
  actionId: z.string().min(1).max(200),
  outcome: FeedbackOutcomeSchema,
});

/** Parses with zod and names the field at fault as a 400. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
    throw new SuccessEngineError('HTTP.BAD_REQUEST', `${what}: ${issues}`);
  }
  return parsed.data;
}
