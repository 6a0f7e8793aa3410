import type { AccountFieldMapping } from '../shared/field-mapping';

// Only annualrevenue is a HubSpot default property; the rest are a customised portal's and read when present.
export const HUBSPOT_ACCOUNT_MAPPING: AccountFieldMapping = {
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
};
