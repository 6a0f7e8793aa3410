import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  systemClock,
  type AuthGrant,
  type Clock,
  type CrmConnector,
  type CrmTokens,
  type EntityName,
  type Provider,
  type ProviderLimits,
  type PulledPage,
  type ScoreSet,
  type SyncCursor,
  type TenantId,
  type WriteBackResult,
} from '../../core';
import { SCORE_FIELDS } from '../../manifests/field-map';
import type { AccountFieldMapping } from '../shared/field-mapping';
import { scoreFieldValues, scoreValuesHash, type ScoreFieldValues } from '../shared/score-values';
import { ENTITY_OF_KIND, mapContext, mapRow, type FileImportKind, type MapContext } from './file-import.mapper';
import { readRows, type FileFormat, type RawRow, type RowError } from './file-rows.reader';

export interface FileSource {
  kind: FileImportKind;
  format: FileFormat;
  /** A file on disk, or the text itself (uploads). */
  path?: string;
  text?: string;
  /** Name used in row errors (defaults to the file's base name). */
  name?: string;
  /** Logical field → column, over the defaults for the kind. */
  columns?: Record<string, string>;
  /** ARR, renewal date, plan … columns for account files. */
  accountMapping?: { [K in keyof AccountFieldMapping]?: AccountFieldMapping[K] | null };
}

export interface FileConnectorOptions {
  tenantId: TenantId;
  sources: readonly FileSource[];
  /** Whose ids the account_id columns carry (default `file`; `hubspot` to link to synced companies). */
  accountProvider?: Provider;
  pageSize?: number;
  clock?: Clock;
  /** Where written scores are kept (the export); pass the same map to every instance of a tenant. */
  scoreExport?: Map<string, ExportedScore>;
}

export interface ExportedScore {
  hash: string;
  values: ScoreFieldValues;
}

/** Cursor: which source of the entity and how many of its rows are consumed. */
interface FileCursor {
  source: number;
  row: number;
}

function parseCursor(cursor: SyncCursor | null): FileCursor {
  return { source: typeof cursor?.source === 'number' ? cursor.source : 0, row: typeof cursor?.row === 'number' ? cursor.row : 0 };
}

/**
 * Imports of offline and product-usage data beside the CRM: accounts, transactions, usage events and
 * survey answers from CSV or JSONL. Bad rows come back as `rejected` (line, column, reason).
 * Scores "written back" are kept as an export keyed by account, with the same idempotence as a CRM.
 */
export class FileConnector implements CrmConnector {
  readonly provider = 'file' as const;
  private readonly loaded = new Map<number, { rows: RawRow[]; errors: RowError[]; ctx: MapContext }>();
  private readonly exported: Map<string, ExportedScore>;
  private readonly clock: Clock;
  private readonly pageSize: number;

  constructor(private readonly options: FileConnectorOptions) {
    this.clock = options.clock ?? systemClock;
    this.pageSize = options.pageSize ?? 1_000;
    this.exported = options.scoreExport ?? new Map<string, ExportedScore>();
  }

  authorise(grant: AuthGrant): Promise<CrmTokens> {
    // Files need no remote grant; a private token (an upload key) is passed through for symmetry.
    return Promise.resolve({ accessToken: grant.kind === 'private-app-token' ? grant.token : 'file-import' });
  }

  ensureSchema(): Promise<{ created: string[]; verified: string[] }> {
    return Promise.resolve({ created: [], verified: SCORE_FIELDS.map((f) => f.key) });
  }

  limits(): Promise<ProviderLimits> {
    return Promise.resolve({ provider: 'file', observedAt: this.clock.now().toISOString() });
  }

  private sourcesOf(entity: EntityName): number[] {
    return this.options.sources
      .map((s, i) => [s, i] as const)
      .filter(([s]) => ENTITY_OF_KIND[s.kind] === entity)
      .map(([, i]) => i);
  }

  private load(index: number): { rows: RawRow[]; errors: RowError[]; ctx: MapContext } {
    const cached = this.loaded.get(index);
    if (cached) return cached;
    const source = this.options.sources[index] as FileSource;
    const name = source.name ?? (source.path ? path.basename(source.path) : `upload-${index + 1}.${source.format}`);
    const text = source.text ?? readFileSync(source.path ?? '', 'utf8');
    const { rows, errors } = readRows(name, source.format, text);
    const ctx = mapContext({
      tenantId: this.options.tenantId,
      file: name,
      kind: source.kind,
      columns: source.columns ?? {},
      accountMapping: source.accountMapping ?? {},
      accountProvider: this.options.accountProvider ?? 'file',
      importedAt: this.clock.now().toISOString(),
    });
    const loaded = { rows, errors, ctx };
    this.loaded.set(index, loaded);
    return loaded;
  }

  pullPage<E extends EntityName>(entity: E, cursor: SyncCursor | null): Promise<PulledPage<E>> {
    const sources = this.sourcesOf(entity);
    const at = parseCursor(cursor);
    const page: PulledPage<E> = {
      entity,
      records: [],
      deletions: [],
      rejected: [],
      nextCursor: { source: at.source, row: at.row },
      done: true,
    };
    const sourceIndex = sources[at.source];
    if (sourceIndex === undefined) return Promise.resolve(page);
    const { rows, errors, ctx } = this.load(sourceIndex);
    // File-level errors (broken lines) are reported with the first page of that file.
    if (at.row === 0) for (const e of errors) page.rejected.push({ externalId: `${e.file}:${e.line}`, field: e.column, reason: e.reason });
    const end = Math.min(rows.length, at.row + this.pageSize);
    for (const row of rows.slice(at.row, end)) {
      const mapped = mapRow(ctx, row);
      if (mapped.ok) page.records.push(mapped.record as PulledPage<E>['records'][number]);
      else for (const e of mapped.errors) page.rejected.push({ externalId: `${e.file}:${e.line}`, field: e.column, reason: e.reason });
    }
    const fileDone = end >= rows.length;
    page.nextCursor = fileDone ? { source: at.source + 1, row: 0 } : { source: at.source, row: end };
    page.done = fileDone && at.source + 1 >= sources.length;
    return Promise.resolve(page);
  }

  writeBack(scores: readonly ScoreSet[]): Promise<WriteBackResult[]> {
    return Promise.resolve(
      scores.map((score) => {
        const values = scoreFieldValues(score);
        const hash = scoreValuesHash(values);
        const externalId = score.accountId.replace(/^[a-z]+:/, '');
        if (this.exported.get(score.accountId)?.hash === hash) return { accountExternalId: externalId, status: 'unchanged' as const };
        this.exported.set(score.accountId, { hash, values });
        return { accountExternalId: externalId, status: 'written' as const };
      }),
    );
  }

  /** The score export: one row per account with the field-map columns, for download as CSV/JSONL. */
  exportedScores(): { accountId: string; values: ScoreFieldValues }[] {
    return [...this.exported.entries()].map(([accountId, v]) => ({ accountId, values: v.values }));
  }
}
