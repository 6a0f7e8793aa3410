import { SuccessEngineError, type TextModel } from '../../core';
import { NgramClassifier, type NgramClassifierOptions } from './ngram-classifier.model';
import {
  assignFolds,
  classificationMetrics,
  collapseNeutral,
  mapLabels,
  type ClassificationMetrics,
  type LabelScheme,
  type SentimentClass,
} from './sentiment-evaluation';

export interface SentimentEvaluation extends ClassificationMetrics {
  /** `id@version` of the model that made the predictions, with the evaluation mode. */
  model: string;
  mode: 'as-configured' | 'cross-validated';
  labelScheme: LabelScheme;
  folds?: number;
}

/** Predict every row with the model as it is (no training on the file). */
export async function evaluateSentimentAsConfigured(
  texts: readonly string[],
  rawLabels: readonly string[],
  model: TextModel,
  labelColumn = 'label',
): Promise<SentimentEvaluation> {
  const { scheme, labels } = mapLabels(rawLabels, labelColumn);
  const hasNeutral = labels.includes('neutral');
  const results = await model.sentiment(texts);
  const predicted = results.map((r) => collapseNeutral(r.label, hasNeutral));
  return {
    ...classificationMetrics(labels, predicted),
    model: `${model.ref.id}@${model.ref.version}`,
    mode: 'as-configured',
    labelScheme: scheme,
  };
}

/**
 * k-fold cross-validation of the built-in n-gram classifier: how a tenant's own labelled NPS/CSAT
 * comments become a model. Folds follow the churn evaluation's rule (see `assignFolds`).
 */
export function evaluateSentimentCrossValidated(
  texts: readonly string[],
  rawLabels: readonly string[],
  folds: number,
  labelColumn = 'label',
  options: Partial<NgramClassifierOptions> = {},
  onFold?: (fold: number) => void,
): SentimentEvaluation {
  if (!Number.isInteger(folds) || folds < 2)
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `cross-validation needs at least 2 folds, got ${folds}`);
  const { scheme, labels } = mapLabels(rawLabels, labelColumn);
  if (texts.length !== labels.length)
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `texts (${texts.length}) and labels (${labels.length}) differ in length`);
  const fold = assignFolds(labels, folds);
  const predicted: SentimentClass[] = new Array<SentimentClass>(texts.length).fill('neutral');
  for (let k = 0; k < folds; k++) {
    const trainIdx = fold.flatMap((f, i) => (f === k ? [] : [i]));
    const testIdx = fold.flatMap((f, i) => (f === k ? [i] : []));
    if (testIdx.length === 0) continue;
    const classifier = NgramClassifier.train(
      trainIdx.map((i) => texts[i] as string),
      trainIdx.map((i) => labels[i] as string),
      options,
    );
    for (const i of testIdx) predicted[i] = classifier.predict(texts[i] as string) as SentimentClass;
    onFold?.(k);
  }
  return {
    ...classificationMetrics(labels, predicted),
    model: `${NgramClassifier.id}@${NgramClassifier.version}`,
    mode: 'cross-validated',
    labelScheme: scheme,
    folds,
  };
}
