import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Weight precisions we load; q8 is the default (int8 weights, ~4× smaller than fp32, CPU-friendly). */
export type ModelDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4';

export const DTYPE_FILE_SUFFIX: Record<ModelDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
};

export type TextTask = 'sentiment' | 'topics' | 'embeddings';

/**
 * Multilingual (English + Chinese) defaults, ONNX ports published under the Xenova namespace:
 * sentiment 3-class (positive/neutral/negative), zero-shot NLI for topic labels, sentence embeddings.
 */
export const DEFAULT_TEXT_MODELS: Record<TextTask, string> = {
  sentiment: 'Xenova/distilbert-base-multilingual-cased-sentiments-student',
  topics: 'Xenova/mDeBERTa-v3-base-xnli-multilingual-nli-2mil7',
  embeddings: 'Xenova/paraphrase-multilingual-MiniLM-L12-v2',
};

export function onnxFileFor(dtype: ModelDtype): string {
  return `onnx/model${DTYPE_FILE_SUFFIX[dtype]}.onnx`;
}

/** Files a model folder needs for the given dtype, relative to `<modelsDir>/<id>/`. */
export function requiredModelFiles(dtype: ModelDtype): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFileFor(dtype)];
}

export interface ModelFolderCheck {
  id: string;
  folder: string;
  dtype: ModelDtype;
  missing: string[];
  /** Problems with files that exist (unreadable JSON, missing keys). */
  problems: string[];
  /** dtypes whose ONNX file is present, so a wrong --dtype can be pointed out. */
  availableDtypes: ModelDtype[];
  complete: boolean;
}

export function checkModelFolder(modelsDir: string, id: string, dtype: ModelDtype): ModelFolderCheck {
  const folder = path.join(modelsDir, id);
  const missing = requiredModelFiles(dtype).filter((f) => !existsSync(path.join(folder, f)));
  const problems: string[] = [];
  const readJson = (file: string): Record<string, unknown> | undefined => {
    const full = path.join(folder, file);
    if (!existsSync(full)) return undefined;
    try {
      return JSON.parse(readFileSync(full, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      problems.push(`${file} is not valid JSON (${(error as Error).message})`);
      return undefined;
    }
  };
  const config = readJson('config.json');
  if (config && typeof config.model_type !== 'string') problems.push('config.json has no "model_type"');
  const tokenizer = readJson('tokenizer.json');
  if (tokenizer && (typeof tokenizer.model !== 'object' || tokenizer.model === null))
    problems.push('tokenizer.json has no "model" section (is it a fast-tokenizer file?)');
  readJson('tokenizer_config.json');
  const onnx = path.join(folder, onnxFileFor(dtype));
  if (existsSync(onnx) && statSync(onnx).size < 64)
    problems.push(`${onnxFileFor(dtype)} is ${statSync(onnx).size} bytes (a Git LFS pointer or an interrupted download?)`);
  const availableDtypes = (Object.keys(DTYPE_FILE_SUFFIX) as ModelDtype[]).filter((d) => existsSync(path.join(folder, onnxFileFor(d))));
  return { id, folder, dtype, missing, problems, availableDtypes, complete: missing.length === 0 && problems.length === 0 };
}
