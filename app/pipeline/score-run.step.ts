import type { ScoreSet, Store, TenantId } from '../../core';
import { matchRules, type AlertSignals } from '../../engine/alerts/alert-rules';
import { resolveAlertRules, SETTING_KEYS } from '../settings/tenant-settings';
import { recordAlertsStep } from './alerts.step';
import { prepareTenantScores, recordRecommendations } from './score.step';

export interface ScoreRunOptions {
  /** The run's instant: scores, alert keys and recommendations are dated by it, so a retry derives the same ones. */
  asOf: string;
  /** The real clock, for the alerts' delivery bookkeeping. */
  recordedAt: Date;
  /** Keep only these accounts' scores and alerts (an on-change run); every account without it. */
  keep?: ReadonlySet<string>;
  /** Accounts per page (default `SCORING_PAGE_ACCOUNTS`). */
  pageSize?: number;
}

export interface ScoredPage {
  /** ScoreSets kept now (a retry skips the ones an earlier attempt kept). */
  kept: readonly ScoreSet[];
  /** Every account of the page the run covers, kept now or before: what write-back should write. */
  accountIds: string[];
  alertsRecorded: number;
  alertsSuppressed: number;
}

/**
 * One scoring run over a tenant's book, a page at a time: alerts are decided across the book and
 * recorded first (a crash before the scores are kept re-derives the same keys), then each page's
 * recommendations and ScoreSets are kept and handed to `onPage` (to queue its write-back) while
 * later pages are scored. A retry keeps only the accounts without a ScoreSet of the same instant.
 */
export async function scoreRunStep(
  store: Store,
  tenantId: TenantId,
  options: ScoreRunOptions,
  onPage: (page: ScoredPage) => Promise<void>,
): Promise<{ scored: number }> {
  const { keep, asOf } = options;
  const wanted = (accountId: string) => !keep || keep.has(accountId);
  const rules = await resolveAlertRules(store, tenantId);
  const candidates: AlertSignals[] = [];
  const book = await prepareTenantScores(store, tenantId, asOf, {
    ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    onAlertSignals: (signals) => {
      for (const s of signals) if (wanted(s.accountId) && matchRules(s, rules).length > 0) candidates.push(s);
    },
  });
  const alerts = await recordAlertsStep(store, tenantId, candidates, new Date(asOf), options.recordedAt, rules);
  let scored = 0;
  let first = true;
  for await (const chunk of book.chunks()) {
    const mine = chunk.scoreSets.filter((s) => wanted(s.accountId));
    const before = await store.latestScores(tenantId, chunk.accounts ? { accounts: chunk.accounts } : {});
    const keptBefore = new Set(before.filter((s) => s.computedAt === asOf).map((s) => s.accountId as string));
    const fresh = mine.filter((s) => !keptBefore.has(s.accountId));
    // Recommendations before the scores: a retry that finds the scores kept skips both.
    await recordRecommendations(store, { scoreSets: fresh, assignments: chunk.assignments });
    await store.appendScoreSets(fresh);
    scored += mine.length;
    await onPage({
      kept: fresh,
      accountIds: mine.map((s) => s.accountId as string),
      alertsRecorded: first ? alerts.recorded.length : 0,
      alertsSuppressed: first ? alerts.suppressed : 0,
    });
    first = false;
  }
  // Whole-book segment totals and the renewal forecast, for the console (segment ids carry over to the next run).
  await store.putTenantSetting(tenantId, SETTING_KEYS.bookInsights, book.insights(), 'pipeline');
  return { scored };
}
