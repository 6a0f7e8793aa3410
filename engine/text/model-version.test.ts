import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onnxFileFor } from './model-files';
import { modelVersion } from './transformers-text.model';

describe('model version fingerprint', () => {
  it('changes when the weights change even at the same size, and not otherwise', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'se-model-version-'));
    try {
      const write = (id: string, weights: string) => {
        mkdirSync(path.join(dir, id, 'onnx'), { recursive: true });
        writeFileSync(path.join(dir, id, 'config.json'), '{"model_type":"bert"}');
        writeFileSync(path.join(dir, id, onnxFileFor('q8')), weights);
      };
      write('a', 'weights-1');
      write('b', 'weights-2'); // same size, other weights: a retrained model of the same shape
      write('c', 'weights-1');
      expect(modelVersion(dir, 'a', 'q8')).not.toBe(modelVersion(dir, 'b', 'q8'));
      expect(modelVersion(dir, 'a', 'q8')).toBe(modelVersion(dir, 'c', 'q8'));
      expect(modelVersion(dir, 'missing', 'q8')).toBe('remote:main');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
