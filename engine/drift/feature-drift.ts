import { SuccessEngineError } from '../../core';
import type { FeatureColumn, FeatureTable } from '../features/feature-table';
import { categoricalPsi, numericPsi, type PsiResult } from './psi';

export interface FeatureDrift extends PsiResult {
  feature: string;
}

function categories(column: Extract<FeatureColumn, { kind: 'categorical' }>, rows: number): (string | null)[] {
  const out: (string | null)[] = new Array<string | null>(rows);
  for (let r = 0; r < rows; r++) {
    const code = column.codes[r] as number;
    out[r] = code < 0 ? null : (column.levels[code] ?? null);
  }
  return out;
}

/**
 * PSI per feature between two feature tables (the reference, e.g. a model's training snapshot,
 * and the current scoring batch), worst first. `features` limits it to a model's features;
 * a feature absent from either table, or typed differently, is reported in `skipped`.
 */
export function featureTableDrift(
  reference: FeatureTable,
  current: FeatureTable,
  options: { features?: readonly string[]; bins?: number } = {},
): { drift: FeatureDrift[]; skipped: string[] } {
  if (reference.rowCount === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'reference feature table has no rows');
  if (current.rowCount === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'current feature table has no rows');
  const refByName = new Map(reference.columns.map((c) => [c.name, c]));
  const curByName = new Map(current.columns.map((c) => [c.name, c]));
  const names = options.features ?? reference.columns.map((c) => c.name);
  const drift: FeatureDrift[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    const ref = refByName.get(name);
    const cur = curByName.get(name);
    if (!ref || !cur || ref.kind !== cur.kind) {
      skipped.push(name);
      continue;
    }
    const r =
      ref.kind === 'numeric' && cur.kind === 'numeric'
        ? numericPsi(ref.values, cur.values, options.bins !== undefined ? { bins: options.bins } : {})
        : categoricalPsi(
            categories(ref as Extract<FeatureColumn, { kind: 'categorical' }>, reference.rowCount),
            categories(cur as Extract<FeatureColumn, { kind: 'categorical' }>, current.rowCount),
          );
    drift.push({ feature: name, ...r });
  }
  drift.sort((a, b) => b.psi - a.psi || a.feature.localeCompare(b.feature));
  return { drift, skipped };
}
