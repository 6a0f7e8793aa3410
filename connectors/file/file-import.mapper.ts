import {
  buildRecord,
  canonicalId,
  isSuccessEngineError,
  ProviderSchema,
  type CanonicalRecordByEntity,
  type EntityName,
  type Provider,
  type TenantId,
  type UnhashedRecord,
  type ValidationIssue,
} from '../../core';
import {
  contractTypeOf,
  dateOf,
  dateTimeOf,
  numberOf,
  resolveAccountMapping,
  type AccountFieldMapping,
  type AccountMappingOverrides,
} from '../shared/field-mapping';
import { fileSource } from './file.module';
import type { RawRow, RowError } from './file-rows.reader';

/** What a file holds; each kind lands on one canonical entity. */
export type FileImportKind = 'accounts' | 'transactions' | 'usage' | 'surveys';

export const ENTITY_OF_KIND: Record<FileImportKind, EntityName> = {
  accounts: 'account',
  transactions: 'transaction',
  usage: 'transaction',
  // Survey answers (NPS/CSAT with a comment) are notes on the account: the text engine reads their comments.
  surveys: 'activity',
};

/** Logical field → column name, per kind; admins override any entry with their own column names. */
export const DEFAULT_COLUMNS: Record<FileImportKind, Record<string, string>> = {
  accounts: {
    id: 'account_id',
    name: 'name',
    domain: 'domain',
    industry: 'industry',
    country: 'country',
    ownerId: 'owner_id',
    modstamp: 'updated_at',
  },
  transactions: {
    id: 'transaction_id',
    accountId: 'account_id',
    kind: 'kind',
    occurredAt: 'occurred_at',
    amount: 'amount',
    currency: 'currency',
    dueDate: 'due_date',
    paidAt: 'paid_at',
    modstamp: 'updated_at',
  },
  usage: {
    id: 'event_id',
    accountId: 'account_id',
    occurredAt: 'occurred_at',
    metric: 'metric',
    quantity: 'quantity',
    modstamp: 'updated_at',
  },
  surveys: {
    id: 'response_id',
    accountId: 'account_id',
    contactId: 'contact_id',
    occurredAt: 'submitted_at',
    survey: 'survey',
    score: 'score',
    comment: 'comment',
    modstamp: 'updated_at',
  },
};

export interface MapContext {
  tenantId: TenantId;
  file: string;
  kind: FileImportKind;
  columns: Record<string, string>;
  accountMapping: AccountFieldMapping;
  /** Provider of the account ids in the file (`hubspot` when the ids are HubSpot company ids). */
  accountProvider: Provider;
  importedAt: string;
}

export function mapContext(
  base: Omit<MapContext, 'columns' | 'accountMapping'> & {
    columns?: Record<string, string>;
    accountMapping?: AccountMappingOverrides;
  },
): MapContext {
  return {
    ...base,
    columns: { ...DEFAULT_COLUMNS[base.kind], ...(base.columns ?? {}) },
    accountMapping: resolveAccountMapping(fileSource.defaultAccountMapping, base.accountMapping ?? {}),
  };
}

type Mapped<E extends EntityName> = { ok: true; record: CanonicalRecordByEntity[E] } | { ok: false; errors: RowError[] };

class RowProblems {
  readonly errors: RowError[] = [];
  constructor(
    private readonly ctx: MapContext,
    private readonly row: RawRow,
  ) {}
  add(column: string, reason: string): void {
    this.errors.push({ file: this.ctx.file, line: this.row.line, column, reason: `line ${this.row.line}, column "${column}": ${reason}` });
  }
}

/** Maps one row; every problem names the line and the column, and the row is returned as rejected, never dropped. */
export function mapRow(ctx: MapContext, row: RawRow): Mapped<EntityName> {
  const problems = new RowProblems(ctx, row);
  const used = new Set<string>();
  const col = (field: string): string => ctx.columns[field] ?? field;
  const cell = (column: string): string | undefined => {
    used.add(column);
    const v = row.cells[column];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const text = (field: string): string | undefined => cell(col(field));
  const required = (field: string): string | undefined => {
    const v = text(field);
    if (v === undefined) problems.add(col(field), 'is required');
    return v;
  };
  const num = (column: string, scale = 1): number | undefined => {
    const raw = cell(column);
    const n = numberOf(raw, scale);
    if (n !== undefined && !Number.isFinite(n)) {
      problems.add(column, `"${raw}" is not a number`);
      return undefined;
    }
    return n;
  };
  const instant = (column: string): string | undefined => {
    const raw = cell(column);
    const v = dateTimeOf(raw);
    if (raw !== undefined && v === raw && Number.isNaN(Date.parse(raw))) {
      problems.add(column, `"${raw}" is not a date or date-time`);
      return undefined;
    }
    return v;
  };
  const day = (column: string): string | undefined => {
    const raw = cell(column);
    const v = dateOf(raw);
    if (raw !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(v ?? '')) {
      problems.add(column, `"${raw}" is not a date (YYYY-MM-DD)`);
      return undefined;
    }
    return v;
  };
  const accountRef = (): string | undefined => {
    const raw = required('accountId');
    if (raw === undefined) return undefined;
    const [prefix] = raw.split(':', 1);
    // Ids already in canonical form (`hubspot:123`) link straight to CRM accounts.
    if (raw.includes(':') && ProviderSchema.safeParse(prefix).success) return raw;
    return canonicalId(ctx.accountProvider, raw);
  };

  const externalId = required('id');
  const modstamp = instant(col('modstamp')) ?? ctx.importedAt;
  const entity = ENTITY_OF_KIND[ctx.kind];
  let draft: Record<string, unknown> | undefined;

  if (ctx.kind === 'accounts') {
    const m = ctx.accountMapping;
    const status = m.status ? cell(m.status.field)?.toLowerCase() : undefined;
    const churnedAt = m.churnedAt ? instant(m.churnedAt.field) : undefined;
    draft = {
      name: required('name'),
      domain: text('domain'),
      industry: text('industry'),
      country: text('country'),
      ownerId: text('ownerId'),
      arr: m.arr ? num(m.arr.field, m.arr.scale) : undefined,
      currency: m.currency ? cell(m.currency.field)?.toUpperCase() : undefined,
      plan: m.plan ? cell(m.plan.field) : undefined,
      contractType: m.contractType ? contractTypeOf(cell(m.contractType.field)) : undefined,
      renewalDate: m.renewalDate ? day(m.renewalDate.field) : undefined,
      customerSince: m.customerSince ? instant(m.customerSince.field) : undefined,
      seats: m.seats ? num(m.seats.field) : undefined,
      status: status === 'churned' || churnedAt ? 'churned' : status === 'prospect' ? 'prospect' : 'active',
      churnedAt,
    };
    if (status !== undefined && !['active', 'churned', 'prospect'].includes(status))
      problems.add(m.status?.field ?? 'status', `"${status}" is not one of active, churned, prospect`);
  } else if (ctx.kind === 'transactions') {
    const kind = required('kind')?.toLowerCase();
    if (kind !== undefined && !['order', 'invoice', 'payment', 'refund', 'usage'].includes(kind))
      problems.add(col('kind'), `"${kind}" is not one of order, invoice, payment, refund, usage`);
    const amount = num(col('amount'));
    if (amount === undefined && !problems.errors.some((e) => e.column === col('amount'))) problems.add(col('amount'), 'is required');
    draft = {
      accountId: accountRef(),
      kind,
      occurredAt: instant(col('occurredAt')),
      amount,
      currency: text('currency')?.toUpperCase(),
      dueDate: day(col('dueDate')),
      paidAt: instant(col('paidAt')),
    };
    if (draft.occurredAt === undefined && !problems.errors.some((e) => e.column === col('occurredAt')))
      problems.add(col('occurredAt'), 'is required');
  } else if (ctx.kind === 'usage') {
    const quantity = num(col('quantity'));
    if (quantity === undefined && !problems.errors.some((e) => e.column === col('quantity'))) problems.add(col('quantity'), 'is required');
    draft = {
      accountId: accountRef(),
      kind: 'usage',
      occurredAt: instant(col('occurredAt')),
      amount: 0,
      quantity,
      metric: required('metric'),
    };
    if (draft.occurredAt === undefined && !problems.errors.some((e) => e.column === col('occurredAt')))
      problems.add(col('occurredAt'), 'is required');
  } else {
    const survey = required('survey')?.toLowerCase();
    const score = num(col('score'));
    if (survey !== undefined && survey !== 'nps' && survey !== 'csat') problems.add(col('survey'), `"${survey}" is not nps or csat`);
    const range = survey === 'csat' ? [1, 5] : [0, 10];
    if (score === undefined && !problems.errors.some((e) => e.column === col('score'))) problems.add(col('score'), 'is required');
    else if (score !== undefined && (!Number.isInteger(score) || score < (range[0] as number) || score > (range[1] as number)))
      problems.add(col('score'), `${score} is outside ${survey ?? 'nps'} range ${range[0]}–${range[1]}`);
    const comment = text('comment');
    const contact = text('contactId');
    draft = {
      accountId: accountRef(),
      contactId: contact === undefined ? undefined : contact.includes(':') ? contact : canonicalId(ctx.accountProvider, contact),
      type: 'note',
      occurredAt: instant(col('occurredAt')),
      subject: `${(survey ?? 'nps').toUpperCase()} ${score ?? ''}`.trim(),
      body: comment,
      attributes: { survey_kind: survey ?? null, survey_score: score ?? null },
    };
    if (draft.occurredAt === undefined && !problems.errors.some((e) => e.column === col('occurredAt')))
      problems.add(col('occurredAt'), 'is required');
  }
  if (problems.errors.length || externalId === undefined) return { ok: false, errors: problems.errors };

  // Columns we did not map are kept as attributes, so features can use them.
  const attributes: Record<string, string | number | boolean | null> = {
    ...((draft.attributes as Record<string, string | number | null> | undefined) ?? {}),
  };
  for (const extra of ctx.accountMapping.attributes ?? []) used.delete(extra);
  for (const [column, value] of Object.entries(row.cells)) if (!used.has(column) && value !== '') attributes[column] = value;
  const record = {
    ...Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined)),
    attributes,
    id: canonicalId(ctx.kind === 'accounts' ? ctx.accountProvider : 'file', externalId),
    tenantId: ctx.tenantId,
    source: { provider: 'file', externalId: `${ctx.kind}:${externalId}`, modstamp },
  };
  try {
    return { ok: true, record: buildRecord(entity, record as unknown as UnhashedRecord<typeof entity>) };
  } catch (error) {
    if (!isSuccessEngineError(error, 'CORE.VALIDATION_FAILED')) throw error;
    const issues = (error.details.issues ?? []) as ValidationIssue[];
    for (const issue of issues) problems.add(columnOfPath(ctx, issue.path), issue.message);
    return { ok: false, errors: problems.errors };
  }
}

/** The file column behind a canonical field path, so validation errors name what the admin sees. */
function columnOfPath(ctx: MapContext, path: string): string {
  const field = path.split('.')[0] ?? path;
  const mapping = ctx.accountMapping as Record<string, { field: string } | undefined>;
  return ctx.columns[field] ?? mapping[field]?.field ?? field;
}
