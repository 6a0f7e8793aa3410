import { parse } from 'csv-parse/sync';

/** One raw row of an import file: the line it came from and its cells by column name. */
export interface RawRow {
  line: number;
  cells: Record<string, string>;
}

/** A row that could not be read or mapped: the line, the column at fault and why. */
export interface RowError {
  file: string;
  line: number;
  column: string;
  reason: string;
}

export interface ReadResult {
  rows: RawRow[];
  errors: RowError[];
}

export type FileFormat = 'csv' | 'jsonl';

/** Cell text for non-string JSON values, so CSV and JSONL rows map through the same code. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function readCsv(file: string, text: string): ReadResult {
  const rows: RawRow[] = [];
  const errors: RowError[] = [];
  let records: { record: Record<string, string>; info: { lines: number; error?: Error } }[];
  try {
    records = parse<(typeof records)[number]>(text, {
      columns: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      trim: true,
    });
  } catch (error) {
    // A broken quote makes the rest unreadable: quarantine from that line on, never guess.
    const e = error as { lines?: number; message?: string };
    errors.push({ file, line: e.lines ?? 0, column: '(file)', reason: `unreadable CSV: ${e.message ?? String(error)}` });
    return { rows, errors };
  }
  for (const { record, info } of records) {
    if (info.error) {
      errors.push({
        file,
        line: info.lines,
        column: '(row)',
        reason: `line ${info.lines}: wrong number of columns (${info.error?.message ?? 'column count differs from the header'})`,
      });
      continue;
    }
    rows.push({ line: info.lines, cells: record });
  }
  return { rows, errors };
}

export function readJsonl(file: string, text: string): ReadResult {
  const rows: RawRow[] = [];
  const errors: RowError[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      errors.push({ file, line, column: '(json)', reason: `line ${line}: not valid JSON (${(error as Error).message})` });
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors.push({ file, line, column: '(json)', reason: `line ${line}: expected a JSON object per line` });
      return;
    }
    const cells: Record<string, string> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) cells[k] = cellText(v).trim();
    rows.push({ line, cells });
  });
  return { rows, errors };
}

export function readRows(file: string, format: FileFormat, text: string): ReadResult {
  return format === 'csv' ? readCsv(file, text) : readJsonl(file, text);
}
