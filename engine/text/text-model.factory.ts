import os from 'node:os';
import type { TextModel } from '../../core';
import { BuiltinTextModel } from './builtin-text.model';
import { MaskedTextModel } from './masked-text.model';
import { PiiMasker } from './pii-masking';
import { checkModelFolder, DEFAULT_TEXT_MODELS, type ModelDtype, type TextTask } from './model-files';
import { TransformersTextModel } from './transformers-text.model';

export interface OpenTextModelOptions {
  modelsDir: string | undefined;
  allowRemoteModels: boolean;
  /** Where models go when MODELS_DIR is unset (the app passes `<SE_DATA_DIR>/models`). */
  defaultModelsDir?: string;
  backend?: 'auto' | 'builtin' | 'transformers';
  dtype?: ModelDtype;
  models?: Partial<Record<TextTask, string>>;
  threads?: number;
  /** Worker threads for batches; defaults to one per core (each with one ONNX thread). 0 = in-process. */
  workers?: number;
  /** CRM contact names to mask besides emails, phones and ids; every model opened here masks. */
  contactNames?: readonly string[];
  onNote?: (message: string) => void;
}

/**
 * The configured text model: transformers when its sentiment model is on disk (or may be fetched),
 * otherwise the built-in model, which always exists. `auto` tries one smoke inference so a broken
 * or unreachable model falls back instead of failing every later call.
 */
export async function openTextModel(options: OpenTextModelOptions): Promise<TextModel> {
  return new MaskedTextModel(await openUnmasked(options), new PiiMasker(options.contactNames ?? []));
}

async function openUnmasked(options: OpenTextModelOptions): Promise<TextModel> {
  const backend = options.backend ?? 'auto';
  if (backend === 'builtin') return new BuiltinTextModel();
  const modelsDir = options.modelsDir ?? options.defaultModelsDir ?? '.data/models';
  const dtype = options.dtype ?? 'q8';
  const models = { ...DEFAULT_TEXT_MODELS, ...options.models };
  const local = checkModelFolder(modelsDir, models.sentiment, dtype);
  const note = options.onNote ?? (() => undefined);
  if (backend === 'auto' && !local.complete && !options.allowRemoteModels) {
    note(`sentiment model ${models.sentiment} (${dtype}) is not in ${modelsDir} and remote models are off: using the built-in model. See \`success-engine models verify\`.`);
    return new BuiltinTextModel();
  }
  const model = new TransformersTextModel({ modelsDir, allowRemoteModels: options.allowRemoteModels, dtype, models, ...(options.threads ? { threads: options.threads } : {}), workers: options.workers ?? os.availableParallelism() });
  if (backend === 'transformers') return model;
  try {
    await model.sentiment(['ok']);
    return model;
  } catch (error) {
    note(`${(error as Error).message}\nusing the built-in model instead.`);
    await model.close();
    return new BuiltinTextModel();
  }
}
