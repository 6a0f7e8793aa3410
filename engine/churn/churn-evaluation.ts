import { classificationReport, type ClassificationReport } from '../metrics/classification.metrics';
import type { FeatureTable } from '../features/feature-table';
import { trainChurnModel, type ChurnTrainOptions } from './churn-model';
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
}

/**
 * Out-of-fold evaluation with the reproducible stratified fold rule (see folds.ts). Each fold's
 * model chooses its own settings by inner validation on its training rows only.
 */
export function evaluateChurn(table: FeatureTable, labels: Uint8Array, folds: number, options: Partial<ChurnTrainOptions> = {}, onFold?: (summary: FoldSummary) => void): ChurnEvaluation {
  const all = Uint32Array.from({ length: table.rowCount }, (_, i) => i);
  const fold = stratifiedFolds(labels, folds);
  const probabilities = new Float64Array(table.rowCount);
  const summaries: FoldSummary[] = [];
  for (let f = 0; f < folds; f++) {
    const { train, test } = foldRows(all, fold, f);
    const model = trainChurnModel(table, labels, train, options);
    const p = model.predictProbability(table, test);
    test.forEach((r, i) => (probabilities[r] = p[i] as number));
    const summary: FoldSummary = { fold: f, trainRows: train.length, testRows: test.length, model: model.description, trees: model.gbdt?.treeCount ?? 0, lambda: model.state.selection.lambda };
    summaries.push(summary);
    onFold?.(summary);
  }
  const counts = new Map<string, number>();
  for (const s of summaries) {
    const kind = s.model.split(' ')[0] as string;
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  const model = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none';
  return { report: classificationReport(probabilities, labels), probabilities, folds: summaries, model };
}
