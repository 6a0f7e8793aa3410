import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SuccessEngineError } from '../../core';
import { requiredModelFiles, type ModelDtype } from './model-files';

export type FetchLike = (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export const HUB_URL = 'https://huggingface.co';
const OPTIONAL_FILES = ['special_tokens_map.json', 'vocab.txt', 'sentencepiece.bpe.model', 'spm.model'];

export interface PullResult {
  id: string;
  folder: string;
  files: { file: string; bytes: number }[];
  skippedOptional: string[];
}

/**
 * Fetches a model's files into `<modelsDir>/<id>/` in the layout transformers.js reads locally,
 * so air-gapped installs can copy the folder. Only model files travel; never customer text.
 */
export async function pullModel(
  modelsDir: string,
  id: string,
  dtype: ModelDtype,
  fetchFn: FetchLike,
  hub = HUB_URL,
  onFile?: (file: string) => void,
): Promise<PullResult> {
  if (!/^[\w.-]+\/[\w.-]+$/.test(id)) throw new SuccessEngineError('ENGINE.BAD_INPUT', `model id "${id}" is not of the form owner/name`);
  const folder = path.join(modelsDir, id);
  const files: PullResult['files'] = [];
  const skippedOptional: string[] = [];
  const get = async (file: string, required: boolean): Promise<void> => {
    const url = `${hub}/${id}/resolve/main/${file}`;
    let response: Awaited<ReturnType<FetchLike>>;
    try {
      response = await fetchFn(url);
    } catch (error) {
      throw new SuccessEngineError(
        'ENGINE.MODEL_UNAVAILABLE',
        `cannot reach ${url}: ${(error as Error).message}`,
        { url },
        { cause: error },
      );
    }
    if (!response.ok) {
      if (!required) {
        skippedOptional.push(file);
        return;
      }
      throw new SuccessEngineError(
        'ENGINE.MODEL_UNAVAILABLE',
        `${url} answered HTTP ${response.status}${response.status === 404 ? ` (does ${id} publish ${file}? try another --dtype)` : ''}`,
        { url, status: response.status },
      );
    }
    const data = Buffer.from(await response.arrayBuffer());
    const target = path.join(folder, file);
    mkdirSync(path.dirname(target), { recursive: true });
    // Write then rename, so an interrupted pull never leaves a truncated file that looks complete.
    writeFileSync(`${target}.partial`, data);
    renameSync(`${target}.partial`, target);
    files.push({ file, bytes: data.length });
    onFile?.(file);
  };
  for (const file of requiredModelFiles(dtype)) await get(file, true);
  for (const file of OPTIONAL_FILES) await get(file, false);
  return { id, folder, files, skippedOptional };
}
