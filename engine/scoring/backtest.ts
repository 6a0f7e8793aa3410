import { trainChurnModel, type ChurnTrainOptions } from '../churn/churn-model';
import { foldRows, stratifiedFolds } from '../churn/folds';
import { buildAccountFeatures, type AccountRecords } from '../features/account-features';
import { rocAuc } from '../metrics/classification.metrics';
import { historicalSnapshot } from './history-snapshot';

export interface BacktestOptions {
  horizonDays: number;
  /** Churn probability at which an alert would have been raised. */
  alertThreshold: number;
  folds: number;
  train: Partial<ChurnTrainOptions>;
}

export const defaultBacktestOptions: BacktestOptions = { horizonDays: 30, alertThreshold: 0.6, folds: 5, train: {} };

export interface BacktestReport {
  asOf: string;
  now: string;
  horizonDays: number;
  /** How the replay's model was trained; see `replay` in docs/backtest.md. */
  replay: 'cross-fitted';
  accounts: number;
  churned: number;
  rocAuc: number;
  alertThreshold: number;
  flagged: number;
  /** Of the accounts flagged at the threshold, the share that churned. */
  precision: number;
  /** Of the accounts that churned, the share flagged. */
  recall: number;
  /** Churn rate in the riskiest 10% divided by the overall churn rate. */
  topDecileLift: number;
  /** Median days between the replay date and the churn, over churned accounts that were flagged. */
  medianDaysOfWarning: number | null;
  /** Flagged accounts per owner per week over the horizon: median and the busiest owner. */
  alertsPerOwnerPerWeek: { median: number; max: number; owners: number };
}

/**
 * "Had this run `horizonDays` ago": rebuild the book as of then, predict churn for every account
 * that was a customer, and compare with what happened. Predictions are cross-fitted (each account
 * scored by a model trained on the other folds of the same snapshot), because a fresh install has
 * outcomes from one window only; the report says so.
 */
export function backtestChurn(records: AccountRecords, now: string, options: Partial<BacktestOptions> = {}): BacktestReport {
  const opts = { ...defaultBacktestOptions, ...options };
  const snapshot = historicalSnapshot(records, now, opts.horizonDays);
  const features = buildAccountFeatures(snapshot.records, snapshot.asOf);
  const n = features.accountIds.length;
  const labels = Uint8Array.from(features.accountIds, (id) => snapshot.labels.get(id) ?? 0);
  const fold = stratifiedFolds(labels, opts.folds);
  const rows = Uint32Array.from(labels.keys());
  const predicted = new Float64Array(n);
  for (let f = 0; f < opts.folds; f++) {
    const { train, test } = foldRows(rows, fold, f);
    const model = trainChurnModel(features.table, labels, train, { seed: 1, ...opts.train });
    const p = model.predictProbability(features.table, test);
    test.forEach((row, k) => (predicted[row] = p[k] as number));
  }
  const churned = labels.reduce((s, v) => s + v, 0);
  const flaggedRows = [...rows].filter((r) => (predicted[r] as number) >= opts.alertThreshold);
  const truePositives = flaggedRows.filter((r) => labels[r] === 1).length;

  const byRisk = [...rows].sort((a, b) => (predicted[b] as number) - (predicted[a] as number));
  const decile = byRisk.slice(0, Math.max(1, Math.round(n / 10)));
  const decileRate = decile.filter((r) => labels[r] === 1).length / decile.length;
  const baseRate = churned / Math.max(1, n);

  const accounts = new Map(records.accounts.map((a) => [a.id as string, a]));
  const asOfMs = Date.parse(snapshot.asOf);
  const warning = flaggedRows
    .filter((r) => labels[r] === 1)
    .map((r) => accounts.get(features.accountIds[r] as string)?.churnedAt)
    .filter((d): d is string => d !== undefined)
    .map((d) => (Date.parse(d) - asOfMs) / 86_400_000);

  const perOwner = new Map<string, number>();
  for (const r of flaggedRows) {
    const owner = accounts.get(features.accountIds[r] as string)?.ownerId ?? 'unassigned';
    perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
  }
  const weeks = opts.horizonDays / 7;
  const loads = [...perOwner.values()].map((c) => c / weeks).sort((a, b) => a - b);

  return {
    asOf: snapshot.asOf,
    now,
    horizonDays: opts.horizonDays,
    replay: 'cross-fitted',
    accounts: n,
    churned,
    rocAuc: rocAuc(predicted, labels),
    alertThreshold: opts.alertThreshold,
    flagged: flaggedRows.length,
    precision: flaggedRows.length ? truePositives / flaggedRows.length : 0,
    recall: churned ? truePositives / churned : 0,
    topDecileLift: baseRate > 0 ? decileRate / baseRate : 0,
    medianDaysOfWarning: warning.length ? median(warning) : null,
    alertsPerOwnerPerWeek: { median: loads.length ? median(loads) : 0, max: loads.at(-1) ?? 0, owners: loads.length },
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
