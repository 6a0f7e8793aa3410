import { existsSync } from 'node:fs';
import path from 'node:path';

/** The bilingual sentiment model the product carries in `models/<id>/` (trained by scripts/train-sentiment). */
export const SHIPPED_SENTIMENT_MODEL_ID = 'sentiment-bilingual';

/**
 * The `models/` folder that holds the shipped model. Looked up from this file upwards, so the same
 * code finds it from the sources (engine/text) and from the build (dist/engine/text).
 */
export function shippedModelsDir(from: string = __dirname): string | undefined {
  let dir = from;
  for (let up = 0; up < 5; up++) {
    const candidate = path.join(dir, 'models');
    if (existsSync(path.join(candidate, SHIPPED_SENTIMENT_MODEL_ID, 'config.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
