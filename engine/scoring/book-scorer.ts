import {
  ScoreSetSchema,
  type LocalizedText,
  type ChurnScore,
  type ClvScore,
  type ModelRef,
  type NextBestAction,
  type ScoreSet,
  type TenantId,
  type AccountId,
  type CanonicalAccount,
} from '../../core';
import type { AlertSignals } from '../alerts/alert-rules';
import { scoreChurn } from '../churn/churn-drivers';
import type { ChurnModel } from '../churn/churn-model';
import { scoreBookClv, type AccountClvEvidence, type AccountClvResult } from '../clv/clv-method';
import {
  buildAccountFeatures,
  groupByAccount,
  type AccountFeatures,
  type AccountRecords,
  type AnalysedRecordText,
} from '../features/account-features';
import { catalogWording } from '../features/feature-catalog';
import { cellValue } from '../features/feature-table';
import { scoreHealth } from '../health/health-score';
import { arbitrate, noActionReason, type AccountDecision, type ArbitrationOptions, type ArbitrationResult } from '../nba/arbitration';
import type { AccountSignals, ActionDefinition } from '../nba/nba.types';
import { accountVoice, type AccountVoice } from '../text/customer-voice';
import { DEFAULT_TOPICS, type TopicDefinition } from '../text/topics/topic-catalog';

export type ChurnScorer = { kind: 'learned'; model: ChurnModel; ref: ModelRef } | { kind: 'health-score'; ref: Omit<ModelRef, 'kind'> };

export interface BookScoringInput {
  tenantId: TenantId;
  /** The scoring instant; features are built as of it. */
  now: string;
  records: AccountRecords;
  churn: ChurnScorer;
  /** Currency used when an account has none. */
  currency: string;
  clv: { horizonMonths: number; monthlyDiscountRate: number; draws: number; seed: number; modelVersion: string };
  catalog: readonly ActionDefinition[];
  nba: Omit<ArbitrationOptions, 'now'>;
  /** The latest earlier score per account, for "what changed" and jump alerts. */
  previous?: ReadonlyMap<string, ScoreSet>;
  /** Version of this scoring run, recorded on every ScoreSet. */
  runVersion: string;
  /** The tenant's text topics (labels for the card's "What customers say"); the defaults without. */
  topics?: readonly TopicDefinition[];
}

export interface BookScoringResult {
  scoreSets: ScoreSet[];
  decisions: AccountDecision[];
  assignments: ArbitrationResult['assignments'];
  alertSignals: AlertSignals[];
  clv: AccountClvResult[];
  features: AccountFeatures;
}

/**
 * Everything we compute for a tenant's live accounts at one instant: churn probability with
 * reasons (learned model or health score), CLV with its interval (method chosen per account),
 * and next-best-actions arbitrated across the whole book (owner capacity is shared).
 */
export function scoreBook(input: BookScoringInput): BookScoringResult {
  const features = buildAccountFeatures(input.records, input.now);
  const rows = Uint32Array.from(features.accountIds.keys());
  const churn: ChurnScore[] =
    input.churn.kind === 'learned'
      ? scoreChurn(input.churn.model, input.churn.ref, features.table, rows, { wording: catalogWording() })
      : scoreHealth(features.table, rows, input.churn.ref);

  const accountsById = new Map(input.records.accounts.map((a) => [a.id as string, a]));
  const churnById = new Map(features.accountIds.map((id, row) => [id as string, churn[row]?.probability ?? 0]));
  const clv = scoreBookClv(clvEvidence(input.records, churnById, input.currency), {
    asOf: input.now.slice(0, 10),
    horizonMonths: input.clv.horizonMonths,
    monthlyDiscountRate: input.clv.monthlyDiscountRate,
    draws: input.clv.draws,
    seed: input.clv.seed,
    modelVersion: input.clv.modelVersion,
  });
  const clvById = new Map(clv.map((c) => [c.accountId, c.score]));

  const column = (name: string) => features.table.columns.find((c) => c.name === name);
  const numberAt = (name: string, row: number): number | null => {
    const c = column(name);
    const v = c ? cellValue(c, row) : null;
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const signals: AccountSignals[] = features.accountIds.map((id, row) => {
    const account = accountsById.get(id) as CanonicalAccount;
    const score = churn[row] as ChurnScore;
    return {
      tenantId: input.tenantId,
      accountId: id,
      ...(account.ownerId ? { ownerId: account.ownerId } : {}),
      churnProbability: score.probability,
      riskBand: score.band,
      clv: clvById.get(id)?.ifRetained ?? valueIfRetained(clvById.get(id)?.point ?? 0, score.probability, account.arr),
      currency: account.currency ?? input.currency,
      segment: account.plan ?? account.contractType ?? 'default',
      openTickets: numberAt('open_tickets', row) ?? 0,
      daysToRenewal: numberAt('days_to_renewal', row),
      tenureDays: numberAt('tenure_days', row),
    };
  });
  const arbitration = arbitrate(signals, input.catalog, { explainIneligible: false, ...input.nba, now: new Date(input.now) });
  const decisionById = new Map(arbitration.decisions.map((d) => [d.accountId, d]));

  const voices = accountVoices(
    input.records.texts ?? [],
    input.now,
    new Set(features.accountIds as string[]),
    topicLabel(input.topics ?? DEFAULT_TOPICS),
  );
  const scoreSets = features.accountIds.map((id, row) =>
    ScoreSetSchema.parse({
      ...(voices.get(id) ? { voice: voices.get(id)?.voice } : {}),
      tenantId: input.tenantId,
      accountId: id,
      computedAt: input.now,
      churn: churn[row],
      ...(clvById.get(id) ? { clv: clvById.get(id) as ClvScore } : {}),
      nextBestActions: (decisionById.get(id)?.actions ?? []).map((a): NextBestAction => ({
        actionId: a.actionId,
        rank: a.rank,
        score: a.score,
        title: a.title,
        reasons: a.reasons.length ? a.reasons : [a.title],
      })),
      ...noActionNote(decisionById.get(id), churn[row] as ChurnScore),
      modelVersion: input.runVersion,
    }),
  );
  const alertSignals = scoreSets.map((s): AlertSignals => {
    const account = accountsById.get(s.accountId) as CanonicalAccount;
    const before = input.previous?.get(s.accountId);
    const heard = voices.get(s.accountId);
    return {
      ...(heard ? { sentiment: heard.sentiment, negativeTopics: heard.negativeTopics } : {}),
      tenantId: input.tenantId,
      accountId: s.accountId,
      accountName: account.name,
      ...(account.ownerId ? { ownerId: account.ownerId } : {}),
      current: {
        churnProbability: s.churn.probability,
        band: s.churn.band,
        clv: s.clv?.point ?? 0,
        currency: s.clv?.currency ?? input.currency,
        scoredAt: s.computedAt,
      },
      ...(before
        ? { previous: { churnProbability: before.churn.probability, clv: before.clv?.point ?? 0, scoredAt: before.computedAt } }
        : {}),
    };
  });
  return { scoreSets, decisions: arbitration.decisions, assignments: arbitration.assignments, alertSignals, clv, features };
}

/**
 * CLV models are fitted across the whole book (churned accounts included: they are the evidence
 * of how long contracts last), so every account's history is passed, live ones with their churn.
 */
function clvEvidence(records: AccountRecords, churnById: ReadonlyMap<string, number>, currency: string): AccountClvEvidence[] {
  const subscriptions = groupByAccount(records.subscriptions ?? []);
  const transactions = groupByAccount(records.transactions ?? []);
  return records.accounts.map((a) => {
    const churnProbability = churnById.get(a.id);
    const own = subscriptions.get(a.id);
    const derived = own ? undefined : contractFromAccount(a);
    return {
      accountId: a.id,
      subscriptions: own ?? (derived ? [derived] : []),
      transactions: transactions.get(a.id) ?? [],
      ...(churnProbability !== undefined ? { churnProbability } : {}),
      currency: a.currency ?? currency,
    };
  });
}

/**
 * Next-best-action weighs value at stake as value × churn probability, so it needs the value the
 * account keeps if it stays, not our CLV (which already discounts churn and falls to 0 as the
 * probability nears 1, hiding exactly the accounts that most need an action). CLV / (1 − p)
 * undoes the discount; near p = 1 the annual revenue stands in.
 */
function valueIfRetained(clv: number, churnProbability: number, arr: number | undefined): number {
  const undone = churnProbability < 0.95 && clv > 0 ? clv / (1 - churnProbability) : 0;
  return Math.max(undone, arr ?? 0);
}

/** Above low risk, an account without an action says why (capacity, cooldown, cost, catalog). */
function noActionNote(decision: AccountDecision | undefined, churn: ChurnScore): { noActionReason?: LocalizedText } {
  if (churn.band === 'low' || !decision) return {};
  const reason = noActionReason(decision);
  return reason ? { noActionReason: reason } : {};
}

const BILLING: Record<NonNullable<CanonicalAccount['contractType']>, AccountClvEvidence['subscriptions'][number]['billingPeriod']> = {
  'month-to-month': 'monthly',
  'one-year': 'annual',
  'two-year': 'annual',
  other: 'monthly',
};

/**
 * CRMs such as HubSpot often keep the contract on the company (ARR, contract type, customer
 * since, churn date) rather than as subscription records; read it as one subscription so the
 * renewal-based (sBG) CLV applies to those accounts too.
 */
function contractFromAccount(a: CanonicalAccount): AccountClvEvidence['subscriptions'][number] | undefined {
  if (!a.arr || !a.customerSince || !a.contractType || a.status === 'prospect') return undefined;
  const ended = a.status === 'churned' && a.churnedAt !== undefined;
  return {
    status: ended ? 'cancelled' : 'active',
    startDate: a.customerSince.slice(0, 10),
    ...(ended ? { endDate: (a.churnedAt as string).slice(0, 10) } : {}),
    billingPeriod: BILLING[a.contractType],
    mrr: a.arr / 12,
  };
}

export type { AccountId };

/** Each scored account's customer voice (texts grouped once, not filtered per account). */
function accountVoices(
  texts: readonly AnalysedRecordText[],
  now: string,
  scored: ReadonlySet<string>,
  label: (topic: string) => LocalizedText,
): Map<string, AccountVoice> {
  const out = new Map<string, AccountVoice>();
  for (const [accountId, list] of groupByAccount(texts)) if (scored.has(accountId)) out.set(accountId, accountVoice(list, now, label));
  return out;
}

function topicLabel(topics: readonly TopicDefinition[]): (topic: string) => LocalizedText {
  const labels = new Map(topics.map((t) => [t.id, t.label]));
  return (topic) => labels.get(topic) ?? { en: topic, zh: topic };
}
