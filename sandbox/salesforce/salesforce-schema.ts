/** Describe metadata for the sandbox org: standard objects the product reads, their fields, custom fields. */
export type SfFieldType = 'id' | 'string' | 'textarea' | 'double' | 'currency' | 'percent' | 'int' | 'boolean' | 'date' | 'datetime' | 'picklist' | 'multipicklist' | 'reference' | 'email' | 'phone' | 'url';

export interface SfField {
  name: string;
  label: string;
  type: SfFieldType;
  custom: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  length: number;
  precision: number;
  scale: number;
  referenceTo: string[];
  relationshipName: string | null;
  picklistValues: { active: boolean; defaultValue: boolean; label: string; value: string }[];
}

export interface SfObjectSchema {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  /** Lower-cased field name → field. */
  fields: Map<string, SfField>;
}

type Spec = [name: string, type: SfFieldType, extra?: Partial<SfField>];

const SYSTEM: Spec[] = [
  ['Id', 'id', { createable: false, updateable: false, nillable: false }],
  ['IsDeleted', 'boolean', { createable: false, updateable: false, nillable: false }],
  ['CreatedDate', 'datetime', { createable: false, updateable: false, nillable: false }],
  ['LastModifiedDate', 'datetime', { createable: false, updateable: false, nillable: false }],
  ['SystemModstamp', 'datetime', { createable: false, updateable: false, nillable: false }],
];
const ref = (to: string, relationshipName: string): Partial<SfField> => ({ referenceTo: [to], relationshipName });
const pick = (...values: string[]): Partial<SfField> => ({ picklistValues: values.map((v) => ({ active: true, defaultValue: false, label: v, value: v })) });

const OBJECTS: [name: string, label: string, plural: string, prefix: string, fields: Spec[]][] = [
  ['User', 'User', 'Users', '005', [['Name', 'string', { createable: false, updateable: false }], ['FirstName', 'string'], ['LastName', 'string'], ['Email', 'email'], ['Username', 'string'], ['IsActive', 'boolean']]],
  ['Account', 'Account', 'Accounts', '001', [
    ['Name', 'string', { nillable: false }], ['Website', 'url'], ['Industry', 'picklist'], ['BillingCountry', 'string'], ['Type', 'picklist', pick('Prospect', 'Customer - Direct', 'Customer - Channel', 'Other')],
    ['AnnualRevenue', 'currency'], ['OwnerId', 'reference', ref('User', 'Owner')],
    ['Telco_Customer_Id__c', 'string', { custom: true }], ['Contract_Type__c', 'picklist', { custom: true, ...pick('Month-to-month', 'One year', 'Two year') }], ['Tenure_Months__c', 'double', { custom: true }],
    ['Monthly_Revenue__c', 'currency', { custom: true }], ['Total_Revenue__c', 'currency', { custom: true }], ['Internet_Service__c', 'picklist', { custom: true, ...pick('DSL', 'Fiber optic', 'No') }],
    ['Services__c', 'multipicklist', { custom: true }], ['Payment_Method__c', 'picklist', { custom: true }], ['Paperless_Billing__c', 'boolean', { custom: true, nillable: false }],
    ['Customer_Since__c', 'datetime', { custom: true }], ['Renewal_Date__c', 'date', { custom: true }], ['Account_Status__c', 'picklist', { custom: true, ...pick('active', 'churned') }], ['Churned_At__c', 'datetime', { custom: true }], ['Language__c', 'picklist', { custom: true, ...pick('en', 'zh') }],
  ]],
  ['Contact', 'Contact', 'Contacts', '003', [['AccountId', 'reference', ref('Account', 'Account')], ['FirstName', 'string'], ['LastName', 'string', { nillable: false }], ['Name', 'string', { createable: false, updateable: false }], ['Email', 'email'], ['Phone', 'phone'], ['Title', 'string'], ['OwnerId', 'reference', ref('User', 'Owner')], ['Primary_Contact__c', 'boolean', { custom: true, nillable: false }], ['Language__c', 'picklist', { custom: true }]]],
  ['Opportunity', 'Opportunity', 'Opportunities', '006', [['AccountId', 'reference', ref('Account', 'Account')], ['Name', 'string', { nillable: false }], ['StageName', 'picklist', pick('Qualification', 'Proposal/Price Quote', 'Closed Won', 'Closed Lost')], ['Amount', 'currency'], ['CloseDate', 'date', { nillable: false }], ['IsClosed', 'boolean', { createable: false, updateable: false }], ['IsWon', 'boolean', { createable: false, updateable: false }], ['Type', 'picklist', pick('New Business', 'Existing Customer - Renewal')], ['OwnerId', 'reference', ref('User', 'Owner')]]],
  ['Case', 'Case', 'Cases', '500', [['AccountId', 'reference', ref('Account', 'Account')], ['ContactId', 'reference', ref('Contact', 'Contact')], ['Subject', 'string'], ['Description', 'textarea'], ['Status', 'picklist', pick('New', 'Working', 'Escalated', 'Closed')], ['Priority', 'picklist', pick('Low', 'Medium', 'High')], ['IsClosed', 'boolean', { createable: false, updateable: false }], ['ClosedDate', 'datetime', { createable: false, updateable: false }], ['Origin', 'picklist'], ['Type', 'picklist'], ['Language__c', 'picklist', { custom: true }]]],
  ['Task', 'Task', 'Tasks', '00T', [['WhatId', 'reference', ref('Account', 'What')], ['WhoId', 'reference', ref('Contact', 'Who')], ['AccountId', 'reference', { ...ref('Account', 'Account'), createable: false, updateable: false }], ['Subject', 'string'], ['Description', 'textarea'], ['ActivityDate', 'date'], ['Status', 'picklist', pick('Not Started', 'In Progress', 'Completed')], ['Priority', 'picklist', pick('High', 'Normal', 'Low')], ['TaskSubtype', 'picklist', pick('Task', 'Email', 'Call')], ['Type', 'picklist'], ['CallType', 'picklist', pick('Inbound', 'Outbound')], ['OwnerId', 'reference', ref('User', 'Owner')]]],
  ['Event', 'Event', 'Events', '00U', [['WhatId', 'reference', ref('Account', 'What')], ['WhoId', 'reference', ref('Contact', 'Who')], ['AccountId', 'reference', { ...ref('Account', 'Account'), createable: false, updateable: false }], ['Subject', 'string'], ['Description', 'textarea'], ['StartDateTime', 'datetime'], ['EndDateTime', 'datetime'], ['ActivityDateTime', 'datetime'], ['OwnerId', 'reference', ref('User', 'Owner')]]],
  ['Invoice__c', 'Invoice', 'Invoices', 'a01', [['Name', 'string'], ['Account__c', 'reference', { custom: true, ...ref('Account', 'Account__r') }], ['Invoice_Date__c', 'datetime', { custom: true }], ['Due_Date__c', 'date', { custom: true }], ['Amount__c', 'currency', { custom: true }], ['Paid_At__c', 'datetime', { custom: true }], ['Status__c', 'picklist', { custom: true, ...pick('open', 'paid') }], ['CurrencyIsoCode', 'picklist']]],
];

export function makeField(name: string, type: SfFieldType, extra: Partial<SfField> = {}): SfField {
  return {
    name,
    label: name.replace(/__c$/, '').replace(/_/g, ' '),
    type,
    custom: name.endsWith('__c'),
    nillable: true,
    createable: true,
    updateable: true,
    length: type === 'string' || type === 'picklist' || type === 'email' || type === 'phone' || type === 'url' ? 255 : type === 'textarea' ? 32000 : type === 'id' || type === 'reference' ? 18 : 0,
    precision: type === 'currency' || type === 'double' || type === 'percent' ? 18 : 0,
    scale: type === 'currency' ? 2 : 0,
    referenceTo: [],
    relationshipName: null,
    picklistValues: [],
    ...extra,
  };
}

export function buildSchema(): Map<string, SfObjectSchema> {
  const out = new Map<string, SfObjectSchema>();
  for (const [name, label, labelPlural, keyPrefix, specs] of OBJECTS) {
    const fields = new Map<string, SfField>();
    for (const [fname, type, extra] of [...SYSTEM, ...specs]) fields.set(fname.toLowerCase(), makeField(fname, type, extra));
    out.set(name.toLowerCase(), { name, label, labelPlural, keyPrefix, custom: name.endsWith('__c'), fields });
  }
  return out;
}

/**
 * The fields the Success Engine package installs (namespaced in a customer org). The Account names
 * mirror `manifests/field-map.ts` (the sandbox may not import it; a contract test checks they agree);
 * types follow its kind → CustomField type (Number → double, Picklist, Text → string,
 * LongTextArea → textarea, DateTime → datetime).
 */
export const PACKAGE_FIELDS: [string, SfFieldType][] = [
  ['SE_Churn_Probability__c', 'double'],
  ['SE_Risk_Band__c', 'picklist'],
  ['SE_Top_Drivers_EN__c', 'textarea'],
  ['SE_Top_Drivers_ZH__c', 'textarea'],
  ['SE_CLV_P50__c', 'double'],
  ['SE_CLV_P10__c', 'double'],
  ['SE_CLV_P90__c', 'double'],
  ['SE_CLV_Currency__c', 'string'],
  ['SE_Next_Best_Action__c', 'string'],
  ['SE_Model_Version__c', 'string'],
  ['SE_Scored_At__c', 'datetime'],
];

/** The package's field on Task (activity custom field) holding the idempotency key of a task we created. */
export const PACKAGE_TASK_FIELDS: [string, SfFieldType][] = [['SE_Action_Key__c', 'string']];

const CHECKSUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A well-formed 18-character Salesforce id (15-char id plus its case-safe checksum). */
export function salesforceId(prefix: string, n: number): string {
  let body = '';
  let v = n;
  for (let i = 0; i < 9; i++) {
    body = BASE62[v % 62] + body;
    v = Math.floor(v / 62);
  }
  const id15 = `${prefix}8d0${body}`;
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i] as string;
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM[bits];
  }
  return id15 + suffix;
}
