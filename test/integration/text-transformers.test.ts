/**
 * @jest-environment ./test/helpers/tiny-bert/onnx-test.environment.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkModelFolder, openTextModel, TransformersTextModel } from '../../engine/text';
import { buildTinyBert } from '../helpers/tiny-bert/tiny-bert.builder';

// Generated random-weight models: these tests check plumbing and shapes through the real
// transformers.js pipeline() code, not meaning.
describe('transformers.js backend on generated tiny BERT models', () => {
  // Generous: the CI machine is shared; nothing here asserts on time.
  jest.setTimeout(60_000);

  let modelsDir: string;
  const models = { sentiment: 'test/tiny-sentiment', topics: 'test/tiny-nli', embeddings: 'test/tiny-sentiment' };

  beforeAll(() => {
    modelsDir = mkdtempSync(path.join(os.tmpdir(), 'se-text-models-'));
    buildTinyBert(path.join(modelsDir, models.sentiment), { labels: ['negative', 'neutral', 'positive'], modelId: models.sentiment });
    buildTinyBert(path.join(modelsDir, models.topics), {
      labels: ['contradiction', 'neutral', 'entailment'],
      modelId: models.topics,
      seed: 7,
    });
  });

  afterAll(() => rmSync(modelsDir, { recursive: true, force: true }));

  it.each(['q8', 'fp32'] as const)('runs sentiment, zero-shot topics and embeddings (%s)', async (dtype) => {
    const model = new TransformersTextModel({ modelsDir, allowRemoteModels: false, models, dtype, batchSize: 2 });
    try {
      const texts = ['Great support, thanks!', '送餐太慢了，很失望', 'billing was wrong again'];
      const sentiment = await model.sentiment(texts);
      expect(sentiment).toHaveLength(3);
      for (const s of sentiment) {
        expect(['positive', 'neutral', 'negative']).toContain(s.label);
        expect(s.score).toBeGreaterThanOrEqual(-1);
        expect(s.score).toBeLessThanOrEqual(1);
        expect(s.model).toMatchObject({ id: models.sentiment, backend: 'transformers', dtype });
        expect(s.model.version).toMatch(/^[0-9a-f]{12}$/);
      }
      const topics = await model.topics(texts, ['billing', 'support', 'delivery']);
      expect(topics).toHaveLength(3);
      for (const t of topics) {
        expect(t.labels.map((l) => l.label).sort()).toEqual(['billing', 'delivery', 'support']);
        expect(t.labels.reduce((a, l) => a + l.score, 0)).toBeCloseTo(1, 5);
        expect(t.model.id).toBe(models.topics);
      }
      const embeddings = await model.embed(texts);
      expect(embeddings).toHaveLength(3);
      for (const e of embeddings) {
        expect(e.vector).toHaveLength(32);
        expect(Math.hypot(...e.vector)).toBeCloseTo(1, 4);
      }
    } finally {
      await model.close();
    }
  });

  it('infers only text it has not seen', async () => {
    const model = new TransformersTextModel({ modelsDir, allowRemoteModels: false, models });
    try {
      const first = await model.sentiment(['a', 'b', 'a']);
      expect(model.inferredCount).toBe(2);
      const again = await model.sentiment(['b', 'a', 'c']);
      expect(model.inferredCount).toBe(3);
      expect(again[0]).toEqual(first[1]);
    } finally {
      await model.close();
    }
  });

  it('splits work into batches of the configured size and keeps input order', async () => {
    // fp32: with q8, activations are quantised per batch tensor, so batch-mates shift values slightly.
    const model = new TransformersTextModel({ modelsDir, allowRemoteModels: false, models, batchSize: 32, dtype: 'fp32' });
    try {
      const texts = Array.from({ length: 70 }, (_, i) => `note number ${i} about ${i % 2 ? 'billing' : 'delivery'}`);
      const all = await model.embed(texts);
      const single = await new TransformersTextModel({ modelsDir, allowRemoteModels: false, models, batchSize: 1, dtype: 'fp32' }).embed([
        texts[41] as string,
      ]);
      expect(all).toHaveLength(70);
      const a = all[41]?.vector ?? new Float32Array();
      const b = single[0]?.vector ?? new Float32Array();
      // Padding in a batch must not change a row's mean-pooled embedding beyond float noise.
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i] as number, 4));
    } finally {
      await model.close();
    }
  });

  it('spreads batches over worker threads with the same results as in-process', async () => {
    const texts = Array.from({ length: 10 }, (_, i) => `ticket ${i}: 账单 billing ${i % 3 ? 'slow' : 'great'}`);
    const inProcess = new TransformersTextModel({ modelsDir, allowRemoteModels: false, models, batchSize: 3 });
    const pooled = new TransformersTextModel({ modelsDir, allowRemoteModels: false, models, batchSize: 3, workers: 2 });
    try {
      const [a, b] = [await inProcess.embed(texts), await pooled.embed(texts)];
      expect(pooled.inferredCount).toBe(10);
      b.forEach((e, i) => e.vector.forEach((v, j) => expect(v).toBeCloseTo(a[i]?.vector[j] as number, 4)));
      const [sa, sb] = [await inProcess.sentiment(texts), await pooled.sentiment(texts)];
      expect(sb.map((s) => s.label)).toEqual(sa.map((s) => s.label));
      const tb = await pooled.topics(texts.slice(0, 2), ['billing', 'speed']);
      expect(tb[0]?.labels).toHaveLength(2);
    } finally {
      await inProcess.close();
      await pooled.close();
    }
  });

  it('reports a missing model from a worker as ENGINE.MODEL_UNAVAILABLE', async () => {
    const pooled = new TransformersTextModel({
      modelsDir,
      allowRemoteModels: false,
      models: { ...models, sentiment: 'test/absent' },
      workers: 1,
    });
    try {
      await expect(pooled.sentiment(['x'])).rejects.toMatchObject({
        code: 'ENGINE.MODEL_UNAVAILABLE',
        message: expect.stringMatching(/test\/absent/) as unknown,
      });
    } finally {
      await pooled.close();
    }
  });

  it('the factory picks the installed Hub model when its files are there, and the shipped model otherwise', async () => {
    const found = await openTextModel({ modelsDir, allowRemoteModels: false, models });
    expect(found.ref).toMatchObject({ id: models.sentiment, backend: 'transformers' });
    await found.close();
    const notes: string[] = [];
    const fallback = await openTextModel({
      modelsDir,
      allowRemoteModels: false,
      models: { sentiment: 'test/absent' },
      onNote: (m) => notes.push(m),
    });
    expect(fallback.ref).toMatchObject({ id: 'sentiment-bilingual', backend: 'transformers', dtype: 'q8' });
    expect(notes.join('\n')).toMatch(/test\/absent/);
    await fallback.close();
  });

  it('reports exactly which files a model folder lacks', () => {
    const check = checkModelFolder(modelsDir, models.sentiment, 'fp16');
    expect(check.complete).toBe(false);
    expect(check.missing).toEqual(['onnx/model_fp16.onnx']);
    expect(check.availableDtypes.sort()).toEqual(['fp32', 'q8']);
  });
});
