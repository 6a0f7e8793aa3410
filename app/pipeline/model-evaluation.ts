import type { CanonicalAccount, Store, TenantId } from '../../core';
import { trainChurnModel } from '../../engine/churn/churn-model';
import { CHURN_TASK } from '../../engine/churn/churn-registry';
import { foldRows, stratifiedFolds } from '../../engine/churn/folds';
import { buildAccountFeatures, type AccountRecords } from '../../engine/features/account-features';
import { brierScore, calibrationTable, expectedCalibrationError, rocAuc } from '../../engine/metrics/classification.metrics';
import { fairnessByGroup, fairnessWarning, type FairnessReport } from '../../engine/metrics/fairness.metrics';
import { backtestChurn, type BacktestOptions, type BacktestReport } from '../../engine/scoring/backtest';
import { historicalSnapshot } from '../../engine/scoring/history-snapshot';
import { backtestBookForecast } from '../../engine/scoring/renewal-backtest';
import type { RenewalBacktest } from '../../engine/forecast/renewal-forecast';
import { loadTenantRecords } from './tenant-records';
import { SETTING_KEYS } from '../settings/tenant-settings';

export interface EvaluationOptions {
  horizonDays: number;
  alertThreshold: number;
}

export const defaultEvaluationOptions: EvaluationOptions = { horizonDays: 30, alertThreshold: 0.6 };

export interface ModelEvaluation {
  computedAt: string;
  /** The "now" of the replay: the newest record modstamp. */
  now: string;
  options: EvaluationOptions;
  /** Active churn version when this was computed and the data it saw; a change of either recomputes. */
  activeVersion: string | null;
  accounts: number;
  status: 'ok' | 'not-enough-history';
  message: { en: string; zh: string } | null;
  backtest: BacktestReport | null;
  /** Cross-fitted predictions against what happened next, in ten equal-width bins (null = empty bin). */
  calibration: { lower: number; upper: number; count: number; meanPredicted: number | null; observedRate: number | null }[];
  /** Churn rate per risk decile (1 = riskiest tenth) over the overall churn rate. */
  lift: { decile: number; accounts: number; churned: number; lift: number }[];
  metrics: { rocAuc: number | null; brier: number | null; ece: number | null; positives: number; n: number };
  /** Selection rate at the alert threshold, four-fifths ratio and calibration per group, for each attribute the book has (absent in evaluations stored before it existed). */
  fairness?: FairnessCheck[];
  /** The renewal forecast replayed 90 days back against what happened (absent in evaluations stored before it existed). */
  forecast?: ForecastBacktest;
}

export interface ForecastBacktest {
  windowDays: number;
  backtest: RenewalBacktest | null;
  /** The churn model the replay used: one trained on what was known then, or the health score. */
  model: 'learned' | 'health-score' | null;
  message: { en: string; zh: string } | null;
}

/** Days the renewal forecast looks ahead, and so how far back its backtest starts. */
export const FORECAST_WINDOW_DAYS = 90;

function forecastBacktest(records: AccountRecords, now: string): ForecastBacktest {
  const result = backtestBookForecast(records, now, FORECAST_WINDOW_DAYS);
  return result.backtest
    ? { windowDays: FORECAST_WINDOW_DAYS, backtest: result.backtest, model: result.model, message: null }
    : { windowDays: FORECAST_WINDOW_DAYS, backtest: null, model: null, message: result.message };
}

export interface FairnessCheck extends FairnessReport {
  warning: { en: string; zh: string } | null;
}

/** The account attributes fairness is checked on: region (country), segment (industry), plan, language. */
export const FAIRNESS_ATTRIBUTES: Record<string, (a: CanonicalAccount) => string | undefined> = {
  region: (a) => a.country ?? attribute(a, 'region'),
  segment: (a) => a.industry ?? attribute(a, 'segment'),
  plan: (a) => a.plan,
  language: (a) => attribute(a, 'language'),
};

function attribute(a: CanonicalAccount, key: string): string | undefined {
  const v = (a.attributes as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'string' ? v : undefined;
}

/** Every attribute with at least two groups among the replayed accounts. */
export function fairnessChecks(
  accounts: readonly CanonicalAccount[],
  accountIds: readonly string[],
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): FairnessCheck[] {
  const byId = new Map(accounts.map((a) => [a.id as string, a]));
  const out: FairnessCheck[] = [];
  for (const [name, read] of Object.entries(FAIRNESS_ATTRIBUTES)) {
    const groups = accountIds.map((id) => {
      const account = byId.get(id);
      return account ? read(account) : undefined;
    });
    if (new Set(groups.filter((g) => g !== undefined && g.trim() !== '')).size < 2) continue;
    const report = fairnessByGroup(name, predicted, labels, groups, threshold);
    out.push({ ...report, warning: fairnessWarning(report) });
  }
  return out;
}

/**
 * What the console shows under "Model metrics" and "Backtest", computed at read time from the
 * tenant's stored records (the registry keeps only scalar metrics). The backtest report is the
 * one `success-engine backtest` prints; calibration and lift come from a cross-fitted replay of
 * the same snapshot, because the report does not carry its per-account predictions.
 */
export async function computeModelEvaluation(
  store: Store,
  tenantId: TenantId,
  now: Date,
  options: EvaluationOptions = defaultEvaluationOptions,
): Promise<ModelEvaluation> {
  const records = await loadTenantRecords(store, tenantId);
  const replayNow = latestModstamp(records) ?? now.toISOString();
  const base = {
    computedAt: now.toISOString(),
    now: replayNow,
    options,
    activeVersion: (await store.activeModel(tenantId, CHURN_TASK))?.version ?? null,
    accounts: records.accounts.length,
  };
  const replay = crossFittedReplay(records, replayNow, options.horizonDays);
  if (replay.positives < 5 || replay.positives === replay.n) {
    return {
      ...base,
      status: 'not-enough-history',
      message: {
        en: `${replay.positives} churned of ${replay.n} accounts in the last ${options.horizonDays} days: too few outcomes to evaluate a model yet`,
        zh: `近 ${options.horizonDays} 天 ${replay.n} 个客户中流失 ${replay.positives} 个：结果太少，暂时无法评估模型`,
      },
      backtest: null,
      calibration: [],
      lift: [],
      metrics: { rocAuc: null, brier: null, ece: null, positives: replay.positives, n: replay.n },
      forecast: forecastBacktest(records, replayNow),
    };
  }
  const backtest = backtestChurn(records, replayNow, { horizonDays: options.horizonDays, alertThreshold: options.alertThreshold });
  return {
    ...base,
    status: 'ok',
    message: null,
    backtest,
    calibration: calibrationTable(replay.predicted, replay.labels).map((b) => ({
      lower: b.lower,
      upper: b.upper,
      count: b.count,
      meanPredicted: finite(b.meanPredicted),
      observedRate: finite(b.observedRate),
    })),
    lift: liftByDecile(replay.predicted, replay.labels),
    metrics: {
      rocAuc: rocAuc(replay.predicted, replay.labels),
      brier: brierScore(replay.predicted, replay.labels),
      ece: expectedCalibrationError(replay.predicted, replay.labels),
      positives: replay.positives,
      n: replay.n,
    },
    fairness: fairnessChecks(records.accounts, replay.accountIds, replay.predicted, replay.labels, options.alertThreshold),
    forecast: forecastBacktest(records, replayNow),
  };
}

/** The stored evaluation, and whether the active model, the book or the options have moved on since. */
export async function storedModelEvaluation(
  store: Store,
  tenantId: TenantId,
  options?: EvaluationOptions,
): Promise<{ evaluation: ModelEvaluation; stale: boolean } | null> {
  const stored = (await store.getTenantSetting(tenantId, SETTING_KEYS.modelEvaluation))?.value as ModelEvaluation | undefined;
  if (!stored) return null;
  const wanted = options ?? stored.options;
  const stale =
    stored.activeVersion !== ((await store.activeModel(tenantId, CHURN_TASK))?.version ?? null) ||
    stored.accounts !== (await store.countRecords(tenantId, 'account')) ||
    stored.options.horizonDays !== wanted.horizonDays ||
    stored.options.alertThreshold !== wanted.alertThreshold;
  return { evaluation: stored, stale };
}

/**
 * The stored evaluation when it is still current; otherwise computed (a cross-fitted replay: five
 * trainings and a backtest over the whole book) and stored. Workers call it after training, so the
 * console mostly reads what is stored.
 */
export async function currentModelEvaluation(
  store: Store,
  tenantId: TenantId,
  now: Date,
  options?: EvaluationOptions,
  force = false,
): Promise<ModelEvaluation> {
  const stored = await storedModelEvaluation(store, tenantId, options);
  if (stored && !stored.stale && !force) return stored.evaluation;
  const evaluation = await computeModelEvaluation(store, tenantId, now, options ?? stored?.evaluation.options ?? defaultEvaluationOptions);
  await store.putTenantSetting(tenantId, SETTING_KEYS.modelEvaluation, evaluation, 'system');
  return evaluation;
}

function crossFittedReplay(
  records: AccountRecords,
  now: string,
  horizonDays: number,
  folds = 5,
): { predicted: Float64Array; labels: Uint8Array; positives: number; n: number; accountIds: string[] } {
  const snapshot = historicalSnapshot(records, now, horizonDays);
  const features = buildAccountFeatures(snapshot.records, snapshot.asOf);
  const labels = Uint8Array.from(features.accountIds, (id) => snapshot.labels.get(id) ?? 0);
  const positives = labels.reduce((s, v) => s + v, 0);
  const n = labels.length;
  const predicted = new Float64Array(n);
  const accountIds = features.accountIds.map(String);
  if (positives < 5 || positives === n) return { predicted, labels, positives, n, accountIds };
  const fold = stratifiedFolds(labels, folds);
  const rows = Uint32Array.from(labels.keys());
  for (let f = 0; f < folds; f++) {
    const { train, test } = foldRows(rows, fold, f);
    const p = trainChurnModel(features.table, labels, train, { seed: 1 }).predictProbability(features.table, test);
    test.forEach((row, k) => (predicted[row] = p[k] as number));
  }
  return { predicted, labels, positives, n, accountIds };
}

export function liftByDecile(predicted: ArrayLike<number>, labels: ArrayLike<number>): ModelEvaluation['lift'] {
  const n = predicted.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (predicted[b] as number) - (predicted[a] as number));
  let total = 0;
  for (let i = 0; i < n; i++) total += labels[i] as number;
  const baseRate = total / Math.max(1, n);
  const out: ModelEvaluation['lift'] = [];
  for (let d = 0; d < 10; d++) {
    const slice = order.slice(Math.round((d * n) / 10), Math.round(((d + 1) * n) / 10));
    const churned = slice.reduce((s, i) => s + (labels[i] as number), 0);
    out.push({
      decile: d + 1,
      accounts: slice.length,
      churned,
      lift: slice.length && baseRate > 0 ? churned / slice.length / baseRate : 0,
    });
  }
  return out;
}

function latestModstamp(records: AccountRecords): string | null {
  let latest = 0;
  for (const a of records.accounts) latest = Math.max(latest, Date.parse(a.source.modstamp));
  return latest ? new Date(latest).toISOString() : null;
}

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

export interface TextAblation {
  /** ROC-AUC of the backtest with every feature, text-derived ones included. */
  rocAucWithText: number;
  /** The same replay (same snapshot, same folds, same training) with the texts removed, so the text-derived features are all missing. */
  rocAucWithoutText: number;
  /** Analysed texts dated on or before the replay's as-of date (0: the ablation cannot differ). */
  textsBeforeAsOf: number;
  accountsWithText: number;
}

/**
 * What the customers' words add to the churn model: the backtest once as it is and once with the
 * analysed texts dropped. Folds are stratified by label in account order, so both runs score every
 * account with a model trained on the same other accounts; only the text features differ.
 */
export function textAblation(
  records: AccountRecords,
  now: string,
  options: Partial<BacktestOptions>,
  withText?: BacktestReport,
): TextAblation {
  const full = withText ?? backtestChurn(records, now, options);
  const { texts, ...rest } = records;
  const without = backtestChurn(rest, now, options);
  const asOfMs = Date.parse(full.asOf);
  const before = (texts ?? []).filter((t) => Date.parse(t.at) <= asOfMs);
  return {
    rocAucWithText: full.rocAuc,
    rocAucWithoutText: without.rocAuc,
    textsBeforeAsOf: before.length,
    accountsWithText: new Set(before.map((t) => t.accountId)).size,
  };
}
