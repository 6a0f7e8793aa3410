import type { ActionOutcome, Store, TenantId } from '../../core';
import type { AlertSignals } from '../../engine/alerts/alert-rules';
import { CHURN_TASK, churnModelFromVersion, churnModelRef } from '../../engine/churn/churn-registry';
import { DEFAULT_ACTION_CATALOG } from '../../engine/nba/action-catalog';
import { resolveActionCatalog } from '../settings/tenant-settings';
import type { ActionDefinition } from '../../engine/nba/nba.types';
import {
  prepareBookInPages,
  type BookScoringResult,
  type ChurnScorer,
  type PastRecommendation,
  type PreparedBook,
} from '../../engine/scoring/book-scorer';
import { resolveTextSettings } from '../settings/text-settings';
import { SETTING_KEYS } from '../settings/tenant-settings';
import type { BookInsights } from '../../engine/scoring/book-insights';
import { orgCurrencies } from '../settings/org-currencies';
import { tenantRecordPages } from './tenant-records';

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

/** Past recommendations as arbitration history (owners are found on the accounts), and outcomes for learned propensities. */
async function nbaMemory(
  store: Store,
  tenantId: TenantId,
  now: string,
): Promise<{ history: PastRecommendation[]; outcomes: ActionOutcome[] }> {
  const outcomes = await store.listActionOutcomes(tenantId);
  const since = Date.parse(now) - HISTORY_DAYS * 86_400_000;
  const history = outcomes
    .filter((o) => Date.parse(o.recommendedAt) >= since && Date.parse(o.recommendedAt) < Date.parse(now))
    .map((o): PastRecommendation => ({
      tenantId: o.tenantId,
      accountId: o.accountId,
      actionId: o.actionId,
      assignedAt: o.recommendedAt,
      arm: o.arm,
    }));
  return { history, outcomes };
}

/**
 * Fit, arbitrate and get ready to score the tenant's live book, read a page of accounts at a time
 * (see `prepareBookInPages`); the scores are then read page by page from `chunks()`. Each page's
 * alert inputs go to `onAlertSignals` first, while the book is considered.
 */
export async function prepareTenantScores(
  store: Store,
  tenantId: TenantId,
  now: string,
  options: Partial<ScoreStepOptions> & { pageSize?: number; onAlertSignals?: (signals: AlertSignals[]) => void | Promise<void> } = {},
): Promise<PreparedBook> {
  // The tenant's catalog (console overrides on top of the defaults) unless the caller passes one.
  // A multi-currency org is scored in its corporate currency (amounts are converted as they are read).
  const corporate = (await orgCurrencies(store, tenantId))?.corporate;
  const opts = {
    ...defaultScoreStepOptions,
    ...(corporate ? { currency: corporate } : {}),
    catalog: await resolveActionCatalog(store, tenantId),
    ...options,
  };
  const churn = await activeChurnScorer(store, tenantId);
  const memory = await nbaMemory(store, tenantId, now);
  const previousSegments = (await storedBookInsights(store, tenantId))?.segments?.model;
  return prepareBookInPages({
    tenantId,
    now,
    pages: tenantRecordPages(store, tenantId, options.pageSize),
    churn,
    currency: opts.currency,
    clv: { horizonMonths: opts.horizonMonths, monthlyDiscountRate: 0.01, draws: 100, seed: 1, modelVersion: now.slice(0, 10) },
    catalog: opts.catalog,
    nba: { capacityPerOwnerPerWeek: opts.capacityPerOwnerPerWeek, history: memory.history, outcomes: memory.outcomes },
    runVersion: `${now.slice(0, 10)}.${churn.ref.version}`,
    topics: (await resolveTextSettings(store, tenantId)).tagger.topics,
    ...(previousSegments ? { previousSegments } : {}),
    ...(options.onAlertSignals ? { onAlertSignals: options.onAlertSignals } : {}),
  });
}

/** The last score run's segments and renewal forecast, if any run kept them. */
export async function storedBookInsights(store: Store, tenantId: TenantId): Promise<BookInsights | null> {
  return ((await store.getTenantSetting(tenantId, SETTING_KEYS.bookInsights))?.value as BookInsights | undefined) ?? null;
}
