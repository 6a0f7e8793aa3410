/**
 * The engine's one tabular shape: typed columns over the same rows. File imports (CSV) and
 * canonical-record features both produce it, so every model trains on the same thing.
 */
export interface NumericColumn {
  kind: 'numeric';
  name: string;
  /** NaN marks a missing value. */
  values: Float64Array;
}

export interface CategoricalColumn {
  kind: 'categorical';
  name: string;
  /** Index into `levels`; -1 marks a missing value. */
  codes: Int32Array;
  levels: string[];
}

export type FeatureColumn = NumericColumn | CategoricalColumn;

export interface FeatureTable {
  rowCount: number;
  columns: FeatureColumn[];
}

/** Value of one cell for display in reasons: number, category label or null when missing. */
export function cellValue(column: FeatureColumn, row: number): number | string | null {
  if (column.kind === 'numeric') {
    const v = column.values[row] as number;
    return Number.isNaN(v) ? null : v;
  }
  const code = column.codes[row] as number;
  return code < 0 ? null : (column.levels[code] ?? null);
}
