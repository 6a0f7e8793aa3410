/**
 * @jest-environment ./test/helpers/tiny-bert/onnx-test.environment.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCliWithEnv } from '../helpers/run-cli';
import { pullModel } from '../../engine/text';
import { buildTinyBert } from '../helpers/tiny-bert/tiny-bert.builder';

/** The real CLI, in-process, with this run's environment. */
async function run(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const { code, stdout, stderr } = await runCliWithEnv(env, 'models', ...args);
  return { stdout, stderr, exitCode: code };
}

describe('success-engine models', () => {
  // Generous: the CI machine is shared; nothing here asserts on time.
  jest.setTimeout(60_000);

  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'se-models-cmd-'));
    buildTinyBert(path.join(dir, 'test/tiny-sentiment'), { labels: ['negative', 'positive'], dtypes: ['q8'] });
    buildTinyBert(path.join(dir, 'test/tiny-nli'), { labels: ['contradiction', 'neutral', 'entailment'], dtypes: ['q8'] });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verify says exactly which files are missing and how to add them, and exits 1', async () => {
    const r = await run(['verify', '--json'], { MODELS_DIR: dir, SE_ALLOW_REMOTE_MODELS: 'false' });
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout) as {
      ok: boolean;
      builtinFallback: boolean;
      models: { task: string; status: string; missing: string[]; fix: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.builtinFallback).toBe(true);
    const sentiment = report.models.find((m) => m.task === 'sentiment');
    expect(sentiment?.status).toBe('missing');
    expect(sentiment?.missing).toEqual(['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']);
    expect(sentiment?.fix).toMatch(/success-engine models pull Xenova\/distilbert-base-multilingual-cased-sentiments-student --dtype q8/);
  });

  it('verify runs a smoke inference for each task when the files are there', async () => {
    const r = await run(
      ['verify', '--sentiment', 'test/tiny-sentiment', '--topics', 'test/tiny-nli', '--embeddings', 'test/tiny-sentiment', '--json'],
      { MODELS_DIR: dir, SE_ALLOW_REMOTE_MODELS: 'false' },
    );
    const report = JSON.parse(r.stdout) as { ok: boolean; models: { task: string; status: string; smoke?: string }[] };
    expect(report.models.map((m) => m.status)).toEqual(['ok', 'ok', 'ok']);
    expect(report.models.find((m) => m.task === 'embeddings')?.smoke).toBe('2 × 32 dims');
    expect(r.exitCode).toBe(0);
  });

  it('verify points at another dtype when only that one is present', async () => {
    const r = await run(['verify', '--sentiment', 'test/tiny-sentiment', '--dtype', 'fp32'], {
      MODELS_DIR: dir,
      SE_ALLOW_REMOTE_MODELS: 'false',
    });
    expect(r.stdout).toMatch(/missing file .*onnx\/model\.onnx/);
    expect(r.stdout).toMatch(/pass --dtype q8/);
  });

  it('pull refuses when remote models are off', async () => {
    const r = await run(['pull', 'Xenova/x'], { MODELS_DIR: dir, SE_ALLOW_REMOTE_MODELS: 'false' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/SE_ALLOW_REMOTE_MODELS=false/);
  });

  it('pullModel writes the local layout from the hub and names a missing file', async () => {
    const served = new Map([
      ['config.json', '{"model_type":"bert"}'],
      ['tokenizer.json', '{"model":{}}'],
      ['tokenizer_config.json', '{}'],
      ['onnx/model_quantized.onnx', 'x'.repeat(100)],
    ]);
    const fetchFn = (url: string) => {
      const file = url.split('/resolve/main/')[1] ?? '';
      const body = served.get(file);
      return Promise.resolve({
        ok: body !== undefined,
        status: body === undefined ? 404 : 200,
        arrayBuffer: () => Promise.resolve(new TextEncoder().encode(body ?? '').buffer),
      });
    };
    const result = await pullModel(dir, 'acme/model', 'q8', fetchFn, 'https://hub.test');
    expect(result.files.map((f) => f.file)).toEqual([...served.keys()]);
    await expect(pullModel(dir, 'acme/model', 'fp16', fetchFn, 'https://hub.test')).rejects.toThrow(
      /onnx\/model_fp16\.onnx answered HTTP 404/,
    );
  });
});
