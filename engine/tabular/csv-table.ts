import { parse, type Options } from 'csv-parse/sync';
import { SuccessEngineError } from '../../core';
import type { CategoricalColumn, FeatureColumn, FeatureTable, NumericColumn } from '../features/feature-table';

export interface CsvText {
  header: string[];
  rows: string[][];
}

/** Parse CSV text (first line is the header). The caller reads the file; the engine does no I/O. */
export function parseCsvText(text: string): CsvText {
  let records: string[][];
  try {
    const options: Options = { bom: true, skip_empty_lines: true, relax_column_count: true };
    records = parse(text, options);
  } catch (error) {
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `CSV could not be parsed: ${error instanceof Error ? error.message : String(error)}`,
      {},
      { cause: error },
    );
  }
  const [header, ...rows] = records;
  if (!header || header.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', 'CSV has no header row');
  return { header: header.map((h) => h.trim()), rows };
}

export interface LabelledTableOptions {
  label: string;
  /** Label value that means "churned"; every other non-blank value is negative. */
  positive: string;
  id?: string;
  ignore?: readonly string[];
}

export interface DroppedColumn {
  name: string;
  reason: 'constant' | 'identifier-like' | 'all-missing';
}

export interface LabelledTable {
  table: FeatureTable;
  /** 1 = positive class. */
  labels: Uint8Array;
  ids: string[];
  /** 0-based data-row numbers (file order) of the rows kept. */
  sourceRows: Uint32Array;
  droppedColumns: DroppedColumn[];
  /** Data rows skipped because the label cell was blank. */
  skippedRows: number[];
}

const isBlank = (cell: string): boolean => cell.trim() === '';

/** A cell is numeric when it parses completely as a finite number ("1e3", "-2.5"; not "12abc"). */
function parseNumber(cell: string): number {
  const t = cell.trim();
  if (t === '') return Number.NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : Number.NaN;
}

/**
 * Types each column from its non-blank cells: numeric when every one parses as a number, else
 * categorical. Blank cells are missing values. Text columns where most values are unique carry no
 * reusable signal (ids, names, free text) and are dropped, as are constant columns.
 */
export function buildLabelledTable(csv: CsvText, options: LabelledTableOptions): LabelledTable {
  const { header, rows } = csv;
  const indexOf = (name: string, flag: string): number => {
    const i = header.indexOf(name);
    if (i < 0)
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `${flag} column "${name}" is not in the CSV header (${header.join(', ')})`, {
        column: name,
      });
    return i;
  };
  const labelIndex = indexOf(options.label, '--label');
  const idIndex = options.id === undefined ? -1 : indexOf(options.id, '--id');
  const ignored = new Set<number>();
  for (const name of options.ignore ?? []) ignored.add(indexOf(name, '--ignore'));

  const kept: number[] = [];
  const skippedRows: number[] = [];
  rows.forEach((row, r) => {
    if (row.length !== header.length) {
      throw new SuccessEngineError('ENGINE.BAD_INPUT', `CSV data row ${r + 1} has ${row.length} cells, the header has ${header.length}`, {
        row: r + 1,
      });
    }
    if (isBlank(row[labelIndex] ?? '')) skippedRows.push(r);
    else kept.push(r);
  });
  const n = kept.length;
  const labels = new Uint8Array(n);
  let positives = 0;
  kept.forEach((r, i) => {
    const isPositive = (rows[r]?.[labelIndex] ?? '').trim() === options.positive;
    labels[i] = isPositive ? 1 : 0;
    if (isPositive) positives++;
  });
  if (positives === 0 || positives === n) {
    throw new SuccessEngineError(
      'ENGINE.BAD_INPUT',
      `--label ${options.label} with --positive "${options.positive}" gives ${positives} positive rows of ${n}; both classes are needed`,
      { positives, n },
    );
  }
  const ids = kept.map((r, i) => (idIndex >= 0 ? (rows[r]?.[idIndex] ?? '').trim() : String(i + 1)));

  const columns: FeatureColumn[] = [];
  const droppedColumns: DroppedColumn[] = [];
  header.forEach((name, c) => {
    if (c === labelIndex || c === idIndex || ignored.has(c)) return;
    const cells = kept.map((r) => rows[r]?.[c] ?? '');
    const column = inferColumn(name, cells);
    if ('reason' in column) droppedColumns.push(column);
    else columns.push(column);
  });
  return { table: { rowCount: n, columns }, labels, ids, sourceRows: Uint32Array.from(kept), droppedColumns, skippedRows };
}

export function inferColumn(name: string, cells: readonly string[]): FeatureColumn | DroppedColumn {
  let nonBlank = 0;
  let numeric = true;
  for (const cell of cells) {
    if (isBlank(cell)) continue;
    nonBlank++;
    if (numeric && Number.isNaN(parseNumber(cell))) numeric = false;
  }
  if (nonBlank === 0) return { name, reason: 'all-missing' };
  if (numeric) {
    const values = Float64Array.from(cells, parseNumber);
    let first = Number.NaN;
    let constant = true;
    for (const v of values) {
      if (Number.isNaN(v)) continue;
      if (Number.isNaN(first)) first = v;
      else if (v !== first) {
        constant = false;
        break;
      }
    }
    // A column that is constant where present still carries signal through its missingness.
    if (constant && nonBlank === cells.length) return { name, reason: 'constant' };
    const column: NumericColumn = { kind: 'numeric', name, values };
    return column;
  }
  const levelIndex = new Map<string, number>();
  const levels: string[] = [];
  const codes = new Int32Array(cells.length);
  cells.forEach((cell, i) => {
    const t = cell.trim();
    if (t === '') {
      codes[i] = -1;
      return;
    }
    let code = levelIndex.get(t);
    if (code === undefined) {
      code = levels.length;
      levels.push(t);
      levelIndex.set(t, code);
    }
    codes[i] = code;
  });
  if (levels.length === 1 && nonBlank === cells.length) return { name, reason: 'constant' };
  if (levels.length > 50 && levels.length > 0.5 * nonBlank) return { name, reason: 'identifier-like' };
  const column: CategoricalColumn = { kind: 'categorical', name, codes, levels };
  return column;
}
