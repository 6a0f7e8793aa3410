import type { ActionOutcome, Store, ScoreSet, TenantId } from '../../core';
import { CHURN_TASK, churnModelFromVersion, churnModelRef } from '../../engine/churn/churn-registry';
import { DEFAULT_ACTION_CATALOG } from '../../engine/nba/action-catalog';
import { resolveActionCatalog } from '../settings/tenant-settings';
import type { ActionDefinition, ActionHistoryEntry } from '../../engine/nba/nba.types';
import { scoreBook, type BookScoringResult, type ChurnScorer } from '../../engine/scoring/book-scorer';
import { resolveTextSettings } from '../settings/text-settings';
import { loadTenantRecords } from './tenant-records';

export interface ScoreStepOptions {
  currency: string;
  catalog: readonly ActionDefinition[];
  capacityPerOwnerPerWeek: number;
  horizonMonths: number;
}

export const defaultScoreStepOptions: ScoreStepOptions = {
  currency: 'USD',
  catalog: DEFAULT_ACTION_CATALOG,
  capacityPerOwnerPerWeek: 15,
  horizonMonths: 36,
};

/** The churn scorer the tenant has now: its active learned version, else the health score. */
export async function activeChurnScorer(store: Store, tenantId: TenantId): Promise<ChurnScorer> {
  const active = await store.activeModel(tenantId, CHURN_TASK);
  if (!active) return { kind: 'health-score', ref: { name: 'health-score', version: 'default-1' } };
  return { kind: 'learned', model: churnModelFromVersion(active), ref: churnModelRef(active) };
}

/**
 * Score the tenant's live book and keep every ScoreSet (history for timelines and backtests).
 * The whole book is scored together: CLV models are fitted across it and owners' capacity for
 * next-best-actions is shared across accounts. `only` keeps the ScoreSets of those accounts.
 */
export async function scoreStep(
  store: Store,
  tenantId: TenantId,
  now: string,
  options: Partial<ScoreStepOptions> = {},
  only?: ReadonlySet<string>,
): Promise<BookScoringResult> {
  const result = await computeScores(store, tenantId, now, options, only);
  await recordRecommendations(store, result);
  await store.appendScoreSets(result.scoreSets);
  return result;
}

/** How far back past recommendations count for cooldowns (the longest default cooldown is 120 days). */
const HISTORY_DAYS = 180;

/**
 * Keeps what this run recommended (treatment) and held back at random (holdout) as action
 * outcomes, so the next run honours cooldowns and weekly capacity, cards can record done/dismiss
 * against them, and lift can be measured. Only for the accounts whose ScoreSets were kept.
 */
export async function recordRecommendations(store: Store, result: Pick<BookScoringResult, 'assignments' | 'scoreSets'>): Promise<void> {
  const kept = new Set(result.scoreSets.map((s) => s.accountId as string));
  for (const a of result.assignments) {
    if (!kept.has(a.accountId)) continue;
    const outcome = {
      tenantId: a.tenantId,
      accountId: a.accountId,
      actionId: a.actionId,
      arm: a.arm,
      recommendedAt: a.assignedAt,
      status: a.arm === 'holdout' ? ('not-applicable' as const) : ('open' as const),
      completedAt: null,
      source: 'system' as const,
      retained: null,
    };
    await store.recordActionOutcome(outcome, 'pipeline', { keepExisting: true });
  }
}

/** Past recommendations as arbitration history (owners from the accounts), and outcomes for learned propensities. */
async function nbaMemory(
  store: Store,
  tenantId: TenantId,
  now: string,
  accounts: readonly { id: string; ownerId?: string | undefined }[],
): Promise<{ history: ActionHistoryEntry[]; outcomes: ActionOutcome[] }> {
  const outcomes = await store.listActionOutcomes(tenantId);
  const since = Date.parse(now) - HISTORY_DAYS * 86_400_000;
  const owners = new Map(accounts.map((a) => [a.id, a.ownerId ?? 'unassigned']));
  const history = outcomes
    .filter((o) => Date.parse(o.recommendedAt) >= since && Date.parse(o.recommendedAt) < Date.parse(now))
    .map((o): ActionHistoryEntry => ({
      tenantId: o.tenantId,
      accountId: o.accountId,
      actionId: o.actionId,
      ownerId: owners.get(o.accountId) ?? 'unassigned',
      assignedAt: o.recommendedAt,
      arm: o.arm,
    }));
  return { history, outcomes };
}

/** The same, without keeping the ScoreSets: queue processors record alerts first, then keep them (see score-run.step). */
export async function computeScores(
  store: Store,
  tenantId: TenantId,
  now: string,
  options: Partial<ScoreStepOptions> = {},
  only?: ReadonlySet<string>,
): Promise<BookScoringResult> {
  // The tenant's catalog (console overrides on top of the defaults) unless the caller passes one.
  const opts = { ...defaultScoreStepOptions, catalog: await resolveActionCatalog(store, tenantId), ...options };
  const previous = new Map<string, ScoreSet>((await store.latestScores(tenantId)).map((s) => [s.accountId, s]));
  const churn = await activeChurnScorer(store, tenantId);
  const records = await loadTenantRecords(store, tenantId);
  const memory = await nbaMemory(store, tenantId, now, records.accounts);
  const result = scoreBook({
    tenantId,
    now,
    records,
    churn,
    currency: opts.currency,
    clv: { horizonMonths: opts.horizonMonths, monthlyDiscountRate: 0.01, draws: 100, seed: 1, modelVersion: now.slice(0, 10) },
    catalog: opts.catalog,
    nba: { capacityPerOwnerPerWeek: opts.capacityPerOwnerPerWeek, history: memory.history, outcomes: memory.outcomes },
    previous,
    runVersion: `${now.slice(0, 10)}.${churn.ref.version}`,
    topics: (await resolveTextSettings(store, tenantId)).tagger.topics,
  });
  // The book is scored together; a run that changed some accounts keeps (and alerts on) only those.
  return only
    ? {
        ...result,
        scoreSets: result.scoreSets.filter((s) => only.has(s.accountId)),
        alertSignals: result.alertSignals.filter((s) => only.has(s.accountId)),
      }
    : result;
}
