/**
 * Describe metadata for the sandbox org, from Salesforce's published schema:
 * - Object Reference for the Salesforce Platform, one page per object
 *   (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_<object>.htm)
 * - Field Reference with types and lengths
 *   (https://developer.salesforce.com/docs/platform/field-reference/references/field-reference/salesforce-field-reference-<object>.html)
 * - Field properties (nillable, createable, defaultedOnCreate, restrictedPicklist, soapType):
 *   https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm#field
 * Two org profiles: `vanilla` (the standard schema only, single currency) and `customised` (the
 * Telco custom fields, an Invoice__c object and multi-currency, as a customer's org could have).
 */
export type SfFieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'double'
  | 'currency'
  | 'percent'
  | 'int'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'multipicklist'
  | 'reference'
  | 'email'
  | 'phone'
  | 'url';
export type SfOrgProfile = 'vanilla' | 'customised';

export interface SfField {
  name: string;
  label: string;
  type: SfFieldType;
  custom: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  /** Set by the system when a create leaves it out (OwnerId, Status…); required otherwise when not nillable. */
  defaultedOnCreate: boolean;
  length: number;
  precision: number;
  scale: number;
  referenceTo: string[];
  relationshipName: string | null;
  picklistValues: { active: boolean; defaultValue: boolean; label: string; value: string }[];
  restrictedPicklist: boolean;
  externalId: boolean;
  unique: boolean;
  /**
   * Field-level security comes from a permission set rather than the profile: true for fields
   * created through the Tooling/Metadata API or a package, which no one can see until a
   * permission set grants them (Salesforce Help "Field-Level Security").
   */
  secured: boolean;
  /** An Auto Number name field's display format, e.g. `{00000000}` (read-only, set on insert). */
  autoNumberFormat?: string;
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

const RO: Partial<SfField> = { createable: false, updateable: false };
const REQUIRED: Partial<SfField> = { nillable: false };
const DEFAULTED: Partial<SfField> = { nillable: false, defaultedOnCreate: true };
const len = (length: number): Partial<SfField> => ({ length });
const ref = (to: string | string[], relationshipName: string): Partial<SfField> => ({
  referenceTo: Array.isArray(to) ? to : [to],
  relationshipName,
});
const pick = (...values: string[]): Partial<SfField> => ({
  picklistValues: values.map((v) => ({ active: true, defaultValue: false, label: v, value: v })),
});
const restricted = (...values: string[]): Partial<SfField> => ({ ...pick(...values), restrictedPicklist: true });
const withDefault = (p: Partial<SfField>, value: string): Partial<SfField> => ({
  ...p,
  picklistValues: (p.picklistValues ?? []).map((v) => ({ ...v, defaultValue: v.value === value })),
});

/** System fields on every object (Object Reference, "System Fields"). */
const SYSTEM: Spec[] = [
  ['Id', 'id', { ...RO, nillable: false, defaultedOnCreate: true }],
  ['IsDeleted', 'boolean', { ...RO, nillable: false, defaultedOnCreate: true }],
  ['CreatedDate', 'datetime', { ...RO, nillable: false, defaultedOnCreate: true }],
  ['CreatedById', 'reference', { ...RO, ...ref('User', 'CreatedBy'), nillable: false, defaultedOnCreate: true }],
  ['LastModifiedDate', 'datetime', { ...RO, nillable: false, defaultedOnCreate: true }],
  ['LastModifiedById', 'reference', { ...RO, ...ref('User', 'LastModifiedBy'), nillable: false, defaultedOnCreate: true }],
  ['SystemModstamp', 'datetime', { ...RO, nillable: false, defaultedOnCreate: true }],
];
const OWNER: Spec = ['OwnerId', 'reference', { ...ref('User', 'Owner'), ...DEFAULTED }];

// Standard picklist values as shipped in a new org (Object Reference, each field's "Possible values").
const INDUSTRY = pick(
  'Agriculture',
  'Apparel',
  'Banking',
  'Biotechnology',
  'Chemicals',
  'Communications',
  'Construction',
  'Consulting',
  'Education',
  'Electronics',
  'Energy',
  'Engineering',
  'Entertainment',
  'Environmental',
  'Finance',
  'Food & Beverage',
  'Government',
  'Healthcare',
  'Hospitality',
  'Insurance',
  'Machinery',
  'Manufacturing',
  'Media',
  'Not For Profit',
  'Other',
  'Recreation',
  'Retail',
  'Shipping',
  'Technology',
  'Telecommunications',
  'Transportation',
  'Utilities',
);
const STAGES = restricted(
  'Prospecting',
  'Qualification',
  'Needs Analysis',
  'Value Proposition',
  'Id. Decision Makers',
  'Perception Analysis',
  'Proposal/Price Quote',
  'Negotiation/Review',
  'Closed Won',
  'Closed Lost',
);
/** Task/Event `What` is polymorphic: any object with activities enabled (Object Reference, Task.WhatId). */
const WHAT_TARGETS = ['Account', 'Opportunity', 'Case'];

type ObjectSpec = [name: string, label: string, plural: string, prefix: string, fields: Spec[]];

const STANDARD: ObjectSpec[] = [
  // sforce_api_objects_user.htm
  [
    'User',
    'User',
    'Users',
    '005',
    [
      ['Username', 'string', { ...REQUIRED, ...len(80), unique: true }],
      ['LastName', 'string', { ...REQUIRED, ...len(80) }],
      ['FirstName', 'string', len(40)],
      ['Name', 'string', { ...RO, ...len(121) }],
      ['Email', 'email', { ...REQUIRED, ...len(128) }],
      ['Alias', 'string', { ...DEFAULTED, ...len(8) }],
      ['IsActive', 'boolean', DEFAULTED],
      ['TimeZoneSidKey', 'picklist', { ...DEFAULTED, ...len(40) }],
      ['LanguageLocaleKey', 'picklist', { ...DEFAULTED, ...len(40) }],
      ['ProfileId', 'reference', { ...ref('Profile', 'Profile'), ...DEFAULTED }],
    ],
  ],
  // sforce_api_objects_account.htm
  [
    'Account',
    'Account',
    'Accounts',
    '001',
    [
      ['Name', 'string', { ...REQUIRED, ...len(255) }],
      ['AccountNumber', 'string', len(40)],
      [
        'Type',
        'picklist',
        pick(
          'Prospect',
          'Customer - Direct',
          'Customer - Channel',
          'Channel Partner / Reseller',
          'Installation Partner',
          'Technology Partner',
          'Other',
        ),
      ],
      ['Industry', 'picklist', INDUSTRY],
      ['AnnualRevenue', 'currency', { precision: 18, scale: 0 }],
      ['NumberOfEmployees', 'int', { precision: 8 }],
      ['Website', 'url', len(255)],
      ['Phone', 'phone', len(40)],
      ['BillingStreet', 'textarea', len(255)],
      ['BillingCity', 'string', len(40)],
      ['BillingState', 'string', len(80)],
      ['BillingPostalCode', 'string', len(20)],
      ['BillingCountry', 'string', len(80)],
      ['ShippingStreet', 'textarea', len(255)],
      ['ShippingCity', 'string', len(40)],
      ['ShippingState', 'string', len(80)],
      ['ShippingPostalCode', 'string', len(20)],
      ['ShippingCountry', 'string', len(80)],
      ['Fax', 'phone', len(40)],
      ['Sic', 'string', len(20)],
      ['SicDesc', 'string', len(80)],
      ['Site', 'string', len(80)],
      ['TickerSymbol', 'string', len(20)],
      ['Ownership', 'picklist', pick('Public', 'Private', 'Subsidiary', 'Other')],
      ['Rating', 'picklist', pick('Hot', 'Warm', 'Cold')],
      ['Jigsaw', 'string', len(20)],
      ['JigsawCompanyId', 'string', { ...RO, ...len(20) }],
      ['Description', 'textarea', len(32000)],
      ['AccountSource', 'picklist', pick('Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other')],
      ['ParentId', 'reference', ref('Account', 'Parent')],
      OWNER,
    ],
  ],
  // sforce_api_objects_contact.htm
  [
    'Contact',
    'Contact',
    'Contacts',
    '003',
    [
      ['AccountId', 'reference', ref('Account', 'Account')],
      ['FirstName', 'string', len(40)],
      ['LastName', 'string', { ...REQUIRED, ...len(80) }],
      ['Name', 'string', { ...RO, ...len(121) }],
      ['Salutation', 'picklist', pick('Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.')],
      ['Email', 'email', len(80)],
      ['Phone', 'phone', len(40)],
      ['MobilePhone', 'phone', len(40)],
      ['Title', 'string', len(128)],
      ['Department', 'string', len(80)],
      ['LeadSource', 'picklist', pick('Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other')],
      ['Description', 'textarea', len(32000)],
      ['HasOptedOutOfEmail', 'boolean', DEFAULTED],
      OWNER,
    ],
  ],
  // sforce_api_objects_opportunity.htm
  [
    'Opportunity',
    'Opportunity',
    'Opportunities',
    '006',
    [
      ['AccountId', 'reference', ref('Account', 'Account')],
      ['Name', 'string', { ...REQUIRED, ...len(120) }],
      ['StageName', 'picklist', { ...REQUIRED, ...STAGES }],
      ['Amount', 'currency', { precision: 18, scale: 2 }],
      ['Probability', 'percent', { precision: 3, scale: 0 }],
      ['CloseDate', 'date', REQUIRED],
      ['IsClosed', 'boolean', { ...RO, ...DEFAULTED }],
      ['IsWon', 'boolean', { ...RO, ...DEFAULTED }],
      [
        'Type',
        'picklist',
        pick(
          'Existing Customer - Upgrade',
          'Existing Customer - Replacement',
          'Existing Customer - Downgrade',
          'New Customer',
          'New Business',
          'Existing Customer - Renewal',
        ),
      ],
      ['LeadSource', 'picklist', pick('Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other')],
      ['NextStep', 'string', len(255)],
      ['Description', 'textarea', len(32000)],
      ['ForecastCategoryName', 'picklist', { ...DEFAULTED, ...restricted('Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed') }],
      OWNER,
    ],
  ],
  // sforce_api_objects_case.htm
  [
    'Case',
    'Case',
    'Cases',
    '500',
    [
      ['CaseNumber', 'string', { ...RO, ...DEFAULTED, ...len(30) }],
      ['AccountId', 'reference', ref('Account', 'Account')],
      ['ContactId', 'reference', ref('Contact', 'Contact')],
      ['Subject', 'string', len(255)],
      ['Description', 'textarea', len(32000)],
      ['Status', 'picklist', { ...DEFAULTED, ...withDefault(restricted('New', 'Working', 'Escalated', 'Closed'), 'New') }],
      ['Priority', 'picklist', { ...DEFAULTED, ...withDefault(restricted('High', 'Medium', 'Low'), 'Medium') }],
      ['IsClosed', 'boolean', { ...RO, ...DEFAULTED }],
      ['ClosedDate', 'datetime', RO],
      ['Origin', 'picklist', pick('Phone', 'Email', 'Web')],
      ['Type', 'picklist', pick('Mechanical', 'Electrical', 'Electronic', 'Structural', 'Other')],
      [
        'Reason',
        'picklist',
        pick('Installation', 'Equipment Complexity', 'Performance', 'Breakdown', 'Equipment Design', 'Feedback', 'Other'),
      ],
      OWNER,
    ],
  ],
  // sforce_api_objects_task.htm
  [
    'Task',
    'Task',
    'Tasks',
    '00T',
    [
      ['WhatId', 'reference', ref(WHAT_TARGETS, 'What')],
      ['WhoId', 'reference', ref('Contact', 'Who')],
      ['AccountId', 'reference', { ...ref('Account', 'Account'), ...RO }],
      ['Subject', 'string', len(255)],
      ['Description', 'textarea', len(32000)],
      ['ActivityDate', 'date'],
      [
        'Status',
        'picklist',
        {
          ...DEFAULTED,
          ...withDefault(restricted('Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'), 'Not Started'),
        },
      ],
      ['Priority', 'picklist', { ...DEFAULTED, ...withDefault(restricted('High', 'Normal', 'Low'), 'Normal') }],
      ['IsClosed', 'boolean', { ...RO, ...DEFAULTED }],
      ['TaskSubtype', 'picklist', { ...restricted('Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'), updateable: false }],
      ['Type', 'picklist', pick('Call', 'Email', 'Meeting', 'Other', 'Note')],
      ['CallType', 'picklist', restricted('Internal', 'Inbound', 'Outbound')],
      ['CallDurationInSeconds', 'int'],
      OWNER,
    ],
  ],
  // sforce_api_objects_event.htm
  [
    'Event',
    'Event',
    'Events',
    '00U',
    [
      ['WhatId', 'reference', ref(WHAT_TARGETS, 'What')],
      ['WhoId', 'reference', ref('Contact', 'Who')],
      ['AccountId', 'reference', { ...ref('Account', 'Account'), ...RO }],
      ['Subject', 'string', len(255)],
      ['Description', 'textarea', len(32000)],
      ['StartDateTime', 'datetime'],
      ['EndDateTime', 'datetime'],
      ['ActivityDateTime', 'datetime'],
      ['ActivityDate', 'date'],
      ['DurationInMinutes', 'int'],
      ['IsAllDayEvent', 'boolean', DEFAULTED],
      ['Location', 'string', len(255)],
      OWNER,
    ],
  ],
  // sforce_api_objects_organization.htm (read-only through the API)
  [
    'Organization',
    'Organization',
    'Organizations',
    '00D',
    [
      ['Name', 'string', { ...RO, ...len(80) }],
      ['OrganizationType', 'picklist', RO],
      ['IsSandbox', 'boolean', RO],
      ['DefaultLocaleSidKey', 'picklist', RO],
      ['LanguageLocaleKey', 'picklist', RO],
      ['TimeZoneSidKey', 'picklist', RO],
      ['InstanceName', 'string', { ...RO, ...len(5) }],
    ],
  ],
  // sforce_api_objects_profile.htm (only what User.ProfileId points at)
  ['Profile', 'Profile', 'Profiles', '00e', [['Name', 'string', { ...REQUIRED, ...len(255) }]]],
  // sforce_api_objects_permissionset.htm
  [
    'PermissionSet',
    'Permission Set',
    'Permission Sets',
    '0PS',
    [
      ['Name', 'string', { ...REQUIRED, ...len(80) }],
      ['Label', 'string', { ...REQUIRED, ...len(80) }],
      ['NamespacePrefix', 'string', { ...RO, ...len(15) }],
      ['Description', 'textarea', len(255)],
      ['IsOwnedByProfile', 'boolean', { ...RO, ...DEFAULTED }],
    ],
  ],
  // sforce_api_objects_permissionsetassignment.htm (create and delete only)
  [
    'PermissionSetAssignment',
    'Permission Set Assignment',
    'Permission Set Assignments',
    '0Pa',
    [
      ['AssigneeId', 'reference', { ...ref('User', 'Assignee'), ...REQUIRED, updateable: false }],
      ['PermissionSetId', 'reference', { ...ref('PermissionSet', 'PermissionSet'), ...REQUIRED, updateable: false }],
    ],
  ],
  // sforce_api_objects_fieldpermissions.htm
  [
    'FieldPermissions',
    'Field Permissions',
    'Field Permissions',
    '01k',
    [
      ['ParentId', 'reference', { ...ref('PermissionSet', 'Parent'), ...REQUIRED, updateable: false }],
      ['SobjectType', 'picklist', { ...REQUIRED, updateable: false }],
      ['Field', 'picklist', { ...REQUIRED, updateable: false }],
      ['PermissionsRead', 'boolean', DEFAULTED],
      ['PermissionsEdit', 'boolean', DEFAULTED],
    ],
  ],
];

/** The customer's own customisation (the `customised` profile): custom fields and an invoice object. */
const CUSTOM_FIELDS: [object: string, fields: Spec[]][] = [
  [
    'Account',
    [
      ['Telco_Customer_Id__c', 'string', { ...len(40), externalId: true, unique: true }],
      ['Contract_Type__c', 'picklist', restricted('Month-to-month', 'One year', 'Two year')],
      ['Tenure_Months__c', 'double', { precision: 18, scale: 0 }],
      ['Monthly_Revenue__c', 'currency'],
      ['Total_Revenue__c', 'currency'],
      ['Internet_Service__c', 'picklist', restricted('DSL', 'Fiber optic', 'No')],
      ['Services__c', 'multipicklist', len(4099)],
      ['Payment_Method__c', 'picklist'],
      ['Paperless_Billing__c', 'boolean', DEFAULTED],
      ['Customer_Since__c', 'datetime'],
      ['Renewal_Date__c', 'date'],
      ['Account_Status__c', 'picklist', restricted('active', 'churned')],
      ['Churned_At__c', 'datetime'],
      ['Language__c', 'picklist', restricted('en', 'zh')],
    ],
  ],
  [
    'Contact',
    [
      ['Primary_Contact__c', 'boolean', DEFAULTED],
      ['Language__c', 'picklist', restricted('en', 'zh')],
    ],
  ],
  ['Case', [['Language__c', 'picklist', restricted('en', 'zh')]]],
];
const CUSTOM_OBJECTS: ObjectSpec[] = [
  [
    'Invoice__c',
    'Invoice',
    'Invoices',
    'a01',
    [
      ['Name', 'string', { ...REQUIRED, ...len(80) }],
      ['Account__c', 'reference', ref('Account', 'Account__r')],
      ['Invoice_Date__c', 'datetime'],
      ['Due_Date__c', 'date'],
      ['Amount__c', 'currency'],
      ['Paid_At__c', 'datetime'],
      ['Status__c', 'picklist', restricted('open', 'paid')],
      OWNER,
    ],
  ],
  // Multi-currency orgs expose their currencies here (sforce_api_objects_currencytype.htm).
  [
    'CurrencyType',
    'Currency Type',
    'Currency Types',
    '01L',
    [
      ['IsoCode', 'picklist', { ...REQUIRED, updateable: false }],
      ['ConversionRate', 'double', { ...REQUIRED, precision: 18, scale: 6 }],
      ['DecimalPlaces', 'int', DEFAULTED],
      ['IsActive', 'boolean', DEFAULTED],
      ['IsCorporate', 'boolean', { ...RO, ...DEFAULTED }],
    ],
  ],
];
/**
 * A custom object as the Metadata API deploys it (CustomObject: nameField Text or AutoNumber, and
 * CustomField types; https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/customobject.htm).
 */
export interface SfCustomObjectDefinition {
  name: string;
  label: string;
  pluralLabel: string;
  nameField: { type: 'Text' | 'AutoNumber'; label: string; displayFormat?: string };
  fields: {
    name: string;
    label: string;
    type: string;
    length?: number;
    precision?: number;
    scale?: number;
    externalId?: boolean;
    unique?: boolean;
    required?: boolean;
  }[];
}

/** CustomField metadata type → describe type (Metadata API "FieldType"). */
export const METADATA_FIELD_TYPES: Record<string, SfFieldType> = {
  Text: 'string',
  TextArea: 'textarea',
  LongTextArea: 'textarea',
  Number: 'double',
  Currency: 'currency',
  Percent: 'percent',
  Checkbox: 'boolean',
  Date: 'date',
  DateTime: 'datetime',
  Picklist: 'picklist',
  MultiselectPicklist: 'multipicklist',
  Email: 'email',
  Phone: 'phone',
  Url: 'url',
};

export function customObjectSchema(def: SfCustomObjectDefinition, keyPrefix: string): SfObjectSchema {
  const auto = def.nameField.type === 'AutoNumber';
  const specs: Spec[] = [
    [
      'Name',
      'string',
      {
        label: def.nameField.label,
        ...len(80),
        ...(auto ? { ...RO, nillable: false, defaultedOnCreate: true, autoNumberFormat: def.nameField.displayFormat ?? '{0}' } : REQUIRED),
      },
    ],
    OWNER,
  ];
  for (const f of def.fields) {
    const type = METADATA_FIELD_TYPES[f.type];
    if (!type) throw new Error(`unsupported CustomField type ${f.type} on ${def.name}.${f.name}`);
    specs.push([
      f.name,
      type,
      {
        label: f.label,
        ...(f.length ? len(f.length) : {}),
        ...(f.precision ? { precision: f.precision, scale: f.scale ?? 0 } : {}),
        externalId: f.externalId ?? false,
        unique: f.unique ?? false,
        ...(f.required ? REQUIRED : {}),
      },
    ]);
  }
  return objectFrom([def.name, def.label, def.pluralLabel, keyPrefix, specs]);
}

/** Child relationship names of the standard lookups (DescribeSObjectResult childRelationships in a new org). */
export const CHILD_RELATIONSHIPS: Record<string, string> = {
  'Contact.AccountId': 'Contacts',
  'Opportunity.AccountId': 'Opportunities',
  'Case.AccountId': 'Cases',
  'Case.ContactId': 'Cases',
  'Task.WhatId': 'Tasks',
  'Task.WhoId': 'Tasks',
  'Event.WhatId': 'Events',
  'Event.WhoId': 'Events',
  'Account.ParentId': 'ChildAccounts',
  'Invoice__c.Account__c': 'Invoices__r',
  'PermissionSetAssignment.AssigneeId': 'PermissionSetAssignments',
  'PermissionSetAssignment.PermissionSetId': 'Assignments',
  'FieldPermissions.ParentId': 'FieldPerms',
};

/** Active currencies of the customised org; USD is the corporate currency. */
export const ORG_CURRENCIES = ['USD', 'EUR', 'CNY'] as const;

const DEFAULT_LENGTH: Partial<Record<SfFieldType, number>> = {
  string: 255,
  picklist: 255,
  multipicklist: 4099,
  email: 80,
  phone: 40,
  url: 255,
  textarea: 32000,
  id: 18,
  reference: 18,
};

export function makeField(name: string, type: SfFieldType, extra: Partial<SfField> = {}): SfField {
  return {
    name,
    label: name.replace(/__c$/, '').replace(/_/g, ' ').replace(/Id$/, ' ID'),
    type,
    custom: name.endsWith('__c'),
    nillable: type !== 'boolean',
    createable: true,
    updateable: true,
    defaultedOnCreate: type === 'boolean',
    length: DEFAULT_LENGTH[type] ?? 0,
    precision: type === 'currency' || type === 'double' || type === 'percent' ? 18 : 0,
    scale: type === 'currency' ? 2 : 0,
    referenceTo: [],
    relationshipName: null,
    picklistValues: [],
    restrictedPicklist: false,
    externalId: false,
    unique: false,
    secured: false,
    ...extra,
  };
}

/** The SOAP type describe reports per field type (DescribeSObjectResult, Field "soapType"). */
export function soapTypeOf(type: SfFieldType): string {
  switch (type) {
    case 'id':
    case 'reference':
      return 'tns:ID';
    case 'boolean':
      return 'xsd:boolean';
    case 'double':
    case 'currency':
    case 'percent':
      return 'xsd:double';
    case 'int':
      return 'xsd:int';
    case 'date':
      return 'xsd:date';
    case 'datetime':
      return 'xsd:dateTime';
    default:
      return 'xsd:string';
  }
}

function objectFrom([name, label, labelPlural, keyPrefix, specs]: ObjectSpec, extra: Spec[] = []): SfObjectSchema {
  const fields = new Map<string, SfField>();
  for (const [fname, type, more] of [...SYSTEM, ...specs, ...extra]) fields.set(fname.toLowerCase(), makeField(fname, type, more));
  return { name, label, labelPlural, keyPrefix, custom: name.endsWith('__c'), fields };
}

/** Objects that carry CurrencyIsoCode in a multi-currency org (every object with a currency or owner). */
const CURRENCY_OBJECTS = ['Account', 'Contact', 'Opportunity', 'Case', 'Task', 'Event', 'User', 'Invoice__c'];

export function buildSchema(profile: SfOrgProfile = 'customised'): Map<string, SfObjectSchema> {
  const out = new Map<string, SfObjectSchema>();
  const customised = profile === 'customised';
  for (const spec of STANDARD)
    out.set(spec[0].toLowerCase(), objectFrom(spec, customised ? CUSTOM_FIELDS.find(([o]) => o === spec[0])?.[1] : []));
  if (customised) for (const spec of CUSTOM_OBJECTS) out.set(spec[0].toLowerCase(), objectFrom(spec));
  if (customised) {
    // Multi-currency adds CurrencyIsoCode (restricted to the org's active currencies) on every record
    // (Salesforce Help "Considerations for Enabling Multiple Currencies").
    for (const name of CURRENCY_OBJECTS)
      out.get(name.toLowerCase())?.fields.set(
        'currencyisocode',
        makeField('CurrencyIsoCode', 'picklist', {
          ...DEFAULTED,
          label: 'Currency ISO Code',
          ...withDefault(restricted(...ORG_CURRENCIES), 'USD'),
          length: 3,
        }),
      );
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
  ['SE_Segment__c', 'string'],
  ['SE_Model_Version__c', 'string'],
  ['SE_Scored_At__c', 'datetime'],
];

/** The package's field on Task (activity custom field) holding the idempotency key of a task we created. */
export const PACKAGE_TASK_FIELDS: [string, SfFieldType][] = [['SE_Action_Key__c', 'string']];

/** The permission set the package carries for its fields (mirrors manifests' integration permission set). */
export const PACKAGE_PERMISSION_SET = 'Success_Engine_Integration';

const CHECKSUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The 3-character case-safe suffix of a 15-character id (Salesforce Help "What is a Salesforce ID"). */
export function idChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15[chunk * 5 + i] as string;
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM[bits];
  }
  return suffix;
}

/** A 15- or 18-character id in its 18-character form, or undefined when it is malformed. */
export function normaliseId(id: string): string | undefined {
  if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(id)) return undefined;
  const id15 = id.slice(0, 15);
  const full = id15 + idChecksum(id15);
  if (id.length === 18 && id.slice(15).toUpperCase() !== full.slice(15)) return undefined;
  return full;
}

/** A well-formed 18-character Salesforce id (15-char id plus its case-safe checksum). */
export function salesforceId(prefix: string, n: number): string {
  let body = '';
  let v = n;
  for (let i = 0; i < 9; i++) {
    body = BASE62[v % 62] + body;
    v = Math.floor(v / 62);
  }
  const id15 = `${prefix}8d0${body}`;
  return id15 + idChecksum(id15);
}
