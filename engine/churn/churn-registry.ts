import { SuccessEngineError, type ModelRef, type ModelVersion, type TenantId } from '../../core';
import { ChurnModel, type ChurnModelState } from './churn-model';

/**
 * Bridges churn models and the store's model registry (`Store.registerModel`): the artifact
 * is the model's JSON state, so any process can load the active version and score with it.
 */
export interface ChurnVersionInfo {
  tenantId: TenantId;
  version: string;
  trainingWindow: { from: string; to: string };
  metrics: Record<string, number>;
  createdAt: string;
}

export const CHURN_TASK = 'churn';

export function churnModelVersion(model: ChurnModel, info: ChurnVersionInfo): ModelVersion {
  return {
    tenantId: info.tenantId,
    task: CHURN_TASK,
    version: info.version,
    status: 'candidate',
    algorithm: model.description,
    trainingWindow: info.trainingWindow,
    metrics: info.metrics,
    features: [...model.state.features],
    artifact: JSON.parse(JSON.stringify(model.toJSON())) as unknown,
    createdAt: info.createdAt,
  };
}

/** Loads a registered churn model, refusing artifacts of another task or format. */
export function churnModelFromVersion(version: ModelVersion): ChurnModel {
  const artifact = version.artifact as Partial<ChurnModelState> | null;
  if (version.task !== CHURN_TASK || !artifact || artifact.format !== 'churn-model/1') {
    throw new SuccessEngineError('ENGINE.MODEL_UNAVAILABLE', `model ${version.task}@${version.version} is not a churn-model/1 artifact`, {
      task: version.task,
      version: version.version,
    });
  }
  return new ChurnModel(artifact as ChurnModelState);
}

/** The ModelRef every ScoreSet made with this version carries. */
export function churnModelRef(version: Pick<ModelVersion, 'version'>): ModelRef {
  return { name: CHURN_TASK, version: version.version, kind: 'learned' };
}
