import type { SourceModule } from '../shared/crm-module';

/** CSV/usage file imports: no OAuth, no write-back; their account columns are mapped like a CRM's fields. */
export const fileSource: SourceModule = {
  provider: 'file',
  label: 'File import',
  defaultAccountMapping: {
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
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a column name must not hold
  fieldName: { pattern: /^[^\u0000-\u001f,]{1,120}$/, rule: 'a file column name (1–120 characters, no commas or control characters)' },
};
