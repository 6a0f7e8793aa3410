import type { EntityName } from '../../core';

/** The HubSpot object types behind each canonical entity, read in this order. */
export const HUBSPOT_TYPES_BY_ENTITY: Record<EntityName, readonly HubSpotObjectType[]> = {
  account: ['companies'],
  contact: ['contacts'],
  opportunity: ['deals'],
  ticket: ['tickets'],
  activity: ['notes', 'calls', 'emails', 'meetings', 'tasks'],
  transaction: ['invoices'],
  // HubSpot has no subscription object in the CRM core; subscriptions come from files or Salesforce.
  subscription: [],
};

export type HubSpotObjectType =
  'companies' | 'contacts' | 'deals' | 'tickets' | 'notes' | 'calls' | 'emails' | 'meetings' | 'tasks' | 'invoices';

/** The last-modified property each type is searched and sorted by. */
export const MODIFIED_PROPERTY: Record<HubSpotObjectType, string> = {
  companies: 'hs_lastmodifieddate',
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
  tickets: 'hs_lastmodifieddate',
  notes: 'hs_lastmodifieddate',
  calls: 'hs_lastmodifieddate',
  emails: 'hs_lastmodifieddate',
  meetings: 'hs_lastmodifieddate',
  tasks: 'hs_lastmodifieddate',
  invoices: 'hs_lastmodifieddate',
};

/** Properties read per type (beyond what the account mapping adds for companies). */
export const READ_PROPERTIES: Record<HubSpotObjectType, readonly string[]> = {
  companies: ['name', 'domain', 'industry', 'country', 'hubspot_owner_id', 'createdate', 'hs_lastmodifieddate'],
  contacts: [
    'firstname',
    'lastname',
    'email',
    'phone',
    'jobtitle',
    'associatedcompanyid',
    'is_primary_contact',
    'hs_language',
    'createdate',
    'lastmodifieddate',
  ],
  deals: [
    'dealname',
    'amount',
    'closedate',
    'dealstage',
    'pipeline',
    'dealtype',
    'hs_is_closed',
    'hs_is_closed_won',
    'hubspot_owner_id',
    'createdate',
    'hs_lastmodifieddate',
  ],
  tickets: [
    'subject',
    'content',
    'hs_pipeline',
    'hs_pipeline_stage',
    'hs_ticket_priority',
    'hs_ticket_category',
    'createdate',
    'closed_date',
    'hs_language',
    'hs_lastmodifieddate',
  ],
  notes: ['hs_note_body', 'hs_timestamp', 'hubspot_owner_id', 'hs_lastmodifieddate'],
  calls: ['hs_call_title', 'hs_call_body', 'hs_call_direction', 'hs_timestamp', 'hubspot_owner_id', 'hs_lastmodifieddate'],
  emails: ['hs_email_subject', 'hs_email_text', 'hs_email_direction', 'hs_timestamp', 'hubspot_owner_id', 'hs_lastmodifieddate'],
  meetings: ['hs_meeting_title', 'hs_meeting_body', 'hs_meeting_start_time', 'hs_timestamp', 'hubspot_owner_id', 'hs_lastmodifieddate'],
  tasks: ['hs_task_subject', 'hs_task_body', 'hs_task_status', 'hs_timestamp', 'hubspot_owner_id', 'hs_lastmodifieddate'],
  invoices: [
    'hs_invoice_date',
    'hs_due_date',
    'hs_amount_billed',
    'hs_amount_paid',
    'hs_payment_date',
    'hs_invoice_status',
    'hs_currency',
    'hs_lastmodifieddate',
  ],
};

/** Every type but companies links to a company; contacts may have none. */
export const needsCompany = (type: HubSpotObjectType): boolean => type !== 'companies';
