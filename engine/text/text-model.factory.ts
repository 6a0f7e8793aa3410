import os from 'node:os';
import { SuccessEngineError, type TextModel } from '../../core';
import { BuiltinTextModel } from './builtin-text.model';
import { MaskedTextModel } from './masked-text.model';
import { PiiMasker } from './pii-masking';
import { checkModelFolder, DEFAULT_TEXT_MODELS, type ModelDtype, type TextTask } from './model-files';
import { SHIPPED_SENTIMENT_MODEL_ID, shippedModelsDir } from './shipped-model';
import { SplitTextModel } from './split-text.model';
import { TransformersTextModel } from './transformers-text.model';

export interface OpenTextModelOptions {
  modelsDir: string | undefined;
  allowRemoteModels: boolean;
  /** Where models go when MODELS_DIR is unset (the app passes `<SE_DATA_DIR>/models`). */
  defaultModelsDir?: string;
  /** `shipped` skips the Hub models even when they are installed; `transformers` never falls back. */
  backend?: 'auto' | 'shipped' | 'transformers';
  dtype?: ModelDtype;
  models?: Partial<Record<TextTask, string>>;
  threads?: number;
  /** Worker threads for batches; defaults to one per core (each with one ONNX thread). 0 = in-process. */
  workers?: number;
  /** CRM contact names to mask besides emails, phones and ids; every model opened here masks. */
  contactNames?: readonly string[];
  /** Where the shipped model folder is; found next to the code by default. */
  shippedModelsDir?: string;
  onNote?: (message: string) => void;
}

/**
 * The configured text model: the Hub transformers when their sentiment model is on disk (or may be
 * fetched), otherwise the shipped bilingual sentiment model (models/sentiment-bilingual) with the
 * built-in topic and embedding model. `auto` tries one smoke inference so a broken or unreachable
 * Hub model falls back instead of failing every later call.
 */
export async function openTextModel(options: OpenTextModelOptions): Promise<TextModel> {
  return new MaskedTextModel(await openUnmasked(options), new PiiMasker(options.contactNames ?? []));
}

async function openUnmasked(options: OpenTextModelOptions): Promise<TextModel> {
  const backend = options.backend ?? 'auto';
  const note = options.onNote ?? (() => undefined);
  if (backend === 'shipped') return openShipped(options);
  const modelsDir = options.modelsDir ?? options.defaultModelsDir ?? '.data/models';
  const dtype = options.dtype ?? 'q8';
  const models = { ...DEFAULT_TEXT_MODELS, ...options.models };
  const local = checkModelFolder(modelsDir, models.sentiment, dtype);
  if (backend === 'auto' && !local.complete && !options.allowRemoteModels) {
    note(
      `sentiment model ${models.sentiment} (${dtype}) is not in ${modelsDir} and remote models are off: using the shipped model ${SHIPPED_SENTIMENT_MODEL_ID} with built-in topics and embeddings. See \`success-engine models verify\`.`,
    );
    return openShipped(options);
  }
  const model = new TransformersTextModel({
    modelsDir,
    allowRemoteModels: options.allowRemoteModels,
    dtype,
    models,
    ...(options.threads ? { threads: options.threads } : {}),
    workers: options.workers ?? os.availableParallelism(),
  });
  if (backend === 'transformers') return model;
  try {
    await model.sentiment(['ok']);
    return model;
  } catch (error) {
    note(`${(error as Error).message}\nusing the shipped model ${SHIPPED_SENTIMENT_MODEL_ID} instead.`);
    await model.close();
    return openShipped(options);
  }
}

/** The shipped sentiment transformer (q8, never fetched) beside the built-in topics and embeddings. */
function openShipped(options: OpenTextModelOptions): TextModel {
  const dir = options.shippedModelsDir ?? shippedModelsDir();
  const check = dir === undefined ? undefined : checkModelFolder(dir, SHIPPED_SENTIMENT_MODEL_ID, 'q8');
  if (dir === undefined || !check?.complete) {
    const why = check
      ? [...check.missing.map((f) => `${f} is missing`), ...check.problems].join('; ')
      : 'no models/ folder next to the code';
    throw new SuccessEngineError(
      'ENGINE.MODEL_UNAVAILABLE',
      `the shipped sentiment model ${SHIPPED_SENTIMENT_MODEL_ID} is not usable (${why}): reinstall Success Engine`,
      { model: SHIPPED_SENTIMENT_MODEL_ID },
    );
  }
  const sentiment = new TransformersTextModel({
    modelsDir: dir,
    allowRemoteModels: false,
    dtype: 'q8',
    models: { sentiment: SHIPPED_SENTIMENT_MODEL_ID },
    ...(options.threads ? { threads: options.threads } : {}),
    workers: options.workers ?? os.availableParallelism(),
  });
  return new SplitTextModel(sentiment, new BuiltinTextModel());
}
