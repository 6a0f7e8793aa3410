import { SuccessEngineError } from '../../core';
import { logLoss } from '../metrics/classification.metrics';
import type { FeatureTable } from '../features/feature-table';
import { monotoneFeatures } from '../features/feature-catalog';
import { defaultEncoderOptions, TabularEncoder, type EncoderOptions, type EncoderState } from '../features/tabular-encoder';
import { applyCalibrator, chooseCalibrator, type CalibrationChoice, type CalibratorState } from './calibration';
import { foldRows, stratifiedFolds } from './folds';
import { defaultGbdtParams, GbdtModel, trainGbdt, type GbdtParams, type GbdtState } from './gbdt.model';
import { LogisticModel, trainLogistic, type LogisticState } from './logistic.model';
import { sigmoid } from './random';
import { TreeShapExplainer } from './tree-shap';

export interface ChurnTrainOptions {
  seed: number;
  /** Inner cross-validation folds used to pick the model, blend weight and calibrator. */
  innerFolds: number;
  gbdt: Partial<GbdtParams>;
  /** L2 strengths tried for the logistic regression. */
  lambdas: readonly number[];
  encoder: EncoderOptions;
}

export const defaultChurnTrainOptions: ChurnTrainOptions = {
  seed: 1,
  innerFolds: 4,
  gbdt: {},
  lambdas: [0.3, 3, 30],
  // Trends whose drop must never lower churn risk (see the feature catalog).
  encoder: { ...defaultEncoderOptions, monotone: monotoneFeatures },
};

export interface ChurnModelState {
  format: 'churn-model/1';
  /** Human label: `logistic`, `gbdt` or `ensemble`, plus the calibrator. */
  description: string;
  encoder: EncoderState;
  /** Weight of the trees in the log-odds blend: 0 = logistic only, 1 = trees only. */
  treeWeight: number;
  gbdt: GbdtState | null;
  logistic: LogisticState | null;
  /** Training means of the linear (encoded) columns, the reference point for linear contributions. */
  linearMeans: number[];
  calibrator: CalibratorState;
  features: string[];
  selection: ModelSelection;
}

export interface ModelSelection {
  /** Inner cross-validated log-loss per candidate (before calibration). */
  logisticLogLoss: number;
  gbdtLogLoss: number;
  blendLogLoss: number;
  lambda: number;
  trees: number;
  calibratorBrier: CalibrationChoice['brierByKind'];
}

/** Contributions for one row, per FeatureTable column. */
export interface RowExplanation {
  probability: number;
  /** Calibrated probability at the reference point (the model's average account). */
  baseProbability: number;
  /** Per column, in probability (0..1 scale); they sum to probability − baseProbability. */
  contributions: Float64Array;
  /** Per column, in log-odds before calibration. */
  logOdds: Float64Array;
}

export class ChurnModel {
  readonly encoder: TabularEncoder;
  readonly gbdt: GbdtModel | null;
  readonly logistic: LogisticModel | null;
  private readonly linearMeans: Float64Array;
  private explainer: TreeShapExplainer | null = null;

  constructor(readonly state: ChurnModelState) {
    this.encoder = TabularEncoder.fromState(state.encoder);
    this.gbdt = state.gbdt ? new GbdtModel(state.gbdt) : null;
    this.logistic = state.logistic ? new LogisticModel(state.logistic) : null;
    this.linearMeans = Float64Array.from(state.linearMeans);
  }

  get description(): string {
    return this.state.description;
  }

  /** Blended log-odds before calibration. */
  predictRaw(table: FeatureTable, rows: ArrayLike<number>): Float64Array {
    const n = rows.length;
    const w = this.state.treeWeight;
    const out = new Float64Array(n);
    if (this.gbdt && w > 0) {
      const tree = this.gbdt.predictRaw(this.encoder.treeMatrix(table, rows), n);
      for (let i = 0; i < n; i++) out[i] = w * (tree[i] as number);
    }
    if (this.logistic && w < 1) {
      const linear = this.logistic.predictRaw(this.encoder.linearMatrix(table, rows), n);
      for (let i = 0; i < n; i++) out[i] = (out[i] as number) + (1 - w) * (linear[i] as number);
    }
    return out;
  }

  predictProbability(table: FeatureTable, rows: ArrayLike<number>): Float64Array {
    const raw = this.predictRaw(table, rows);
    for (let i = 0; i < raw.length; i++) raw[i] = applyCalibrator(this.state.calibrator, raw[i] as number);
    return raw;
  }

  /** Log-odds of the reference account: E[f] for the trees, f(training means) for the linear part. */
  referenceLogOdds(): number {
    const w = this.state.treeWeight;
    let z = 0;
    if (this.gbdt && w > 0) z += w * this.treeExplainer().expectedValue;
    if (this.logistic && w < 1) {
      let linear = this.logistic.intercept;
      this.logistic.coefficients.forEach((beta, j) => (linear += beta * (this.linearMeans[j] as number)));
      z += (1 - w) * linear;
    }
    return z;
  }

  private treeExplainer(): TreeShapExplainer {
    if (!this.gbdt) throw new SuccessEngineError('ENGINE.MODEL_UNAVAILABLE', 'this churn model has no trees to explain');
    this.explainer ??= new TreeShapExplainer(this.gbdt);
    return this.explainer;
  }

  /**
   * Exact contributions per FeatureTable column: TreeSHAP for the trees, β·(x − mean) for the
   * linear part, blended with the model's weight (both are additive in log-odds). Calibration is
   * monotone but not linear, so log-odds contributions are rescaled to share the calibrated
   * distance from the reference probability in proportion to their size.
   */
  explain(table: FeatureTable, rows: ArrayLike<number>): RowExplanation[] {
    const n = rows.length;
    const columns = table.columns.length;
    const w = this.state.treeWeight;
    const z0 = this.referenceLogOdds();
    const p0 = applyCalibrator(this.state.calibrator, z0);
    const treeX = this.gbdt && w > 0 ? this.encoder.treeMatrix(table, rows) : null;
    const linearX = this.logistic && w < 1 ? this.encoder.linearMatrix(table, rows) : null;
    const treeSource = this.encoder.treeColumns.map((c) => c.source);
    const linearSource = this.encoder.linearColumns.map((c) => c.source);
    const treePhi = new Float64Array(treeSource.length);
    const linearPhi = new Float64Array(linearSource.length);
    const out: RowExplanation[] = [];
    for (let i = 0; i < n; i++) {
      const logOdds = new Float64Array(columns);
      let z = z0;
      if (treeX && this.gbdt) {
        treePhi.fill(0);
        this.treeExplainer().explain(treeX, i * treeSource.length, treePhi);
        treePhi.forEach((phi, j) => {
          const s = treeSource[j] as number;
          logOdds[s] = (logOdds[s] as number) + w * phi;
          z += w * phi;
        });
      }
      if (linearX && this.logistic) {
        this.logistic.contributions(linearX, i * linearSource.length, this.linearMeans, linearPhi);
        linearPhi.forEach((phi, j) => {
          const s = linearSource[j] as number;
          logOdds[s] = (logOdds[s] as number) + (1 - w) * phi;
          z += (1 - w) * phi;
        });
      }
      const p = applyCalibrator(this.state.calibrator, z);
      const dz = z - z0;
      const scale = Math.abs(dz) > 1e-12 ? (p - p0) / dz : p * (1 - p);
      out.push({ probability: p, baseProbability: p0, contributions: logOdds.map((v) => v * scale), logOdds });
    }
    return out;
  }

  toJSON(): ChurnModelState {
    return this.state;
  }
}

function stratifiedSubsetFolds(labels: Uint8Array, rows: Uint32Array, folds: number): Int32Array {
  return stratifiedFolds(
    Uint8Array.from(rows, (r) => labels[r] as number),
    folds,
  );
}

/**
 * Trains on `rows` of the table: inner stratified cross-validation gives out-of-fold log-odds for
 * the logistic regression (one per λ) and for the trees (early-stopped on the inner fold); the
 * better λ, the blend weight (0 = logistic, 1 = trees, between = ensemble) and the calibrator are
 * chosen on those out-of-fold scores, never on rows the caller holds out. The final models are
 * refitted on all `rows` with the chosen settings.
 */
export function trainChurnModel(
  table: FeatureTable,
  labels: Uint8Array,
  rows: Uint32Array,
  options: Partial<ChurnTrainOptions> = {},
): ChurnModel {
  const opts: ChurnTrainOptions = { ...defaultChurnTrainOptions, ...options };
  const gbdtParams: GbdtParams = { ...defaultGbdtParams, seed: opts.seed, ...opts.gbdt };
  const n = rows.length;
  let positives = 0;
  for (const r of rows) positives += labels[r] as number;
  if (positives < opts.innerFolds || n - positives < opts.innerFolds) {
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `need at least ${opts.innerFolds} rows of each class to train, got ${positives} positive and ${n - positives} negative`,
    );
  }
  const y = Uint8Array.from(rows, (r) => labels[r] as number);
  const inner = stratifiedSubsetFolds(labels, rows, opts.innerFolds);
  const oofTree = new Float64Array(n);
  const oofLinear = opts.lambdas.map(() => new Float64Array(n));
  const bestIterations: number[] = [];
  const innerTrees: GbdtModel[] = [];
  // One encoder for all inner folds (it sees no labels), so the inner tree models share columns and
  // can be averaged into the final model.
  const encoder = TabularEncoder.fit(table, rows, opts.encoder);
  const monotone = encoder.treeMonotone();
  for (let f = 0; f < opts.innerFolds; f++) {
    const { train, test } = foldRows(rows, inner, f);
    const positions: number[] = [];
    for (let k = 0; k < n; k++) if (inner[k] === f) positions.push(k);
    const yTrain = Uint8Array.from(train, (r) => labels[r] as number);
    const yTest = Uint8Array.from(test, (r) => labels[r] as number);
    const dTree = encoder.treeColumns.length;
    const result = trainGbdt(
      { x: encoder.treeMatrix(table, train), n: train.length, y: yTrain },
      dTree,
      { ...gbdtParams, seed: gbdtParams.seed + f, monotone },
      { x: encoder.treeMatrix(table, test), n: test.length, y: yTest },
    );
    bestIterations.push(Math.max(1, result.bestIteration));
    innerTrees.push(result.model);
    const treeRaw = result.model.predictRaw(encoder.treeMatrix(table, test), test.length);
    positions.forEach((k, i) => (oofTree[k] = treeRaw[i] as number));
    const dLinear = encoder.linearColumns.length;
    const xTrain = encoder.linearMatrix(table, train);
    const xTest = encoder.linearMatrix(table, test);
    opts.lambdas.forEach((lambda, li) => {
      const raw = trainLogistic(xTrain, train.length, dLinear, yTrain, lambda).predictRaw(xTest, test.length);
      positions.forEach((k, i) => ((oofLinear[li] as Float64Array)[k] = raw[i] as number));
    });
  }
  const lossOf = (raw: Float64Array): number => logLoss(raw.map(sigmoid), y);
  let bestLambda = 0;
  let bestLinearLoss = Number.POSITIVE_INFINITY;
  oofLinear.forEach((raw, li) => {
    const loss = lossOf(raw);
    if (loss < bestLinearLoss) {
      bestLinearLoss = loss;
      bestLambda = li;
    }
  });
  const linearRaw = oofLinear[bestLambda] as Float64Array;
  let treeWeight = 0;
  let blendLoss = bestLinearLoss;
  const blended = new Float64Array(n);
  for (let step = 1; step <= 10; step++) {
    const w = step / 10;
    for (let k = 0; k < n; k++) blended[k] = w * (oofTree[k] as number) + (1 - w) * (linearRaw[k] as number);
    const loss = lossOf(blended);
    if (loss < blendLoss - 1e-9) {
      blendLoss = loss;
      treeWeight = w;
    }
  }
  for (let k = 0; k < n; k++) blended[k] = treeWeight * (oofTree[k] as number) + (1 - treeWeight) * (linearRaw[k] as number);
  const calibration = chooseCalibrator(blended, y);

  const lambda = opts.lambdas[bestLambda] as number;
  const trees = bestIterations.reduce((a, b) => a + b, 0);
  // The trees are the average of the inner-fold models (bagging: lower variance than one refit,
  // and each was early-stopped on rows it did not see); the logistic regression is refitted on all rows.
  const gbdt = treeWeight > 0 ? averageGbdt(innerTrees) : null;
  const linearX = encoder.linearMatrix(table, rows);
  const dLinear = encoder.linearColumns.length;
  const logistic = treeWeight < 1 ? trainLogistic(linearX, n, dLinear, y, lambda) : null;
  const linearMeans = new Float64Array(dLinear);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dLinear; j++) linearMeans[j] = (linearMeans[j] as number) + (linearX[i * dLinear + j] as number) / n;
  const kind = treeWeight === 0 ? 'logistic' : treeWeight === 1 ? 'gbdt' : 'ensemble';
  return new ChurnModel({
    format: 'churn-model/1',
    description: `${kind}${kind === 'ensemble' ? ` (trees ${treeWeight.toFixed(1)})` : ''} + ${calibration.calibrator.kind === 'none' ? 'uncalibrated' : calibration.calibrator.kind}`,
    encoder: encoder.state,
    treeWeight,
    gbdt: gbdt?.toState() ?? null,
    logistic: logistic?.state ?? null,
    linearMeans: Array.from(linearMeans),
    calibrator: calibration.calibrator,
    features: table.columns.map((c) => c.name),
    selection: {
      logisticLogLoss: bestLinearLoss,
      gbdtLogLoss: lossOf(oofTree),
      blendLogLoss: blendLoss,
      lambda,
      trees,
      calibratorBrier: calibration.brierByKind,
    },
  });
}

/** One model whose output is the mean of the given models' log-odds (trees concatenated, leaves scaled). */
export function averageGbdt(models: readonly GbdtModel[]): GbdtModel {
  const k = models.length;
  const state: GbdtState = {
    format: 'gbdt/1',
    nFeatures: models[0]?.nFeatures ?? 0,
    baseScore: 0,
    treeStart: [],
    feature: [],
    threshold: [],
    missingLeft: [],
    left: [],
    right: [],
    value: [],
    cover: [],
  };
  for (const model of models) {
    const offset = state.feature.length;
    state.baseScore += model.baseScore / k;
    model.treeStart.forEach((start) => state.treeStart.push(start + offset));
    for (let node = 0; node < model.feature.length; node++) {
      const leaf = (model.feature[node] as number) < 0;
      state.feature.push(model.feature[node] as number);
      state.threshold.push(model.threshold[node] as number);
      state.missingLeft.push(model.missingLeft[node] as number);
      state.left.push(leaf ? -1 : (model.left[node] as number) + offset);
      state.right.push(leaf ? -1 : (model.right[node] as number) + offset);
      state.value.push((model.value[node] as number) / k);
      state.cover.push(model.cover[node] as number);
    }
  }
  return new GbdtModel(state);
}
