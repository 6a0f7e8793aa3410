import type { LocalizedText } from '../../core';
import { trainChurnModel, type ChurnModel, type ChurnTrainOptions } from '../churn/churn-model';
import { foldRows, stratifiedFolds } from '../churn/folds';
import { buildAccountFeatures, type AccountRecords } from '../features/account-features';
import { coldStartPolicy, useHealthScore, type ColdStartPolicy } from '../health/health-score';
import { brierScore, rocAuc } from '../metrics/classification.metrics';
import { historicalSnapshot } from './history-snapshot';

export interface TenantChurnOptions {
  /** How far back the labelled snapshot is taken; churn within this horizon is the label. */
  horizonDays: number;
  seed: number;
  coldStart: ColdStartPolicy;
  train: Partial<ChurnTrainOptions>;
}

export const defaultTenantChurnOptions: TenantChurnOptions = { horizonDays: 30, seed: 1, coldStart: coldStartPolicy, train: {} };

export interface TenantChurnTraining {
  kind: 'learned' | 'health-score';
  model: ChurnModel | null;
  trainingWindow: { from: string; to: string };
  positives: number;
  negatives: number;
  /** Held-out fold (1 in 5) of the snapshot, scored by a model trained on the other four. */
  metrics: Record<string, number>;
  reason: LocalizedText;
}

/**
 * Train the tenant's churn model on its own history: features as of `now − horizon`, labels = who
 * churned since. Too few outcomes → the weighted health score, said so in `reason`.
 */
export function trainTenantChurn(records: AccountRecords, now: string, options: Partial<TenantChurnOptions> = {}): TenantChurnTraining {
  const opts = { ...defaultTenantChurnOptions, ...options };
  const snapshot = historicalSnapshot(records, now, opts.horizonDays);
  const features = buildAccountFeatures(snapshot.records, snapshot.asOf);
  const labels = Uint8Array.from(features.accountIds, (id) => snapshot.labels.get(id) ?? 0);
  const positives = labels.reduce((s, v) => s + v, 0);
  const negatives = labels.length - positives;
  const trainingWindow = { from: snapshot.asOf, to: now };
  if (useHealthScore(positives, negatives, opts.coldStart)) {
    return {
      kind: 'health-score',
      model: null,
      trainingWindow,
      positives,
      negatives,
      metrics: { positives, negatives },
      reason: {
        en: `${positives} churned and ${negatives} retained accounts in the last ${opts.horizonDays} days; a learned model needs ${opts.coldStart.minPositives} and ${opts.coldStart.minNegatives}, so the weighted health score is used`,
        zh: `近 ${opts.horizonDays} 天流失 ${positives} 个、留存 ${negatives} 个客户；学习模型需要至少 ${opts.coldStart.minPositives} 个和 ${opts.coldStart.minNegatives} 个，因此使用加权健康评分`,
      },
    };
  }
  const rows = Uint32Array.from(labels.keys());
  const { train, test } = foldRows(rows, stratifiedFolds(labels, 5), 0);
  const trainOptions = { seed: opts.seed, ...opts.train };
  const validation = trainChurnModel(features.table, labels, train, trainOptions);
  const held = validation.predictProbability(features.table, test);
  const heldLabels = Uint8Array.from(test, (r) => labels[r] as number);
  const metrics = {
    rocAuc: rocAuc(held, heldLabels),
    brier: brierScore(held, heldLabels),
    positives,
    negatives,
    validationRows: test.length,
  };
  const model = trainChurnModel(features.table, labels, rows, trainOptions);
  return {
    kind: 'learned',
    model,
    trainingWindow,
    positives,
    negatives,
    metrics,
    reason: {
      en: `learned from ${positives} churned and ${negatives} retained accounts (held-out ROC-AUC ${metrics.rocAuc.toFixed(3)})`,
      zh: `基于 ${positives} 个流失与 ${negatives} 个留存客户训练（留出集 ROC-AUC ${metrics.rocAuc.toFixed(3)}）`,
    },
  };
}
