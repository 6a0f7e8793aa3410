import { TestEnvironment } from 'jest-environment-node';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';

/**
 * onnxruntime-node checks tensor data with `instanceof Float32Array` against the main realm,
 * but jest gives each test file its own realm. Tests that run ONNX models use this environment
 * (`@jest-environment ./test/helpers/tiny-bert/onnx-test.environment.ts`) so typed arrays match.
 */
export default class OnnxTestEnvironment extends TestEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const g = this.global as unknown as Record<string, unknown>;
    for (const name of [
      'Float32Array',
      'Float64Array',
      'Int8Array',
      'Uint8Array',
      'Int16Array',
      'Uint16Array',
      'Int32Array',
      'Uint32Array',
      'BigInt64Array',
      'BigUint64Array',
      'ArrayBuffer',
    ] as const) {
      g[name] = globalThis[name];
    }
  }
}
