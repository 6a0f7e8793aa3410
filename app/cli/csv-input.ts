import { parse, type Options } from 'csv-parse/sync';
import { SuccessEngineError } from '../../core';

/** The fields csv-parse puts on its errors (CsvError) that say where the input went wrong. */
interface CsvErrorFields {
  code?: unknown;
  lines?: unknown;
  column?: unknown;
  message?: unknown;
}

/** csv-parse with a failure that names the file, line and column instead of the parser's raw message. */
export function parseCsvInput<T>(file: string, content: string | Buffer, options: Options): T[] {
  try {
    return parse(content, options) as T[];
  } catch (error) {
    throw explainCsvError(file, error) ?? error;
  }
}

/** A malformed-CSV error from csv-parse, as one message with the row and column at fault; undefined for other errors. */
export function explainCsvError(file: string, error: unknown, header?: readonly string[]): SuccessEngineError | undefined {
  const e = (error instanceof SuccessEngineError ? error.cause : error) as CsvErrorFields | null | undefined;
  if (typeof e?.code !== 'string' || !e.code.startsWith('CSV_')) return undefined;
  const column =
    typeof e.column === 'number' ? (header?.[e.column] ?? `#${e.column + 1}`) : typeof e.column === 'string' ? e.column : undefined;
  const where = `line ${typeof e.lines === 'number' ? e.lines : '?'}${column !== undefined ? `, column "${column}"` : ''}`;
  const quoting = e.code.includes('QUOTE')
    ? ': a field with a comma, quote or line break must be wrapped in double quotes, with a quote inside written twice ("")'
    : '';
  return new SuccessEngineError(
    'CLI.BAD_INPUT',
    `${file}: malformed CSV at ${where} (${e.code})${quoting}`,
    { file, line: e.lines, column },
    { cause: error },
  );
}
