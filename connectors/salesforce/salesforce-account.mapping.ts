import type { AccountFieldMapping } from '../shared/field-mapping';

/** API version we ask for; jsforce defaults to 50.0, so we always pass one. */
export const DEFAULT_SALESFORCE_API_VERSION = '62.0';

// AnnualRevenue is standard; the __c fields are a customised org's and read when describe shows them.
export const SALESFORCE_ACCOUNT_MAPPING: AccountFieldMapping = {
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
};
