/**
 * @jest-environment ./test/helpers/tiny-bert/onnx-test.environment.ts
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkModelFolder, openTextModel, SHIPPED_SENTIMENT_MODEL_ID, shippedModelsDir, TransformersTextModel } from '../../engine/text';

// The model the product carries (models/sentiment-bilingual, trained by scripts/train-sentiment),
// run through the real transformers.js pipeline(); no generated stand-in.
describe('shipped bilingual sentiment model', () => {
  // Generous: the CI machine is shared; nothing here asserts on time.
  jest.setTimeout(60_000);

  const modelsDir = shippedModelsDir();

  it('is found next to the code and its folder is complete (q8, under 15 MB)', () => {
    expect(modelsDir).toBe(path.resolve(__dirname, '../../models'));
    const check = checkModelFolder(modelsDir as string, SHIPPED_SENTIMENT_MODEL_ID, 'q8');
    expect(check).toMatchObject({ complete: true, missing: [], problems: [] });
    const onnx = path.join(check.folder, 'onnx/model_quantized.onnx');
    expect(statSync(onnx).size).toBeLessThan(15 * 2 ** 20);
    const config = JSON.parse(readFileSync(path.join(check.folder, 'config.json'), 'utf8')) as {
      model_type: string;
      id2label: Record<string, string>;
    };
    expect(config.model_type).toBe('bert');
    expect(Object.values(config.id2label).sort()).toEqual(['negative', 'positive']);
    expect(readFileSync(path.join(check.folder, 'README.md'), 'utf8')).toMatch(/en_sst2_train\.csv[\s\S]*zh_online_shopping_10_cats\.csv/);
  });

  it('reads obvious English and Chinese opinions right, in one batch', async () => {
    const model = new TransformersTextModel({
      modelsDir: modelsDir as string,
      allowRemoteModels: false,
      models: { sentiment: SHIPPED_SENTIMENT_MODEL_ID },
      threads: 1,
    });
    const positive = [
      'The support team was excellent and solved our problem quickly, thank you!',
      'a wonderful , moving and beautifully acted film',
      '服务很好，送货也快，非常满意',
      '质量很好，物超所值，会回购的',
    ];
    const negative = [
      'Terrible service, nobody answers and the product keeps breaking.',
      'a boring , pointless mess',
      '太差了，等了两个小时饭都凉了',
      '质量很差，用了两天就坏了，很失望',
    ];
    try {
      const results = await model.sentiment([...positive, ...negative]);
      expect(results.map((r) => r.label)).toEqual([...positive.map(() => 'positive'), ...negative.map(() => 'negative')]);
      for (const r of results) {
        expect(r.model).toMatchObject({ id: SHIPPED_SENTIMENT_MODEL_ID, backend: 'transformers', dtype: 'q8' });
        expect(Math.abs(r.score)).toBeLessThanOrEqual(1);
      }
      expect(results.slice(0, 4).every((r) => r.score > 0.2)).toBe(true);
      expect(results.slice(4).every((r) => r.score < -0.2)).toBe(true);
    } finally {
      await model.close();
    }
  });

  it('is what openTextModel answers with when no Hub model is installed; topics and embeddings stay built in', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'se-no-models-'));
    const notes: string[] = [];
    const model = await openTextModel({ modelsDir: empty, allowRemoteModels: false, workers: 0, threads: 1, onNote: (m) => notes.push(m) });
    try {
      expect(model.ref).toMatchObject({ id: SHIPPED_SENTIMENT_MODEL_ID, backend: 'transformers' });
      expect(notes.join('\n')).toMatch(/using the shipped model sentiment-bilingual/);
      const [s] = await model.sentiment(['客服态度恶劣，再也不买了']);
      expect(s?.label).toBe('negative');
      const [t] = await model.topics(['the invoice total is wrong'], ['billing and invoices', 'delivery speed']);
      expect(t?.model.backend).toBe('builtin');
      const [e] = await model.embed(['hello']);
      expect(e?.model.id).toBe('builtin/hashed-ngram-embedding');
    } finally {
      await model.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
