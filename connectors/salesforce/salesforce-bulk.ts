import type { Connection } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api';
import { parse } from 'csv-parse/sync';
import type { SfRow } from './salesforce-account.mapper';

/**
 * Bulk API 2.0 over raw REST calls. jsforce 3.10.16's `bulk2.query()` fails ("write after end") when
 * results span more than one page, and it hides the `Sforce-Locator` we must save in the cursor after
 * every page anyway; so we page results ourselves (`?locator=&maxRecords=`). The sandbox still serves
 * up to 50,000 rows a page by default, so SDK users of `bulk2.query()` keep working there.
 */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  body?: string;
  headers?: Record<string, string>;
}

/** One call with response headers kept; errors throw as jsforce's (errorCode, message) for the retry policy. */
export async function rawRequest(
  conn: Connection,
  request: RawRequest,
  onHeaders?: (headers: Record<string, string>) => void,
): Promise<RawResponse> {
  const api = new HttpApi(conn, { responseType: 'text/plain', noContentResponse: '', retry: { maxRetries: 0 } });
  let status = 0;
  let headers: Record<string, string> = {};
  api.on('response', (response: { statusCode: number; headers: Record<string, string> }) => {
    status = response.statusCode;
    headers = response.headers;
    onHeaders?.(headers);
  });
  const url = /^https?:/.test(request.url) ? request.url : `${conn.instanceUrl}${request.url}`;
  const body = await api.request<string>({ ...request, url, headers: request.headers ?? {} });
  return { status, headers, body: typeof body === 'string' ? body : JSON.stringify(body ?? '') };
}

/**
 * CSV carries no types: turn "true"/"false" and plain numbers back into what REST returns, so a
 * record read by Bulk and later by REST hashes the same. Numbers with leading zeros stay text.
 */
function typed(value: string): string | number | boolean | null {
  if (value === '') return null;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^-?(0|[1-9]\d{0,14})(\.\d+)?$/.test(value)) return Number(value);
  return value;
}

export function parseBulkCsv(text: string): SfRow[] {
  const rows = parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true, relax_column_count: true });
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) out[k] = k === 'Id' || k === 'SystemModstamp' ? v : typed(v);
    return out as SfRow;
  });
}

/** Result rows of an ingest job (`sf__Id`, `sf__Error`, then our columns). */
export function parseIngestResults(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true, relax_column_count: true });
}

function csvCell(value: string | number | null): string {
  if (value === null) return '#N/A';
  const t = String(value);
  return /[",\n\r]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}

/** Update CSV: `Id` then the fields; null clears a field (`#N/A`, as Bulk API 2.0 expects). */
export function ingestCsv(
  fields: readonly string[],
  rows: readonly { id: string; values: Record<string, string | number | null> }[],
): string {
  const lines = [['Id', ...fields].join(',')];
  for (const r of rows) lines.push([csvCell(r.id), ...fields.map((f) => csvCell(r.values[f] ?? null))].join(','));
  return `${lines.join('\n')}\n`;
}
