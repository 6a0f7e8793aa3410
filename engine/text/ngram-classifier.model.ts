import { SuccessEngineError } from '../../core';
import { defaultFeatureOptions, fitIdf, hashedCounts, weightCounts, type HashedFeatureOptions } from './hashed-features';
import { LogisticRegressionModel, type LogisticRegressionOptions } from './logistic-regression.model';

export interface NgramClassifierOptions {
  features: HashedFeatureOptions;
  regression: Partial<LogisticRegressionOptions>;
}

/**
 * The trainable built-in classifier: hashed character 1–4-grams (CJK-aware) and word 1–2-grams,
 * sublinear tf-idf, L2-regularised logistic regression. Deterministic for the same rows.
 */
export class NgramClassifier {
  static readonly id = 'builtin/ngram-logreg';
  static readonly version = '1.0.0';

  private constructor(
    readonly classes: readonly string[],
    private readonly idf: ReadonlyMap<number, number>,
    private readonly model: LogisticRegressionModel,
    private readonly features: HashedFeatureOptions,
  ) {}

  static train(texts: readonly string[], labels: readonly string[], options: Partial<NgramClassifierOptions> = {}): NgramClassifier {
    if (texts.length !== labels.length)
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `texts (${texts.length}) and labels (${labels.length}) differ in length`);
    const features = options.features ?? defaultFeatureOptions;
    const classes = [...new Set(labels)].sort();
    if (classes.length < 2)
      throw new SuccessEngineError(
        'ENGINE.BAD_INPUT',
        `training needs at least two classes, found ${classes.length} (${classes.join(', ')})`,
      );
    const counts = texts.map((t) => hashedCounts(t, features));
    const idf = fitIdf(counts);
    const rows = counts.map((c) => weightCounts(c, idf));
    const y = labels.map((l) => classes.indexOf(l));
    const model = LogisticRegressionModel.train(rows, y, classes.length, options.regression ?? {});
    return new NgramClassifier(classes, idf, model, features);
  }

  /** Probability per class, in `classes` order. */
  predictProba(text: string): number[] {
    return this.model.predictProba(weightCounts(hashedCounts(text, this.features), this.idf));
  }

  predict(text: string): string {
    const p = this.predictProba(text);
    let best = 0;
    for (let k = 1; k < p.length; k++) if ((p[k] as number) > (p[best] as number)) best = k;
    return this.classes[best] as string;
  }
}
