import type { RecordStore, ScoreSet, TenantId } from '../../core';
import { CHURN_TASK, churnModelFromVersion, churnModelRef } from '../../engine/churn/churn-registry';
import { DEFAULT_ACTION_CATALOG } from '../../engine/nba/action-catalog';
import { resolveActionCatalog } from '../settings/tenant-settings';
import type { ActionDefinition } from '../../engine/nba/nba.types';
import { scoreBook, type BookScoringResult, type ChurnScorer } from '../../engine/scoring/book-scorer';
import { loadTenantRecords } from './tenant-records';

export interface ScoreStepOptions {
  currency: string;
  catalog: readonly ActionDefinition[];
  capacityPerOwnerPerWeek: number;
  horizonMonths: number;
}

export const defaultScoreStepOptions: ScoreStepOptions = { currency: 'USD', catalog: DEFAULT_ACTION_CATALOG, capacityPerOwnerPerWeek: 15, horizonMonths: 36 };

/** The churn scorer the tenant has now: its active learned version, else the health score. */
export function activeChurnScorer(store: RecordStore, tenantId: TenantId): ChurnScorer {
  const active = store.activeModel(tenantId, CHURN_TASK);
  if (!active) return { kind: 'health-score', ref: { name: 'health-score', version: 'default-1' } };
  return { kind: 'learned', model: churnModelFromVersion(active), ref: churnModelRef(active) };
}

/**
 * Score the tenant's live book and keep every ScoreSet (history for timelines and backtests).
 * The whole book is scored together: CLV models are fitted across it and owners' capacity for
 * next-best-actions is shared across accounts. `only` keeps the ScoreSets of those accounts.
 */
export function scoreStep(store: RecordStore, tenantId: TenantId, now: string, options: Partial<ScoreStepOptions> = {}, only?: ReadonlySet<string>): BookScoringResult {
  const result = computeScores(store, tenantId, now, options, only);
  store.appendScoreSets(result.scoreSets);
  return result;
}

/** The same, without keeping the ScoreSets: queue processors record alerts first, then keep them (see score-run.step). */
export function computeScores(store: RecordStore, tenantId: TenantId, now: string, options: Partial<ScoreStepOptions> = {}, only?: ReadonlySet<string>): BookScoringResult {
  // The tenant's catalog (console overrides on top of the defaults) unless the caller passes one.
  const opts = { ...defaultScoreStepOptions, catalog: resolveActionCatalog(store, tenantId), ...options };
  const previous = new Map<string, ScoreSet>(store.latestScores(tenantId).map((s) => [s.accountId, s]));
  const churn = activeChurnScorer(store, tenantId);
  const result = scoreBook({
    tenantId,
    now,
    records: loadTenantRecords(store, tenantId),
    churn,
    currency: opts.currency,
    clv: { horizonMonths: opts.horizonMonths, monthlyDiscountRate: 0.01, draws: 100, seed: 1, modelVersion: now.slice(0, 10) },
    catalog: opts.catalog,
    nba: { capacityPerOwnerPerWeek: opts.capacityPerOwnerPerWeek },
    previous,
    runVersion: `${now.slice(0, 10)}.${churn.ref.version}`,
  });
  // The book is scored together; a run that changed some accounts keeps (and alerts on) only those.
  return only ? { ...result, scoreSets: result.scoreSets.filter((s) => only.has(s.accountId)), alertSignals: result.alertSignals.filter((s) => only.has(s.accountId)) } : result;
}
