import { z } from 'zod';
import { canonicalId, SuccessEngineError, type AccountId, type CanonicalAccount, type ScoreSet, type TenantId } from '../../../core';
import type { RecordStore } from '../../../core/ports/record-store.port';
import { buildCardView, type CardView } from '../../../ui-extension/shared/card.view-model';

/** The CRMs whose record pages show our card. */
export type CardProvider = 'hubspot' | 'salesforce';
/** Canonical kind of the record a card sits on: a company/Account, or a deal/Opportunity (shown through its account). */
export type CardObjectType = 'account' | 'opportunity';

/**
 * Whether the CRM lets this user see this record (HubSpot team/owner visibility, Salesforce sharing).
 * Written in `app/install/record-access.ts`; taken as a parameter so the card routes stay testable.
 */
export type RecordAccessCheck = (tenantId: TenantId, provider: CardProvider, crmUserId: string, objectType: CardObjectType, externalId: string) => Promise<boolean>;

export interface CrmCardDeps {
  store: Pick<RecordStore, 'getRecord' | 'scoreHistory' | 'appendAudit' | 'listAudit'>;
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

/** Audit action names of card feedback; the audit log is where the feedback lives (kept per tenant, erased with it). */
const FEEDBACK_ACTIONS: Record<FeedbackOutcome, string> = { done: 'nba.done', dismissed: 'nba.dismissed' };
/** How far back the card looks for feedback on the latest score's actions. */
const FEEDBACK_LOOKBACK_ENTRIES = 1000;
const HISTORY_LIMIT = 30;

/** The account a card shows: the record itself, or the account a deal/opportunity belongs to. 404 when this tenant has no such record. */
function resolveAccount(deps: CrmCardDeps, request: CardRequest): CanonicalAccount {
  const { tenantId, provider, objectType, externalId } = request;
  if (objectType === 'account') {
    const account = deps.store.getRecord(tenantId, 'account', canonicalId(provider, externalId));
    if (!account || account.deletedAt) throw new SuccessEngineError('HTTP.NOT_FOUND', `no ${provider} account ${externalId} for this installation`);
    return account;
  }
  const opportunity = deps.store.getRecord(tenantId, 'opportunity', canonicalId(provider, externalId));
  if (!opportunity || opportunity.deletedAt) throw new SuccessEngineError('HTTP.NOT_FOUND', `no ${provider} opportunity ${externalId} for this installation`);
  const account = deps.store.getRecord(tenantId, 'account', opportunity.accountId);
  if (!account || account.deletedAt) throw new SuccessEngineError('HTTP.NOT_FOUND', `opportunity ${externalId} has no synced account`);
  return account;
}

async function authorize(deps: CrmCardDeps, request: CardRequest): Promise<CanonicalAccount> {
  const account = resolveAccount(deps, request);
  const allowed = await deps.canUserSeeRecord(request.tenantId, request.provider, request.crmUserId, request.objectType, request.externalId);
  if (!allowed) throw new SuccessEngineError('HTTP.FORBIDDEN', `your ${request.provider} user cannot see this record`);
  return account;
}

/** Action ids already marked done or dismissed on this score run, so the card stops offering them. */
function answeredActions(deps: CrmCardDeps, tenantId: TenantId, accountId: AccountId, latest: ScoreSet): Set<string> {
  const answered = new Set<string>();
  for (const entry of deps.store.listAudit(tenantId, { limit: FEEDBACK_LOOKBACK_ENTRIES })) {
    if (entry.target !== accountId || !Object.values(FEEDBACK_ACTIONS).includes(entry.action)) continue;
    if (entry.details.computedAt === latest.computedAt && typeof entry.details.actionId === 'string') answered.add(entry.details.actionId);
  }
  return answered;
}

/** card.v1 for a record the user may see, without actions already answered on the latest score. */
export async function loadCard(deps: CrmCardDeps, request: CardRequest): Promise<CardView> {
  const account = await authorize(deps, request);
  const history = deps.store.scoreHistory(request.tenantId, account.id, { limit: HISTORY_LIMIT });
  const [latest, ...older] = history;
  const shown = latest ? [{ ...latest, nextBestActions: latest.nextBestActions.filter((a) => !answeredActions(deps, request.tenantId, account.id, latest).has(a.actionId)) }, ...older] : history;
  return buildCardView({ account, history: shown, now: (deps.now ?? (() => new Date()))() });
}

export interface FeedbackRequest extends CardRequest {
  actionId: string;
  outcome: FeedbackOutcome;
}

/**
 * Records a rep's done/dismiss on a recommended action of the latest score (an audit entry, so it
 * is exported and erased with the tenant). Answers the refreshed card.
 */
export async function recordFeedback(deps: CrmCardDeps, request: FeedbackRequest): Promise<CardView> {
  const account = await authorize(deps, request);
  const [latest] = deps.store.scoreHistory(request.tenantId, account.id, { limit: 1 });
  if (!latest?.nextBestActions.some((a) => a.actionId === request.actionId)) {
    throw new SuccessEngineError('HTTP.NOT_FOUND', `no action "${request.actionId}" on the latest score of this record`);
  }
  deps.store.appendAudit({
    tenantId: request.tenantId,
    at: (deps.now ?? (() => new Date()))().toISOString(),
    actor: `${request.provider}:${request.crmUserId}`,
    action: FEEDBACK_ACTIONS[request.outcome],
    target: account.id,
    details: { actionId: request.actionId, computedAt: latest.computedAt, modelVersion: latest.modelVersion, objectType: request.objectType, externalId: request.externalId },
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
