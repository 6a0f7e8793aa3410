/**
 * HubSpot's default property catalogue for the objects the product reads and writes, and the
 * custom properties of the "customised" portal. Names, types, field types, options and read-only
 * flags follow HubSpot's published property lists:
 * - companies https://knowledge.hubspot.com/properties/hubspots-default-company-properties
 * - contacts  https://knowledge.hubspot.com/properties/hubspots-default-contact-properties
 * - deals     https://knowledge.hubspot.com/properties/hubspots-default-deal-properties
 * - tickets   https://knowledge.hubspot.com/properties/hubspots-default-ticket-properties
 * - activities https://developers.hubspot.com/docs/api/crm/engagements (notes, calls, emails, meetings, tasks: hs_timestamp is required)
 * - invoices  https://developers.hubspot.com/docs/api/crm/invoices
 * The property model (type, fieldType, options, modificationMetadata.readOnlyValue, hasUniqueValue)
 * is https://developers.hubspot.com/docs/api/crm/properties.
 */
export type PortalProfile = 'vanilla' | 'customised';

export interface PropertySpec {
  name: string;
  type: 'bool' | 'date' | 'datetime' | 'enumeration' | 'number' | 'phone_number' | 'string';
  fieldType: string;
  group: string;
  options?: readonly string[];
  /** Set by HubSpot only (hs_object_id, createdate, calculated properties). */
  readOnly?: boolean;
  /** Options live outside the definition (owners, pipeline stages); checked against those. */
  externalOptions?: 'owners';
  hasUniqueValue?: boolean;
  /** Required on create (engagements need hs_timestamp). */
  requiredOnCreate?: boolean;
  /** Custom (customised portal only). */
  custom?: boolean;
}

const p = (
  name: string,
  type: PropertySpec['type'],
  fieldType: string,
  group: string,
  extra: Partial<PropertySpec> = {},
): PropertySpec => ({ name, type, fieldType, group, ...extra });
const ro = { readOnly: true } as const;
const owner = (group: string): PropertySpec => p('hubspot_owner_id', 'enumeration', 'select', group, { externalOptions: 'owners' });
const objectId = (group: string): PropertySpec => p('hs_object_id', 'number', 'number', group, ro);
const modified = (group: string, name = 'hs_lastmodifieddate'): PropertySpec => p(name, 'datetime', 'date', group, ro);

const LIFECYCLE = ['subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist', 'other'];
/** A subset of HubSpot's industry options (the full list has ~150 values in this style). */
export const HUBSPOT_INDUSTRIES = [
  'ACCOUNTING',
  'COMPUTER_SOFTWARE',
  'EDUCATION_MANAGEMENT',
  'HOSPITAL_HEALTH_CARE',
  'HOSPITALITY',
  'MANAGEMENT_CONSULTING',
  'MECHANICAL_OR_INDUSTRIAL_ENGINEERING',
  'REAL_ESTATE',
  'RETAIL',
  'TELECOMMUNICATIONS',
  'TRANSPORTATION_TRUCKING_RAILROAD',
];
const LANGUAGES = ['en', 'zh-cn', 'zh-tw', 'de', 'es', 'fr', 'ja'];
/** The default sales pipeline's stages (https://knowledge.hubspot.com/object-settings/set-up-and-customize-pipelines). */
export const DEAL_STAGES = [
  'appointmentscheduled',
  'qualifiedtobuy',
  'presentationscheduled',
  'decisionmakerboughtin',
  'contractsent',
  'closedwon',
  'closedlost',
];
/** The default support pipeline '0': New 1, Waiting on contact 2, Waiting on us 3, Closed 4. */
const TICKET_STAGES = ['1', '2', '3', '4'];
export const TICKET_CATEGORIES = ['PRODUCT_ISSUE', 'BILLING_ISSUE', 'FEATURE_REQUEST', 'GENERAL_INQUIRY'];

const DEFAULTS: Record<string, PropertySpec[]> = {
  companies: [
    objectId('companyinformation'),
    p('name', 'string', 'text', 'companyinformation'),
    p('domain', 'string', 'text', 'companyinformation'),
    p('industry', 'enumeration', 'select', 'companyinformation', { options: HUBSPOT_INDUSTRIES }),
    p('country', 'string', 'text', 'companyinformation'),
    p('city', 'string', 'text', 'companyinformation'),
    p('phone', 'string', 'phonenumber', 'companyinformation'),
    p('numberofemployees', 'number', 'number', 'companyinformation'),
    p('annualrevenue', 'number', 'number', 'companyinformation'),
    p('lifecyclestage', 'enumeration', 'radio', 'companyinformation', { options: LIFECYCLE }),
    owner('companyinformation'),
    p('createdate', 'datetime', 'date', 'companyinformation', ro),
    modified('companyinformation'),
    p('num_associated_contacts', 'number', 'number', 'companyinformation', ro),
  ],
  contacts: [
    objectId('contactinformation'),
    p('firstname', 'string', 'text', 'contactinformation'),
    p('lastname', 'string', 'text', 'contactinformation'),
    p('email', 'string', 'text', 'contactinformation', { hasUniqueValue: true }),
    p('phone', 'string', 'phonenumber', 'contactinformation'),
    p('jobtitle', 'string', 'text', 'contactinformation'),
    p('hs_language', 'enumeration', 'select', 'contactinformation', { options: LANGUAGES }),
    p('associatedcompanyid', 'number', 'number', 'contactinformation'),
    p('lifecyclestage', 'enumeration', 'radio', 'contactinformation', { options: LIFECYCLE }),
    owner('contactinformation'),
    p('createdate', 'datetime', 'date', 'contactinformation', ro),
    modified('contactinformation', 'lastmodifieddate'),
    p('hs_lastmodifieddate', 'datetime', 'date', 'contactinformation', ro),
  ],
  deals: [
    objectId('dealinformation'),
    p('dealname', 'string', 'text', 'dealinformation'),
    p('amount', 'number', 'number', 'dealinformation'),
    p('closedate', 'datetime', 'date', 'dealinformation'),
    p('dealstage', 'enumeration', 'radio', 'dealinformation', { options: DEAL_STAGES }),
    p('pipeline', 'enumeration', 'select', 'dealinformation', { options: ['default'] }),
    p('dealtype', 'enumeration', 'radio', 'dealinformation', { options: ['newbusiness', 'existingbusiness'] }),
    p('hs_is_closed', 'bool', 'booleancheckbox', 'dealinformation', { ...ro, options: ['true', 'false'] }),
    p('hs_is_closed_won', 'bool', 'booleancheckbox', 'dealinformation', { ...ro, options: ['true', 'false'] }),
    owner('dealinformation'),
    p('createdate', 'datetime', 'date', 'dealinformation', ro),
    modified('dealinformation'),
  ],
  tickets: [
    objectId('ticketinformation'),
    p('subject', 'string', 'text', 'ticketinformation'),
    p('content', 'string', 'textarea', 'ticketinformation'),
    p('hs_pipeline', 'enumeration', 'select', 'ticketinformation', { options: ['0'] }),
    p('hs_pipeline_stage', 'enumeration', 'select', 'ticketinformation', { options: TICKET_STAGES }),
    p('hs_ticket_priority', 'enumeration', 'select', 'ticketinformation', { options: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] }),
    p('hs_ticket_category', 'enumeration', 'checkbox', 'ticketinformation', { options: TICKET_CATEGORIES }),
    owner('ticketinformation'),
    p('createdate', 'datetime', 'date', 'ticketinformation', ro),
    p('closed_date', 'datetime', 'date', 'ticketinformation', ro),
    modified('ticketinformation'),
  ],
  notes: [
    objectId('note'),
    p('hs_note_body', 'string', 'html', 'note'),
    p('hs_timestamp', 'datetime', 'date', 'note', { requiredOnCreate: true }),
    owner('note'),
    p('hs_createdate', 'datetime', 'date', 'note', ro),
    modified('note'),
  ],
  calls: [
    objectId('call'),
    p('hs_call_title', 'string', 'text', 'call'),
    p('hs_call_body', 'string', 'html', 'call'),
    p('hs_call_direction', 'enumeration', 'select', 'call', { options: ['INBOUND', 'OUTBOUND'] }),
    p('hs_call_duration', 'number', 'number', 'call'),
    p('hs_timestamp', 'datetime', 'date', 'call', { requiredOnCreate: true }),
    owner('call'),
    p('hs_createdate', 'datetime', 'date', 'call', ro),
    modified('call'),
  ],
  emails: [
    objectId('email'),
    p('hs_email_subject', 'string', 'text', 'email'),
    p('hs_email_text', 'string', 'textarea', 'email'),
    p('hs_email_html', 'string', 'html', 'email'),
    p('hs_email_direction', 'enumeration', 'select', 'email', { options: ['EMAIL', 'INCOMING_EMAIL', 'FORWARDED_EMAIL'] }),
    p('hs_email_status', 'enumeration', 'select', 'email', { options: ['BOUNCED', 'FAILED', 'SCHEDULED', 'SENDING', 'SENT'] }),
    p('hs_timestamp', 'datetime', 'date', 'email', { requiredOnCreate: true }),
    owner('email'),
    p('hs_createdate', 'datetime', 'date', 'email', ro),
    modified('email'),
  ],
  meetings: [
    objectId('meeting'),
    p('hs_meeting_title', 'string', 'text', 'meeting'),
    p('hs_meeting_body', 'string', 'html', 'meeting'),
    p('hs_meeting_start_time', 'datetime', 'date', 'meeting'),
    p('hs_meeting_end_time', 'datetime', 'date', 'meeting'),
    p('hs_meeting_outcome', 'enumeration', 'select', 'meeting', {
      options: ['SCHEDULED', 'COMPLETED', 'RESCHEDULED', 'NO_SHOW', 'CANCELED'],
    }),
    p('hs_timestamp', 'datetime', 'date', 'meeting', { requiredOnCreate: true }),
    owner('meeting'),
    p('hs_createdate', 'datetime', 'date', 'meeting', ro),
    modified('meeting'),
  ],
  tasks: [
    objectId('task'),
    p('hs_task_subject', 'string', 'text', 'task'),
    p('hs_task_body', 'string', 'html', 'task'),
    p('hs_task_status', 'enumeration', 'select', 'task', { options: ['NOT_STARTED', 'IN_PROGRESS', 'WAITING', 'COMPLETED', 'DEFERRED'] }),
    p('hs_task_priority', 'enumeration', 'select', 'task', { options: ['NONE', 'LOW', 'MEDIUM', 'HIGH'] }),
    p('hs_task_type', 'enumeration', 'select', 'task', { options: ['EMAIL', 'CALL', 'TODO'] }),
    p('hs_timestamp', 'datetime', 'date', 'task', { requiredOnCreate: true }),
    owner('task'),
    p('hs_createdate', 'datetime', 'date', 'task', ro),
    modified('task'),
  ],
  invoices: [
    objectId('invoiceinformation'),
    p('hs_invoice_date', 'datetime', 'date', 'invoiceinformation'),
    p('hs_due_date', 'date', 'date', 'invoiceinformation'),
    p('hs_amount_billed', 'number', 'number', 'invoiceinformation', ro),
    p('hs_amount_paid', 'number', 'number', 'invoiceinformation', ro),
    p('hs_payment_date', 'datetime', 'date', 'invoiceinformation'),
    p('hs_invoice_status', 'enumeration', 'select', 'invoiceinformation', { options: ['draft', 'open', 'paid', 'voided'] }),
    p('hs_currency', 'enumeration', 'select', 'invoiceinformation', { options: ['USD', 'EUR', 'GBP', 'CNY'] }),
    p('hs_createdate', 'datetime', 'date', 'invoiceinformation', ro),
    modified('invoiceinformation'),
  ],
};

/** What an admin of the Telco book added: a customer-profile group on companies plus a few fields elsewhere. */
const c = (name: string, type: PropertySpec['type'], fieldType: string, group: string, options?: readonly string[]): PropertySpec => ({
  name,
  type,
  fieldType,
  group,
  custom: true,
  ...(options ? { options } : {}),
});
const CUSTOM: Record<string, PropertySpec[]> = {
  companies: [
    c('hs_language', 'enumeration', 'select', 'telco', LANGUAGES),
    { ...c('telco_customer_id', 'string', 'text', 'telco'), hasUniqueValue: true },
    c('contract_type', 'enumeration', 'select', 'telco', ['Month-to-month', 'One year', 'Two year']),
    c('tenure_months', 'number', 'number', 'telco'),
    c('monthly_revenue', 'number', 'number', 'telco'),
    c('total_revenue', 'number', 'number', 'telco'),
    c('internet_service', 'enumeration', 'select', 'telco', ['DSL', 'Fiber optic', 'No']),
    c('services', 'enumeration', 'checkbox', 'telco', [
      'PhoneService',
      'MultipleLines',
      'OnlineSecurity',
      'OnlineBackup',
      'DeviceProtection',
      'TechSupport',
      'StreamingTV',
      'StreamingMovies',
    ]),
    c('payment_method', 'enumeration', 'select', 'telco', [
      'Electronic check',
      'Mailed check',
      'Bank transfer (automatic)',
      'Credit card (automatic)',
    ]),
    c('paperless_billing', 'bool', 'booleancheckbox', 'telco', ['true', 'false']),
    c('senior_citizen', 'bool', 'booleancheckbox', 'telco', ['true', 'false']),
    c('partner', 'bool', 'booleancheckbox', 'telco', ['true', 'false']),
    c('dependents', 'bool', 'booleancheckbox', 'telco', ['true', 'false']),
    c('customer_since', 'datetime', 'date', 'telco'),
    c('renewal_date', 'date', 'date', 'telco'),
    c('account_status', 'enumeration', 'select', 'telco', ['active', 'churned']),
    c('churned_at', 'datetime', 'date', 'telco'),
  ],
  contacts: [c('is_primary_contact', 'bool', 'booleancheckbox', 'contactinformation', ['true', 'false'])],
  tickets: [c('hs_language', 'enumeration', 'select', 'ticketinformation', LANGUAGES)],
};
/** Options an admin added to HubSpot-defined enumerations (HubSpot allows editing their options). */
const EXTRA_OPTIONS: Record<string, Record<string, readonly string[]>> = {
  tickets: { hs_ticket_category: ['OUTAGE', 'SPEED', 'BILLING', 'STREAMING', 'DEVICE', 'SECURITY', 'ONBOARDING', 'CONTRACT', 'PRAISE'] },
};

export function propertyCatalogue(type: string, profile: PortalProfile): PropertySpec[] {
  const defaults = DEFAULTS[type] ?? [];
  if (profile === 'vanilla') return defaults;
  const extra = EXTRA_OPTIONS[type] ?? {};
  return [
    ...defaults.map((d) => (extra[d.name] ? { ...d, options: [...(d.options ?? []), ...(extra[d.name] ?? [])] } : d)),
    ...(CUSTOM[type] ?? []),
  ];
}

/** HubSpot's label for a group name ("companyinformation" → "Company information"). */
export function groupLabel(name: string): string {
  if (name === 'telco') return 'Telco customer profile';
  const words = name.replace(/information$/, ' information');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
