/**
 * Where a canonical account field comes from in a CRM. Defaults per CRM; an admin overrides any of
 * them (a custom ARR field, their own renewal date or plan field) without code changes.
 */
export interface SourceField {
  /** CRM property / field API name, or a file column. */
  field: string;
  /** Multiply numeric values (e.g. 12 to turn monthly revenue into ARR). */
  scale?: number;
}

export interface AccountFieldMapping {
  arr?: SourceField;
  renewalDate?: SourceField;
  plan?: SourceField;
  contractType?: SourceField;
  customerSince?: SourceField;
  status?: SourceField;
  churnedAt?: SourceField;
  seats?: SourceField;
  currency?: SourceField;
  /** Extra CRM fields copied into `attributes` for features. */
  attributes?: readonly string[];
}

/** An admin's overrides of a source's default account mapping; `null` drops a default. */
export type AccountMappingOverrides = { [K in keyof AccountFieldMapping]?: AccountFieldMapping[K] | null };

/** A source's defaults with an admin's overrides on top. */
export function resolveAccountMapping(defaults: AccountFieldMapping, overrides: AccountMappingOverrides = {}): AccountFieldMapping {
  const out: AccountFieldMapping = { ...defaults };
  for (const [key, value] of Object.entries(overrides) as [keyof AccountFieldMapping, unknown][]) {
    if (value === null) delete out[key];
    else if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** The CRM fields a mapping reads, for building property lists and SOQL. */
export function mappedFields(mapping: AccountFieldMapping): string[] {
  const fields = new Set<string>();
  for (const [key, value] of Object.entries(mapping)) {
    if (key === 'attributes') for (const a of value as string[]) fields.add(a);
    else if (value && typeof value === 'object' && 'field' in value) fields.add((value as SourceField).field);
  }
  return [...fields];
}

const CONTRACT_WORDS: [RegExp, 'month-to-month' | 'one-year' | 'two-year'][] = [
  [/month/i, 'month-to-month'],
  [/(one|1)[ -]?year|annual/i, 'one-year'],
  [/(two|2)[ -]?year/i, 'two-year'],
];

/** Contract wording varies by CRM and admin; map the common spellings, the rest is `other`. */
export function contractTypeOf(raw: string | null | undefined): 'month-to-month' | 'one-year' | 'two-year' | 'other' | undefined {
  if (raw === null || raw === undefined || raw.trim() === '') return undefined;
  for (const [re, value] of CONTRACT_WORDS) if (re.test(raw)) return value;
  return 'other';
}

/** Numbers from CRM strings; undefined for blanks, NaN stays NaN so the caller can reject it. */
export function numberOf(raw: string | number | null | undefined, scale = 1): number | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'number') return raw * scale;
  const t = raw.trim();
  if (t === '') return undefined;
  return Number(t) * scale;
}

/** `YYYY-MM-DD` from a date or datetime string, or undefined. */
export function dateOf(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const t = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return t;
  if (/^\d+$/.test(t)) return new Date(Number(t)).toISOString().slice(0, 10);
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString().slice(0, 10);
}

/** ISO instant from a date, datetime or epoch-ms string, or undefined; unparseable text is returned for the validator to reject. */
export function dateTimeOf(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  const t = raw.trim();
  if (t === '') return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) return `${t}T00:00:00.000Z`;
  if (/^\d+$/.test(t)) return new Date(Number(t)).toISOString();
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}
