import type { LocalizedText } from '../../core';
import { buildAccountFeatures, type AccountRecords } from '../features/account-features';
import { cellValue } from '../features/feature-table';
import { backtestRenewalForecast, type RenewalBacktest } from '../forecast/renewal-forecast';
import { scoreHealth } from '../health/health-score';
import { historicalSnapshot } from './history-snapshot';
import { trainTenantChurn } from './tenant-churn.trainer';

/**
 * The renewal forecast as it would have run `windowDays` ago, against what happened since. Out of
 * time, as the live run works: the churn model is trained on outcomes known then (the tenant
 * trainer at that date, the health score when it had too few), applied to the book as it stood,
 * and its forecast compared with who churned by `now`. Renewal dates and ARR are read as the
 * features were then (see `historicalSnapshot` for what it approximates).
 */
export function backtestBookForecast(
  records: AccountRecords,
  now: string,
  windowDays = 90,
): { backtest: RenewalBacktest; model: 'learned' | 'health-score' } | { backtest: null; message: LocalizedText } {
  const snapshot = historicalSnapshot(records, now, windowDays);
  const features = buildAccountFeatures(snapshot.records, snapshot.asOf);
  const column = (name: string) => features.table.columns.find((c) => c.name === name);
  const arr = column('arr');
  const days = column('days_to_renewal');
  const rows = Uint32Array.from(features.accountIds.keys());
  const trained = trainTenantChurn(records, snapshot.asOf);
  const probability = trained.model
    ? trained.model.predictProbability(features.table, rows)
    : Float64Array.from(scoreHealth(features.table, rows, { name: 'health-score', version: 'backtest' }), (s) => s.probability);
  const entries = features.accountIds.flatMap((id, row) => {
    const a = arr ? cellValue(arr, row) : null;
    const d = days ? cellValue(days, row) : null;
    if (typeof a !== 'number' || !(a > 0) || typeof d !== 'number' || !(d >= 0)) return [];
    return [
      { accountId: id, arr: a, daysToRenewal: d, churnProbability: probability[row] as number, churned: snapshot.labels.get(id) === 1 },
    ];
  });
  if (entries.length === 0) {
    return {
      backtest: null,
      message: {
        en: `No account had ARR and a renewal date ${windowDays} days ago: nothing to backtest the renewal forecast on yet`,
        zh: `${windowDays} 天前没有同时具备 ARR 和续约日期的客户：暂时无法回测续约预测`,
      },
    };
  }
  return {
    backtest: backtestRenewalForecast(entries, { asOf: snapshot.asOf, now, windowDays }),
    model: trained.model ? 'learned' : 'health-score',
  };
}
