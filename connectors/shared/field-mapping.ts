import type { Provider } from '../../core';

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

export const DEFAULT_ACCOUNT_MAPPINGS: Record<Provider, AccountFieldMapping> = {
  // Only annualrevenue is a HubSpot default property; the rest are a customised portal's and read when present.
  hubspot: {
    arr: { field: 'annualrevenue' },
    renewalDate: { field: 'renewal_date' },
    plan: { field: 'internet_service' },
    contractType: { field: 'contract_type' },
    customerSince: { field: 'customer_since' },
    status: { field: 'account_status' },
    churnedAt: { field: 'churned_at' },
    attributes: [
      'tenure_months',
      'total_revenue',
      'payment_method',
      'paperless_billing',
      'senior_citizen',
      'partner',
      'dependents',
      'services',
      'hs_language',
      'telco_customer_id',
    ],
  },
  salesforce: {
    arr: { field: 'AnnualRevenue' },
    renewalDate: { field: 'Renewal_Date__c' },
    plan: { field: 'Internet_Service__c' },
    contractType: { field: 'Contract_Type__c' },
    customerSince: { field: 'Customer_Since__c' },
    status: { field: 'Account_Status__c' },
    churnedAt: { field: 'Churned_At__c' },
    // Only in multi-currency orgs; the connector reads it when describe shows it.
    currency: { field: 'CurrencyIsoCode' },
    attributes: [
      'Tenure_Months__c',
      'Total_Revenue__c',
      'Monthly_Revenue__c',
      'Payment_Method__c',
      'Paperless_Billing__c',
      'Language__c',
      'Telco_Customer_Id__c',
    ],
  },
  file: {
    arr: { field: 'arr' },
    renewalDate: { field: 'renewal_date' },
    plan: { field: 'plan' },
    contractType: { field: 'contract_type' },
    customerSince: { field: 'customer_since' },
    status: { field: 'status' },
    churnedAt: { field: 'churned_at' },
    seats: { field: 'seats' },
    currency: { field: 'currency' },
  },
};

/** The defaults for a CRM with an admin's overrides on top (an override of `null` drops a default). */
export function resolveAccountMapping(
  provider: Provider,
  overrides: { [K in keyof AccountFieldMapping]?: AccountFieldMapping[K] | null } = {},
): AccountFieldMapping {
  const out: AccountFieldMapping = { ...DEFAULT_ACCOUNT_MAPPINGS[provider] };
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
