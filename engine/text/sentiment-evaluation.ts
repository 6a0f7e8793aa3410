import { SuccessEngineError } from '../../core';

export type SentimentClass = 'negative' | 'neutral' | 'positive';

/**
 * Gold labels accepted by `evaluate sentiment`, decided once per column:
 * - `binary`: 0/1 (0 negative, 1 positive);
 * - `words`: neg/negative/pos/positive (and neutral/neu), any case;
 * - `stars`: integers 1–5 (1–2 negative, 3 neutral, 4–5 positive), chosen when a value above 1 appears.
 */
export type LabelScheme = 'binary' | 'words' | 'stars';

const WORDS: Record<string, SentimentClass> = {
  neg: 'negative',
  negative: 'negative',
  pos: 'positive',
  positive: 'positive',
  neu: 'neutral',
  neutral: 'neutral',
};

export function mapLabels(raw: readonly string[], column = 'label'): { scheme: LabelScheme; labels: SentimentClass[] } {
  const values = raw.map((v) => v.trim().toLowerCase());
  const bad = (i: number, expected: string): never => {
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `column "${column}", data row ${i + 1}: label "${raw[i]}" is not ${expected}`, {
      row: i + 1,
      column,
    });
  };
  if (values.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', `column "${column}" has no rows`);
  const first = values[0] as string;
  if (first in WORDS) {
    return { scheme: 'words', labels: values.map((v, i) => WORDS[v] ?? bad(i, 'one of neg, negative, pos, positive, neutral')) };
  }
  const numbers = values.map((v, i) => (/^\d+$/.test(v) ? Number(v) : bad(i, 'an integer 0/1, a star rating 1–5, or pos/neg')));
  if (numbers.every((n) => n === 0 || n === 1))
    return { scheme: 'binary', labels: numbers.map((n) => (n === 1 ? 'positive' : 'negative')) };
  return {
    scheme: 'stars',
    labels: numbers.map((n, i) => {
      if (n < 1 || n > 5) return bad(i, 'a star rating 1–5 (the column also holds values above 1, so 0/1 does not apply)');
      return n <= 2 ? 'negative' : n === 3 ? 'neutral' : 'positive';
    }),
  };
}

/** Same rule as the churn evaluation: within each class, the k-th row in file order goes to fold k mod `folds`. */
export function assignFolds(labels: readonly string[], folds: number): number[] {
  const seen = new Map<string, number>();
  return labels.map((label) => {
    const k = seen.get(label) ?? 0;
    seen.set(label, k + 1);
    return k % folds;
  });
}

export interface ClassificationMetrics {
  accuracy: number;
  macroF1: number;
  n: number;
  perClass: Record<string, { precision: number; recall: number; f1: number; support: number }>;
}

/** Accuracy and macro-F1 over the classes present in the gold labels. */
export function classificationMetrics(gold: readonly string[], predicted: readonly string[]): ClassificationMetrics {
  if (gold.length !== predicted.length)
    throw new SuccessEngineError('ENGINE.BAD_INPUT', `gold (${gold.length}) and predicted (${predicted.length}) differ in length`);
  const classes = [...new Set(gold)].sort();
  let correct = 0;
  gold.forEach((g, i) => {
    if (g === predicted[i]) correct++;
  });
  const perClass: ClassificationMetrics['perClass'] = {};
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    gold.forEach((g, i) => {
      const p = predicted[i];
      if (g === c && p === c) tp++;
      else if (g !== c && p === c) fp++;
      else if (g === c && p !== c) fn++;
    });
    const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass[c] = { precision, recall, f1, support: tp + fn };
  }
  const macroF1 = classes.length === 0 ? 0 : classes.reduce((s, c) => s + (perClass[c]?.f1 ?? 0), 0) / classes.length;
  return { accuracy: gold.length === 0 ? 0 : correct / gold.length, macroF1, n: gold.length, perClass };
}

/**
 * When the gold labels have no neutral class, a neutral prediction (no opinion found) counts as
 * positive: we only flag text as negative on evidence.
 */
export function collapseNeutral(predicted: SentimentClass, goldHasNeutral: boolean): SentimentClass {
  return !goldHasNeutral && predicted === 'neutral' ? 'positive' : predicted;
}
