import { buildRecord, canonicalId, isSuccessEngineError, type CanonicalAccount, type TenantId, type ValidationIssue } from '../../core';
import { contractTypeOf, dateOf, dateTimeOf, numberOf, type AccountFieldMapping } from '../shared/field-mapping';

export type SfRow = Record<string, unknown> & { Id: string; SystemModstamp: string; IsDeleted?: boolean };

const text = (v: unknown): string | undefined =>
  v === null || v === undefined || v === ''
    ? undefined
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : undefined;

export type AccountOutcome = { ok: true; record: CanonicalAccount } | { ok: false; externalId: string; field: string; reason: string };

/** Account row → canonical account; failures name the Salesforce field at fault. */
export function mapSalesforceAccount(row: SfRow, ctx: { tenantId: TenantId; mapping: AccountFieldMapping }): AccountOutcome {
  const m = ctx.mapping;
  const get = (f: { field: string } | undefined): string | undefined => (f ? text(row[f.field]) : undefined);
  const status = get(m.status)?.toLowerCase();
  const churnedAt = dateTimeOf(get(m.churnedAt));
  const attributes: Record<string, string | number | boolean> = {};
  for (const a of m.attributes ?? []) {
    const v = row[a];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') attributes[a] = v;
  }
  const website = text(row.Website);
  const draft: Record<string, unknown> = {
    id: canonicalId('salesforce', row.Id),
    tenantId: ctx.tenantId,
    source: { provider: 'salesforce', externalId: row.Id, modstamp: dateTimeOf(row.SystemModstamp) },
    name: text(row.Name) ?? '',
    domain: website?.replace(/^https?:\/\//, '').replace(/\/.*$/, ''),
    industry: text(row.Industry),
    country: text(row.BillingCountry),
    ownerId: text(row.OwnerId),
    arr: m.arr ? numberOf(get(m.arr), m.arr.scale) : undefined,
    currency: m.currency ? get(m.currency)?.toUpperCase() : undefined,
    plan: get(m.plan),
    contractType: contractTypeOf(get(m.contractType)),
    renewalDate: dateOf(get(m.renewalDate)),
    customerSince: dateTimeOf(get(m.customerSince)),
    seats: m.seats ? numberOf(get(m.seats)) : undefined,
    status: status === 'churned' || churnedAt ? 'churned' : status === 'prospect' ? 'prospect' : 'active',
    churnedAt,
    attributes,
  };
  try {
    return {
      ok: true,
      record: buildRecord(
        'account',
        Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined)) as Parameters<typeof buildRecord<'account'>>[1],
      ),
    };
  } catch (error) {
    if (!isSuccessEngineError(error, 'CORE.VALIDATION_FAILED')) throw error;
    const issue = ((error.details.issues ?? []) as ValidationIssue[])[0];
    const key = issue?.path.split('.')[0] ?? '';
    const field =
      (m as Record<string, { field: string } | undefined>)[key]?.field ??
      ({ name: 'Name', domain: 'Website' } as Record<string, string>)[key] ??
      issue?.path ??
      '(record)';
    return { ok: false, externalId: row.Id, field, reason: `Account ${row.Id}: ${field}: ${issue?.message ?? error.message}` };
  }
}
