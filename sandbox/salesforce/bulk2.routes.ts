import type { Clock } from '../../core';
import { parseJsonBody, type Router, type SandboxRequest, type SandboxResponse } from '../http/http-kit';
import { salesforceId } from './salesforce-schema';
import { sfDateTime, type SalesforceState, type SfRecord } from './salesforce-state';
import { prepareQuery, renderRecord, type PreparedQuery } from './soql.executor';

/**
 * Bulk API 2.0: query jobs (CSV results paged by `Sforce-Locator`, the string "null" on the last
 * page — jsforce loops until it sees it) and ingest jobs (PUT CSV → 201, PATCH UploadComplete,
 * successful/failed/unprocessed results as CSV). Jobs complete as soon as they are closed.
 */
export interface Bulk2Context {
  org: SalesforceState;
  clock: Clock;
  userId: string;
  /** Result rows per query page (Salesforce picks its own; tests make it small to exercise paging). */
  pageSize: number;
  version(req: SandboxRequest): string;
  fail(status: number, errorCode: string, message: string): Error;
  /** Applies fields; returns per-record error messages (empty on success). */
  apply(
    objectName: string,
    record: SfRecord | undefined,
    fields: Record<string, unknown>,
    creating: boolean,
  ): { errorCode: string; message: string }[];
  lockRow(id: string): boolean;
}

interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  state: string;
  createdDate: string;
  prepared: PreparedQuery;
  version: string;
}

interface IngestJob {
  id: string;
  object: string;
  operation: 'insert' | 'update' | 'upsert' | 'delete';
  externalIdFieldName?: string;
  state: string;
  createdDate: string;
  csv: string[];
  successful: string[];
  failed: string[];
  header: string[];
  processed: number;
}

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV (quotes, doubled quotes, embedded newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

function flatten(record: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k === 'attributes') continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

export function registerBulk2(router: Router, ctx: Bulk2Context, api: (p: string) => string): void {
  const queryJobs = new Map<string, QueryJob>();
  const ingestJobs = new Map<string, IngestJob>();
  let counter = 0;
  const csvResponse = (status: number, text: string, headers: Record<string, string> = {}): SandboxResponse => ({
    status,
    text,
    headers: { 'Content-Type': 'text/csv', ...headers },
  });

  const queryInfo = (job: QueryJob): Record<string, unknown> => ({
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: ctx.userId,
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.version),
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
    ...(job.state === 'JobComplete' ? { numberRecordsProcessed: job.prepared.rows.length, retries: 0, totalProcessingTime: 0 } : {}),
  });
  const queryJob = (req: SandboxRequest): QueryJob => {
    const job = queryJobs.get(req.params.id ?? '');
    if (!job) throw ctx.fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  };

  router.on('POST', api('/jobs/query'), (req) => {
    const version = ctx.version(req);
    const body = (parseJsonBody(req) ?? {}) as { operation?: string; query?: string };
    if (body.operation !== 'query' && body.operation !== 'queryAll')
      throw ctx.fail(400, 'INVALIDJOB', `Invalid operation: ${body.operation}`);
    if (!body.query) throw ctx.fail(400, 'INVALIDJOB', 'query is required');
    const prepared = prepareQuery(ctx.org, body.query, { scanAll: body.operation === 'queryAll', now: ctx.clock.now() });
    if (prepared.query.count) throw ctx.fail(400, 'API_ERROR', 'COUNT() is not supported by Bulk API 2.0 query jobs');
    const job: QueryJob = {
      id: salesforceId('750', ++counter),
      operation: body.operation,
      object: prepared.object.name,
      state: 'UploadComplete',
      createdDate: sfDateTime(ctx.clock.now()),
      prepared,
      version,
    };
    queryJobs.set(job.id, job);
    const info = queryInfo(job);
    job.state = 'JobComplete';
    return { status: 200, json: info };
  });
  router.on('GET', api('/jobs/query/:id'), (req) => ({ status: 200, json: queryInfo(queryJob(req)) }));
  router.on('PATCH', api('/jobs/query/:id'), (req) => {
    const job = queryJob(req);
    const body = (parseJsonBody(req) ?? {}) as { state?: string };
    if (body.state !== 'Aborted') throw ctx.fail(400, 'INVALIDJOBSTATE', `Cannot set state ${body.state}`);
    job.state = 'Aborted';
    return { status: 200, json: queryInfo(job) };
  });
  router.on('DELETE', api('/jobs/query/:id'), (req) => {
    queryJobs.delete(queryJob(req).id);
    return { status: 204 };
  });
  router.on('GET', api('/jobs/query/:id/results'), (req) => {
    const job = queryJob(req);
    if (job.state !== 'JobComplete') throw ctx.fail(400, 'INVALIDJOBSTATE', 'Job is not complete');
    const offset = Number(req.query.get('locator') ?? 0) || 0;
    const max = Math.min(Number(req.query.get('maxRecords') ?? ctx.pageSize) || ctx.pageSize, ctx.pageSize);
    const end = Math.min(offset + max, job.prepared.rows.length);
    const header = job.prepared.select.map((p) => p.path);
    const lines = [header.map(csvCell).join(',')];
    const wanted = header.map((h) => h.toLowerCase());
    for (const r of job.prepared.rows.slice(offset, end)) {
      const flat = new Map(
        Object.entries(flatten(renderRecord(ctx.org, job.prepared, r, job.version))).map(([k, v]) => [k.toLowerCase(), v]),
      );
      lines.push(wanted.map((h) => csvCell(flat.get(h))).join(','));
    }
    const locator = end < job.prepared.rows.length ? String(end) : 'null';
    return csvResponse(200, `${lines.join('\n')}\n`, { 'Sforce-Locator': locator, 'Sforce-NumberOfRecords': String(end - offset) });
  });

  const ingestInfo = (job: IngestJob): Record<string, unknown> => ({
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: ctx.userId,
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state: job.state,
    ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: 62,
    contentUrl: `services/data/v62.0/jobs/ingest/${job.id}/batches`,
    lineEnding: 'LF',
    columnDelimiter: 'COMMA',
    ...(job.state === 'JobComplete'
      ? { numberRecordsProcessed: job.processed, numberRecordsFailed: job.failed.length, retries: 0, totalProcessingTime: 0 }
      : {}),
  });
  const ingestJob = (req: SandboxRequest): IngestJob => {
    const job = ingestJobs.get(req.params.id ?? '');
    if (!job) throw ctx.fail(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  };
  router.on('POST', api('/jobs/ingest'), (req) => {
    ctx.version(req);
    const body = (parseJsonBody(req) ?? {}) as { object?: string; operation?: string; externalIdFieldName?: string };
    const o = ctx.org.object(body.object ?? '');
    if (!o) throw ctx.fail(400, 'INVALIDJOB', `Unable to find object: ${body.object}`);
    if (!['insert', 'update', 'upsert', 'delete'].includes(body.operation ?? ''))
      throw ctx.fail(400, 'INVALIDJOB', `Invalid operation: ${body.operation}`);
    const job: IngestJob = {
      id: salesforceId('750', ++counter),
      object: o.name,
      operation: body.operation as IngestJob['operation'],
      state: 'Open',
      createdDate: sfDateTime(ctx.clock.now()),
      csv: [],
      successful: [],
      failed: [],
      header: [],
      processed: 0,
      ...(body.externalIdFieldName ? { externalIdFieldName: body.externalIdFieldName } : {}),
    };
    ingestJobs.set(job.id, job);
    return { status: 200, json: ingestInfo(job) };
  });
  router.on('PUT', api('/jobs/ingest/:id/batches'), (req) => {
    const job = ingestJob(req);
    if (job.state !== 'Open') throw ctx.fail(400, 'INVALIDJOBSTATE', 'Job is not open for uploads');
    job.csv.push(req.rawBody);
    return { status: 201, text: '', headers: { 'Content-Type': 'application/json;charset=UTF-8' } };
  });
  router.on('GET', api('/jobs/ingest/:id'), (req) => ({ status: 200, json: ingestInfo(ingestJob(req)) }));
  router.on('DELETE', api('/jobs/ingest/:id'), (req) => {
    ingestJobs.delete(ingestJob(req).id);
    return { status: 204 };
  });
  router.on('PATCH', api('/jobs/ingest/:id'), (req) => {
    const job = ingestJob(req);
    const body = (parseJsonBody(req) ?? {}) as { state?: string };
    if (body.state === 'Aborted') {
      job.state = 'Aborted';
      return { status: 200, json: ingestInfo(job) };
    }
    if (body.state !== 'UploadComplete' || job.state !== 'Open')
      throw ctx.fail(400, 'INVALIDJOBSTATE', `Cannot set state ${body.state} on a job in state ${job.state}`);
    job.state = 'UploadComplete';
    const info = ingestInfo(job);
    process(job);
    return { status: 200, json: info };
  });
  const resultCsv = (lead: string[], rows: string[]): string => `${[lead.join(','), ...rows].join('\n')}\n`;
  router.on('GET', api('/jobs/ingest/:id/successfulResults'), (req) => {
    const job = ingestJob(req);
    return csvResponse(200, resultCsv(['"sf__Id"', '"sf__Created"', ...job.header.map(csvCell)], job.successful));
  });
  router.on('GET', api('/jobs/ingest/:id/failedResults'), (req) => {
    const job = ingestJob(req);
    return csvResponse(200, resultCsv(['"sf__Id"', '"sf__Error"', ...job.header.map(csvCell)], job.failed));
  });
  router.on('GET', api('/jobs/ingest/:id/unprocessedrecords'), (req) => {
    const job = ingestJob(req);
    return csvResponse(200, `${job.header.map(csvCell).join(',')}\n`);
  });

  function process(job: IngestJob): void {
    for (const chunk of job.csv) {
      const [header, ...rows] = parseCsv(chunk);
      if (!header) continue;
      job.header = header;
      for (const cells of rows) {
        job.processed++;
        const fields: Record<string, unknown> = {};
        // Bulk API 2.0 "Valid Date Format / Null values": an empty cell leaves the field alone, #N/A sets it to null.
        header.forEach((h, i) => {
          const raw = cells[i] ?? '';
          if (raw === '') return;
          fields[h] = raw === '#N/A' ? null : coerce(job.object, h, raw);
        });
        const original = cells.map(csvCell).join(',');
        const idKey = Object.keys(fields).find((k) => k.toLowerCase() === 'id');
        const id = idKey ? (fields[idKey] as string | null) : null;
        const table = ctx.org.table(job.object);
        const failRow = (message: string, rowId = id ?? ''): void => {
          job.failed.push(`${csvCell(rowId)},${csvCell(message)},${original}`);
        };
        // Upsert matches on externalIdFieldName (Bulk API 2.0 "Create a Job"): none → insert, one → update, several → DUPLICATE_EXTERNAL_ID.
        let upsertTarget: SfRecord | undefined;
        if (job.operation === 'upsert') {
          const extField = ctx.org.object(job.object)?.fields.get((job.externalIdFieldName ?? 'Id').toLowerCase());
          const key = extField ? Object.keys(fields).find((k) => k.toLowerCase() === extField.name.toLowerCase()) : undefined;
          if (!extField || !(extField.externalId || extField.name === 'Id') || !key) {
            failRow(`INVALID_FIELD:External ID field ${job.externalIdFieldName ?? 'Id'} is missing or not an External ID`);
            continue;
          }
          const value = fields[key];
          const matches = [...table.values()].filter((r) => !r.IsDeleted && value !== null && r[extField.name] === value);
          if (matches.length > 1) {
            failRow(
              `DUPLICATE_EXTERNAL_ID:${extField.name}: more than one record found for external id field: ${matches.map((m) => m.Id).join(', ')}:${extField.name} --`,
            );
            continue;
          }
          upsertTarget = matches[0];
          if (extField.name === 'Id') delete fields[key];
        }
        if (job.operation === 'insert' || (job.operation === 'upsert' && !upsertTarget)) {
          const errors = ctx.apply(job.object, undefined, fields, true);
          if (errors.length) {
            failRow(errorText(errors));
            continue;
          }
          const now = ctx.clock.now().toISOString();
          const rec = ctx.org.insert(job.object, {}, now);
          ctx.apply(job.object, rec, fields, true);
          job.successful.push(`${csvCell(rec.Id)},true,${original}`);
          continue;
        }
        const target = upsertTarget ?? (id ? ctx.org.get(job.object, id) : undefined);
        if (!target || target.IsDeleted) {
          failRow('INVALID_CROSS_REFERENCE_KEY:invalid cross reference id');
          continue;
        }
        if (ctx.lockRow(target.Id)) {
          failRow(`UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: ${target.Id}`);
          continue;
        }
        if (job.operation === 'delete') {
          const now = sfDateTime(ctx.clock.now());
          target.IsDeleted = true;
          target.SystemModstamp = now;
          ctx.org.deletedAt.set(target.Id, now);
          job.successful.push(`${csvCell(target.Id)},false,${original}`);
          continue;
        }
        const updates = Object.fromEntries(Object.entries(fields).filter(([k]) => k.toLowerCase() !== 'id'));
        const errors = ctx.apply(job.object, target, updates, false);
        if (errors.length) failRow(errorText(errors));
        else job.successful.push(`${csvCell(target.Id)},false,${original}`);
      }
    }
    job.state = 'JobComplete';
  }

  /** sf__Error as Bulk API 2.0 writes it: `CODE:message:Field1,Field2 --` (jsforce's bulk2 tests check this exact form). */
  function errorText(errors: { errorCode: string; message: string; fields?: string[] }[]): string {
    return errors.map((e) => `${e.errorCode}:${e.message}:${(e.fields ?? []).join(',')} --`).join(';');
  }

  function coerce(objectName: string, fieldName: string, raw: string): unknown {
    const f = ctx.org.object(objectName)?.fields.get(fieldName.toLowerCase());
    if (!f) return raw;
    if (['double', 'currency', 'percent', 'int'].includes(f.type)) return Number.isFinite(Number(raw)) ? Number(raw) : raw;
    if (f.type === 'boolean') return raw.toLowerCase() === 'true';
    return raw;
  }
}
