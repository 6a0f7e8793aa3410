import {
  buildRecord,
  canonicalId,
  isSuccessEngineError,
  type CanonicalRecord,
  type EntityName,
  type TenantId,
  type ValidationIssue,
} from '../../core';
import { contractTypeOf, dateOf, dateTimeOf, numberOf, type AccountFieldMapping } from '../shared/field-mapping';
import { MODIFIED_PROPERTY, type HubSpotObjectType } from './hubspot-objects';

/** What the SDK gives us for one object (list, search or batch read). */
export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: Date | string;
  updatedAt: Date | string;
  archived?: boolean;
}

/** hs_task_status: NOT_STARTED, IN_PROGRESS and WAITING are still open; DEFERRED reads as set aside, like Salesforce's Deferred. */
const TASK_STATUS: Record<string, 'completed' | 'cancelled'> = { COMPLETED: 'completed', DEFERRED: 'cancelled' };

export type MapOutcome = { ok: true; record: CanonicalRecord } | { ok: false; externalId: string; field: string; reason: string };

const iso = (d: Date | string): string => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());
const present = (v: string | null | undefined): string | undefined => (v === null || v === undefined || v.trim() === '' ? undefined : v);
const bool = (v: string | null | undefined): boolean => v === 'true';
const stripHtml = (html: string | undefined): string | undefined =>
  html === undefined
    ? undefined
    : html
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();

const TICKET_STATUS: Record<string, 'open' | 'pending' | 'closed'> = { '1': 'open', '2': 'pending', '3': 'pending', '4': 'closed' };
const ENGAGEMENT: Record<string, 'note' | 'call' | 'email' | 'meeting' | 'task'> = {
  notes: 'note',
  calls: 'call',
  emails: 'email',
  meetings: 'meeting',
  tasks: 'task',
};

function compact(draft: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined));
}

/** Map one HubSpot object onto the canonical model; failures name the HubSpot property at fault. */
export function mapHubSpotObject(
  type: HubSpotObjectType,
  obj: HubSpotObject,
  ctx: { tenantId: TenantId; companyId: string | undefined; mapping: AccountFieldMapping },
): MapOutcome {
  const p = obj.properties;
  const id = <T extends string>(): T => canonicalId<T>('hubspot', obj.id);
  const accountId = ctx.companyId === undefined ? undefined : canonicalId('hubspot', ctx.companyId);
  const base = {
    tenantId: ctx.tenantId,
    source: { provider: 'hubspot' as const, externalId: obj.id, modstamp: dateTimeOf(p[MODIFIED_PROPERTY[type]]) ?? iso(obj.updatedAt) },
  };
  const m = ctx.mapping;
  const from = (f: { field: string; scale?: number } | undefined): string | undefined => (f ? present(p[f.field]) : undefined);
  let entity: EntityName;
  let draft: Record<string, unknown>;
  const propertyOf: Record<string, string> = {};

  switch (type) {
    case 'companies': {
      entity = 'account';
      const status = from(m.status)?.toLowerCase();
      const churnedAt = dateTimeOf(from(m.churnedAt));
      const attributes: Record<string, string> = {};
      for (const a of m.attributes ?? []) {
        const v = present(p[a]);
        if (v !== undefined) attributes[a] = v;
      }
      draft = {
        name: present(p.name) ?? '',
        domain: present(p.domain),
        industry: present(p.industry),
        country: present(p.country),
        ownerId: present(p.hubspot_owner_id),
        arr: m.arr ? numberOf(from(m.arr), m.arr.scale) : undefined,
        currency: m.currency ? from(m.currency)?.toUpperCase() : undefined,
        plan: from(m.plan),
        contractType: contractTypeOf(from(m.contractType)),
        renewalDate: dateOf(from(m.renewalDate)),
        customerSince: dateTimeOf(from(m.customerSince)),
        seats: m.seats ? numberOf(from(m.seats)) : undefined,
        status: status === 'churned' || churnedAt ? 'churned' : status === 'prospect' ? 'prospect' : 'active',
        churnedAt,
        attributes,
      };
      Object.assign(propertyOf, {
        arr: m.arr?.field,
        plan: m.plan?.field,
        renewalDate: m.renewalDate?.field,
        customerSince: m.customerSince?.field,
        churnedAt: m.churnedAt?.field,
        seats: m.seats?.field,
        currency: m.currency?.field,
      });
      break;
    }
    case 'contacts':
      entity = 'contact';
      draft = {
        accountId: accountId ?? (present(p.associatedcompanyid) ? canonicalId('hubspot', p.associatedcompanyid as string) : undefined),
        firstName: present(p.firstname),
        lastName: present(p.lastname),
        email: present(p.email),
        phone: present(p.phone),
        title: present(p.jobtitle),
        isPrimary: bool(p.is_primary_contact),
        attributes: present(p.hs_language) ? { hs_language: p.hs_language as string } : {},
      };
      Object.assign(propertyOf, { email: 'email', accountId: 'associatedcompanyid' });
      break;
    case 'deals':
      entity = 'opportunity';
      draft = {
        accountId,
        name: present(p.dealname) ?? '',
        kind: p.dealtype === 'newbusiness' ? 'new' : p.dealtype === 'existingbusiness' ? 'renewal' : 'other',
        stage: present(p.dealstage) ?? '',
        amount: numberOf(p.amount),
        closeDate: dateOf(present(p.closedate)),
        isClosed: bool(p.hs_is_closed),
        isWon: bool(p.hs_is_closed_won),
        ownerId: present(p.hubspot_owner_id),
        createdAt: dateTimeOf(present(p.createdate)) ?? iso(obj.createdAt),
      };
      Object.assign(propertyOf, {
        name: 'dealname',
        stage: 'dealstage',
        amount: 'amount',
        closeDate: 'closedate',
        accountId: 'associations.companies',
      });
      break;
    case 'tickets': {
      entity = 'ticket';
      const priority = present(p.hs_ticket_priority)?.toLowerCase();
      draft = {
        accountId,
        subject: p.subject ?? '',
        description: present(p.content),
        status: TICKET_STATUS[p.hs_pipeline_stage ?? ''] ?? 'open',
        priority: priority === 'urgent' || priority === 'high' || priority === 'low' ? priority : 'medium',
        createdAt: dateTimeOf(present(p.createdate)) ?? iso(obj.createdAt),
        closedAt: dateTimeOf(present(p.closed_date)),
        attributes: compact({ category: present(p.hs_ticket_category), hs_language: present(p.hs_language) }),
      };
      Object.assign(propertyOf, { accountId: 'associations.companies', closedAt: 'closed_date' });
      break;
    }
    case 'invoices':
      entity = 'transaction';
      draft = {
        accountId,
        kind: 'invoice',
        occurredAt: dateTimeOf(present(p.hs_invoice_date)) ?? iso(obj.createdAt),
        amount: numberOf(p.hs_amount_billed),
        currency: present(p.hs_currency)?.toUpperCase(),
        dueDate: dateOf(present(p.hs_due_date)),
        paidAt: dateTimeOf(present(p.hs_payment_date)),
        attributes: compact({ amount_paid: numberOf(p.hs_amount_paid), status: present(p.hs_invoice_status) }),
      };
      Object.assign(propertyOf, { amount: 'hs_amount_billed', accountId: 'associations.companies' });
      break;
    default: {
      entity = 'activity';
      const kind = ENGAGEMENT[type] ?? 'note';
      const direction = present(p.hs_call_direction ?? p.hs_email_direction ?? undefined);
      draft = {
        accountId,
        type: kind,
        occurredAt: dateTimeOf(present(p.hs_timestamp)) ?? iso(obj.createdAt),
        subject: present(p.hs_call_title ?? p.hs_email_subject ?? p.hs_meeting_title ?? p.hs_task_subject ?? undefined),
        body: stripHtml(present(p.hs_note_body ?? p.hs_call_body ?? p.hs_email_text ?? p.hs_meeting_body ?? p.hs_task_body ?? undefined)),
        direction: direction === undefined ? undefined : /^(INBOUND|INCOMING_EMAIL)$/.test(direction) ? 'inbound' : 'outbound',
        taskStatus: kind === 'task' ? (TASK_STATUS[p.hs_task_status ?? ''] ?? 'open') : undefined,
        ownerId: present(p.hubspot_owner_id),
      };
      Object.assign(propertyOf, { accountId: 'associations.companies', occurredAt: 'hs_timestamp' });
    }
  }
  if (type !== 'companies' && type !== 'contacts' && accountId === undefined)
    return { ok: false, externalId: obj.id, field: 'associations.companies', reason: `${type} ${obj.id} has no associated company` };
  try {
    const record = buildRecord(entity, { ...compact(draft), id: id(), ...base });
    return { ok: true, record };
  } catch (error) {
    if (!isSuccessEngineError(error, 'CORE.VALIDATION_FAILED')) throw error;
    const issue = ((error.details.issues ?? []) as ValidationIssue[])[0];
    const field = issue ? (propertyOf[issue.path.split('.')[0] ?? ''] ?? issue.path) : '(record)';
    return { ok: false, externalId: obj.id, field, reason: `${type} ${obj.id}: ${field}: ${issue?.message ?? error.message}` };
  }
}
