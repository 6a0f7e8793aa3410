import { classificationReport, type ClassificationReport } from '../metrics/classification.metrics';
import type { FeatureTable } from '../features/feature-table';
import { topDrivers } from './churn-drivers';
import { trainChurnModel, type ChurnTrainOptions } from './churn-model';
import type { Driver } from '../../core';
import { foldRows, stratifiedFolds } from './folds';

export interface FoldSummary {
  fold: number;
  trainRows: number;
  testRows: number;
  model: string;
  trees: number;
  lambda: number;
}

export interface ChurnEvaluation {
  report: ClassificationReport;
  /** Out-of-fold calibrated probabilities, in table row order. */
  probabilities: Float64Array;
  folds: FoldSummary[];
  /** The model kind chosen most often across folds. */
  model: string;
  /** Reasons for the riskiest held-out account of the last fold, as a sample of what users see. */
  example: { row: number; probability: number; drivers: Driver[] } | null;
}

/**
 * Out-of-fold evaluation with the reproducible stratified fold rule (see folds.ts). Each fold's
 * model chooses its own settings by inner validation on its training rows only.
 */
export function evaluateChurn(
  table: FeatureTable,
  labels: Uint8Array,
  folds: number,
  options: Partial<ChurnTrainOptions> = {},
  onFold?: (summary: FoldSummary) => void,
): ChurnEvaluation {
  const all = Uint32Array.from({ length: table.rowCount }, (_, i) => i);
  const fold = stratifiedFolds(labels, folds);
  const probabilities = new Float64Array(table.rowCount);
  const summaries: FoldSummary[] = [];
  let example: ChurnEvaluation['example'] = null;
  for (let f = 0; f < folds; f++) {
    const { train, test } = foldRows(all, fold, f);
    const model = trainChurnModel(table, labels, train, options);
    const p = model.predictProbability(table, test);
    test.forEach((r, i) => (probabilities[r] = p[i] as number));
    if (f === folds - 1 && test.length > 0) {
      let best = 0;
      p.forEach((v, i) => (v > (p[best] as number) ? (best = i) : undefined));
      const row = test[best] as number;
      const [explanation] = model.explain(table, [row]);
      if (explanation) example = { row, probability: explanation.probability, drivers: topDrivers(explanation, table, row).drivers };
    }
    const summary: FoldSummary = {
      fold: f,
      trainRows: train.length,
      testRows: test.length,
      model: model.description,
      trees: model.gbdt?.treeCount ?? 0,
      lambda: model.state.selection.lambda,
    };
    summaries.push(summary);
    onFold?.(summary);
  }
  const counts = new Map<string, number>();
  for (const s of summaries) {
    const kind = s.model.split(' ')[0] as string;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const model = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
  return { report: classificationReport(probabilities, labels), probabilities, folds: summaries, model, example };
}
