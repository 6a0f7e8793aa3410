import type { Book, BookActivity } from '../seed/book.types';
import { groupLabel, HUBSPOT_INDUSTRIES, propertyCatalogue, TICKET_CATEGORIES, type PortalProfile } from './hubspot-catalogue';

/** In-memory HubSpot portal: objects, property definitions, associations, owners. */
export interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

export interface HsProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description: string;
  options: { label: string; value: string; displayOrder: number; hidden: boolean }[];
  displayOrder: number;
  hidden: boolean;
  formField: boolean;
  hubspotDefined?: boolean;
  calculated: boolean;
  externalOptions: boolean;
  hasUniqueValue: boolean;
  modificationMetadata: { archivable: boolean; readOnlyDefinition: boolean; readOnlyValue: boolean };
  createdAt?: string;
  updatedAt?: string;
  archived: boolean;
}

export interface HsGroup {
  name: string;
  label: string;
  displayOrder: number;
  archived: boolean;
}

export interface HsAssociationType {
  category: 'HUBSPOT_DEFINED' | 'USER_DEFINED';
  typeId: number;
  label: string | null;
}

export const OBJECT_TYPES = [
  'companies',
  'contacts',
  'deals',
  'tickets',
  'notes',
  'calls',
  'emails',
  'meetings',
  'tasks',
  'invoices',
] as const;
export type HsObjectType = (typeof OBJECT_TYPES)[number];
const TYPE_IDS: Record<HsObjectType, string> = {
  contacts: '0-1',
  companies: '0-2',
  deals: '0-3',
  tickets: '0-5',
  tasks: '0-27',
  notes: '0-46',
  meetings: '0-47',
  calls: '0-48',
  emails: '0-49',
  invoices: '0-53',
};
const SINGULAR: Record<string, HsObjectType> = {
  company: 'companies',
  contact: 'contacts',
  deal: 'deals',
  ticket: 'tickets',
  note: 'notes',
  call: 'calls',
  email: 'emails',
  meeting: 'meetings',
  task: 'tasks',
  invoice: 'invoices',
};

export function resolveObjectType(name: string): HsObjectType | undefined {
  const lower = name.toLowerCase();
  if ((OBJECT_TYPES as readonly string[]).includes(lower)) return lower as HsObjectType;
  if (SINGULAR[lower]) return SINGULAR[lower];
  return (Object.entries(TYPE_IDS).find(([, id]) => id === lower)?.[0] as HsObjectType | undefined) ?? undefined;
}
export const objectTypeId = (type: HsObjectType): string => TYPE_IDS[type];

/** Unlabeled HubSpot-defined association type ids, forward and inverse (developers.hubspot.com associations v4). */
const ASSOCIATION_TYPE_IDS: Partial<Record<`${HsObjectType}->${HsObjectType}`, number>> = {
  'contacts->companies': 279,
  'companies->contacts': 280,
  'deals->companies': 341,
  'companies->deals': 342,
  'tickets->companies': 339,
  'companies->tickets': 340,
  'tickets->contacts': 16,
  'contacts->tickets': 15,
  'deals->contacts': 3,
  'contacts->deals': 4,
  'notes->companies': 190,
  'companies->notes': 189,
  'calls->companies': 182,
  'companies->calls': 181,
  'emails->companies': 186,
  'companies->emails': 185,
  'meetings->companies': 188,
  'companies->meetings': 187,
  'tasks->companies': 192,
  'companies->tasks': 191,
  'invoices->companies': 180,
  'companies->invoices': 179,
  'notes->contacts': 202,
  'contacts->notes': 201,
  'notes->deals': 214,
  'deals->notes': 213,
  'notes->tickets': 228,
  'tickets->notes': 227,
};
/** "Primary" labelled types for contact→company and deal→company. */
const PRIMARY_TYPE_IDS: Partial<Record<`${HsObjectType}->${HsObjectType}`, number>> = {
  'contacts->companies': 1,
  'companies->contacts': 2,
  'deals->companies': 5,
  'companies->deals': 6,
  'tickets->companies': 26,
  'companies->tickets': 25,
};

export function primaryAssociationTypeId(from: HsObjectType, to: HsObjectType): number | undefined {
  return PRIMARY_TYPE_IDS[`${from}->${to}`];
}

/** The HubSpot-defined types between two objects, as the v4 labels API lists them. */
export function definedAssociationTypes(from: HsObjectType, to: HsObjectType): HsAssociationType[] {
  const out: HsAssociationType[] = [];
  const primary = PRIMARY_TYPE_IDS[`${from}->${to}`];
  if (primary !== undefined) out.push({ category: 'HUBSPOT_DEFINED', typeId: primary, label: 'Primary' });
  const unlabeled = ASSOCIATION_TYPE_IDS[`${from}->${to}`];
  if (unlabeled !== undefined) out.push({ category: 'HUBSPOT_DEFINED', typeId: unlabeled, label: null });
  return out;
}

/**
 * The v3 name of an association type, as `?associations=` answers carry it: where a pair has a
 * Primary type, that one is `contact_to_company` and the unlabeled one `contact_to_company_unlabeled`
 * (https://developers.hubspot.com/docs/api/crm/associations/v3, default association types).
 */
export function v3AssociationName(from: HsObjectType, to: HsObjectType, t: HsAssociationType): string {
  const base = `${singularOf(from)}_to_${singularOf(to)}`;
  if (t.category === 'USER_DEFINED')
    return `${base}_${String(t.label ?? t.typeId)
      .toLowerCase()
      .replace(/\W+/g, '_')}`;
  const primary = PRIMARY_TYPE_IDS[`${from}->${to}`];
  if (primary === undefined) return base;
  return t.typeId === primary ? base : `${base}_unlabeled`;
}

export function singularOf(type: HsObjectType): string {
  return type === 'companies' ? 'company' : type.replace(/s$/, '');
}

export function defaultAssociationTypeId(from: HsObjectType, to: HsObjectType): number | undefined {
  return ASSOCIATION_TYPE_IDS[`${from}->${to}`];
}

const TYPE_ID_BASE: Record<HsObjectType, number> = {
  companies: 10,
  contacts: 20,
  deals: 30,
  tickets: 40,
  notes: 50,
  calls: 51,
  emails: 52,
  meetings: 53,
  tasks: 54,
  invoices: 60,
};

/** HubSpot returns these when a request names no properties. */
export const DEFAULT_PROPERTIES: Record<HsObjectType, string[]> = {
  companies: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  contacts: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  deals: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
  tickets: [
    'content',
    'createdate',
    'hs_lastmodifieddate',
    'hs_object_id',
    'hs_pipeline',
    'hs_pipeline_stage',
    'hs_ticket_category',
    'hs_ticket_priority',
    'subject',
  ],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  calls: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  emails: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  meetings: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  tasks: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
  invoices: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

export const MODIFIED_PROPERTY: Record<HsObjectType, string> = {
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
const CREATED_PROPERTY = (type: HsObjectType): string =>
  ['companies', 'contacts', 'deals', 'tickets'].includes(type) ? 'createdate' : 'hs_createdate';

export interface HsOwner {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  userId: number;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

export class HubSpotState {
  readonly objects = new Map<HsObjectType, Map<string, HsObject>>();
  readonly properties = new Map<HsObjectType, Map<string, HsProperty>>();
  readonly groups = new Map<HsObjectType, Map<string, HsGroup>>();
  /** `${fromType}:${fromId}:${toType}` → toId → types. */
  readonly associations = new Map<string, Map<string, HsAssociationType[]>>();
  readonly owners: HsOwner[] = [];
  private readonly nextId = new Map<HsObjectType, number>();

  /** Properties a create must carry (engagements: hs_timestamp). */
  readonly requiredOnCreate = new Map<HsObjectType, Set<string>>();

  constructor(
    readonly portalId: number,
    readonly profile: PortalProfile = 'customised',
  ) {
    for (const type of OBJECT_TYPES) {
      this.objects.set(type, new Map());
      const props = new Map<string, HsProperty>();
      const groups = new Map<string, HsGroup>();
      const required = new Set<string>();
      for (const [i, spec] of propertyCatalogue(type, profile).entries()) {
        if (!groups.has(spec.group))
          groups.set(spec.group, { name: spec.group, label: groupLabel(spec.group), displayOrder: groups.size, archived: false });
        if (spec.requiredOnCreate) required.add(spec.name);
        props.set(spec.name, {
          name: spec.name,
          label: spec.name.replace(/_/g, ' '),
          type: spec.type,
          fieldType: spec.fieldType,
          groupName: spec.group,
          description: '',
          options: (spec.options ?? []).map((value, j) => ({ label: value, value, displayOrder: j, hidden: false })),
          displayOrder: i,
          hidden: false,
          formField: false,
          hubspotDefined: !spec.custom,
          calculated: spec.readOnly === true && spec.name !== 'hs_object_id',
          externalOptions: spec.externalOptions !== undefined,
          hasUniqueValue: spec.hasUniqueValue ?? false,
          modificationMetadata: {
            archivable: Boolean(spec.custom),
            readOnlyDefinition: !spec.custom,
            readOnlyValue: spec.readOnly ?? false,
          },
          archived: false,
        });
      }
      this.properties.set(type, props);
      this.groups.set(type, groups);
      this.requiredOnCreate.set(type, required);
      this.nextId.set(type, 1);
    }
  }

  allocateId(type: HsObjectType): string {
    const n = this.nextId.get(type) ?? 1;
    this.nextId.set(type, n + 1);
    // Fixed width keeps string order equal to numeric order.
    return String(TYPE_ID_BASE[type] * 1_000_000_000 + n);
  }

  table(type: HsObjectType): Map<string, HsObject> {
    return this.objects.get(type) as Map<string, HsObject>;
  }

  insert(type: HsObjectType, properties: Record<string, string | null>, createdAt: string, updatedAt: string = createdAt): HsObject {
    const id = this.allocateId(type);
    const obj: HsObject = {
      id,
      properties: { ...properties, hs_object_id: id, [CREATED_PROPERTY(type)]: createdAt, [MODIFIED_PROPERTY[type]]: updatedAt },
      createdAt,
      updatedAt,
      archived: false,
    };
    this.table(type).set(id, obj);
    return obj;
  }

  associate(fromType: HsObjectType, fromId: string, toType: HsObjectType, toId: string, types?: HsAssociationType[]): HsAssociationType[] {
    const forward = types ?? [
      { category: 'HUBSPOT_DEFINED' as const, typeId: defaultAssociationTypeId(fromType, toType) ?? 0, label: null },
    ];
    this.addEdge(fromType, fromId, toType, toId, forward);
    const inverse = forward.map((t) => ({ ...t, typeId: inverseTypeId(fromType, toType, t.typeId) }));
    this.addEdge(toType, toId, fromType, fromId, inverse);
    return forward;
  }

  private addEdge(fromType: HsObjectType, fromId: string, toType: HsObjectType, toId: string, types: HsAssociationType[]): void {
    const key = `${fromType}:${fromId}:${toType}`;
    let edges = this.associations.get(key);
    if (!edges) {
      edges = new Map<string, HsAssociationType[]>();
      this.associations.set(key, edges);
    }
    const existing = edges.get(toId) ?? [];
    for (const t of types) if (!existing.some((e) => e.typeId === t.typeId && e.category === t.category)) existing.push(t);
    edges.set(toId, existing);
  }

  removeAssociation(fromType: HsObjectType, fromId: string, toType: HsObjectType, toId: string): void {
    this.associations.get(`${fromType}:${fromId}:${toType}`)?.delete(toId);
    this.associations.get(`${toType}:${toId}:${fromType}`)?.delete(fromId);
  }

  associationsOf(fromType: HsObjectType, fromId: string, toType: HsObjectType): [string, HsAssociationType[]][] {
    return [...(this.associations.get(`${fromType}:${fromId}:${toType}`)?.entries() ?? [])].sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
  }
}

function inverseTypeId(from: HsObjectType, to: HsObjectType, typeId: number): number {
  if (PRIMARY_TYPE_IDS[`${from}->${to}`] === typeId) return PRIMARY_TYPE_IDS[`${to}->${from}`] ?? typeId;
  if (ASSOCIATION_TYPE_IDS[`${from}->${to}`] === typeId) return ASSOCIATION_TYPE_IDS[`${to}->${from}`] ?? typeId;
  return typeId;
}

const TICKET_STAGE = { open: '1', pending: '3', closed: '4' } as const;
const ENGAGEMENT_TYPE: Record<BookActivity['type'], HsObjectType> = {
  note: 'notes',
  call: 'calls',
  email: 'emails',
  meeting: 'meetings',
  task: 'tasks',
};

/** Loads a generated book into a portal: companies, contacts, deals, tickets, engagements, invoices, associations. */
export function loadBook(state: HubSpotState, book: Book): void {
  const custom = state.profile === 'customised';
  const only = (props: Record<string, string | null>): Record<string, string | null> => (custom ? props : {});
  const ownerIds: string[] = [];
  for (const o of book.owners) {
    const id = String(70_000_000 + o.index + 1);
    ownerIds.push(id);
    state.owners.push({
      id,
      email: o.email,
      firstName: o.firstName,
      lastName: o.lastName,
      userId: 9_000_000 + o.index + 1,
      createdAt: '2020-01-01T00:00:00.000Z',
      updatedAt: '2020-01-01T00:00:00.000Z',
      archived: false,
    });
  }
  const owner = (i: number): string => ownerIds[i % ownerIds.length] as string;
  const bool = (b: boolean): string => (b ? 'true' : 'false');
  for (const { account: a, contacts, deals, tickets, activities, transactions } of book.bundles) {
    const company = state.insert(
      'companies',
      {
        name: a.name,
        domain: a.domain,
        industry: industryOption(a.industry),
        country: a.country,
        lifecyclestage: 'customer',
        hubspot_owner_id: owner(a.ownerIndex),
        annualrevenue: String(Math.round(a.monthlyRevenue * 12 * 100) / 100),
        ...only({
          hs_language: a.lang === 'zh' ? 'zh-cn' : 'en',
          telco_customer_id: a.key,
          contract_type: a.contract,
          tenure_months: String(a.tenureMonths),
          monthly_revenue: String(a.monthlyRevenue),
          total_revenue: String(a.totalRevenue),
          internet_service: a.internetService,
          services: a.services.join(';'),
          payment_method: a.paymentMethod,
          paperless_billing: bool(a.paperlessBilling),
          senior_citizen: bool(a.seniorCitizen),
          partner: bool(a.partner),
          dependents: bool(a.dependents),
          customer_since: a.customerSince,
          renewal_date: a.renewalDate,
          account_status: a.status,
          churned_at: a.churnedAt ?? null,
        }),
      },
      a.customerSince,
      a.churnedAt ?? book.cutoff,
    );
    const contactIds = new Map<string, string>();
    for (const c of contacts) {
      const contact = state.insert(
        'contacts',
        {
          firstname: c.firstName,
          lastname: c.lastName,
          email: c.email,
          phone: c.phone,
          jobtitle: c.title,
          hs_language: c.lang === 'zh' ? 'zh-cn' : 'en',
          associatedcompanyid: company.id,
          ...only({ is_primary_contact: bool(c.isPrimary) }),
        },
        c.createdAt,
      );
      contactIds.set(c.key, contact.id);
      state.associate('contacts', contact.id, 'companies', company.id, [
        { category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' },
        { category: 'HUBSPOT_DEFINED', typeId: 279, label: null },
      ]);
    }
    for (const d of deals) {
      const deal = state.insert(
        'deals',
        {
          dealname: d.name,
          amount: String(d.amount),
          closedate: `${d.closeDate}T00:00:00.000Z`,
          dealstage: d.stage,
          pipeline: 'default',
          dealtype: d.kind === 'new' ? 'newbusiness' : 'existingbusiness',
          hs_is_closed: bool(d.isClosed),
          hs_is_closed_won: bool(d.isWon),
          hubspot_owner_id: owner(d.ownerIndex),
        },
        d.createdAt,
        d.isClosed ? `${d.closeDate}T00:00:00.000Z` : d.createdAt,
      );
      state.associate('deals', deal.id, 'companies', company.id, [
        { category: 'HUBSPOT_DEFINED', typeId: 5, label: 'Primary' },
        { category: 'HUBSPOT_DEFINED', typeId: 341, label: null },
      ]);
    }
    for (const t of tickets) {
      const ticket = state.insert(
        'tickets',
        {
          subject: t.subject,
          content: t.description,
          hs_pipeline: '0',
          hs_pipeline_stage: TICKET_STAGE[t.status],
          hs_ticket_priority: t.priority.toUpperCase(),
          hs_ticket_category: custom ? t.topic.toUpperCase() : ticketCategory(t.topic),
          closed_date: t.closedAt ?? null,
          ...only({ hs_language: t.lang === 'zh' ? 'zh-cn' : 'en' }),
        },
        t.createdAt,
        t.closedAt ?? t.createdAt,
      );
      state.associate('tickets', ticket.id, 'companies', company.id, [
        { category: 'HUBSPOT_DEFINED', typeId: 26, label: 'Primary' },
        { category: 'HUBSPOT_DEFINED', typeId: 339, label: null },
      ]);
      const cid = contactIds.get(t.contactKey);
      if (cid) state.associate('tickets', ticket.id, 'contacts', cid);
    }
    for (const act of activities) {
      const type = ENGAGEMENT_TYPE[act.type];
      const p: Record<string, string | null> = { hs_timestamp: act.occurredAt, hubspot_owner_id: owner(act.ownerIndex) };
      if (type === 'notes') p.hs_note_body = `<p><strong>${act.subject}</strong></p><p>${act.body}</p>`;
      if (type === 'calls')
        Object.assign(p, {
          hs_call_title: act.subject,
          hs_call_body: act.body,
          hs_call_direction: act.direction === 'inbound' ? 'INBOUND' : 'OUTBOUND',
        });
      if (type === 'emails')
        Object.assign(p, {
          hs_email_subject: act.subject,
          hs_email_text: act.body,
          hs_email_direction: act.direction === 'inbound' ? 'INCOMING_EMAIL' : 'EMAIL',
        });
      if (type === 'meetings')
        Object.assign(p, { hs_meeting_title: act.subject, hs_meeting_body: act.body, hs_meeting_start_time: act.occurredAt });
      if (type === 'tasks')
        Object.assign(p, {
          hs_task_subject: act.subject,
          hs_task_body: act.body,
          hs_task_status: act.taskStatus === 'completed' ? 'COMPLETED' : 'NOT_STARTED',
        });
      const e = state.insert(type, p, act.occurredAt);
      state.associate(type, e.id, 'companies', company.id);
    }
    const payments = new Map(transactions.filter((t) => t.kind === 'payment').map((t) => [t.key.replace(/-P(\d+)$/, '-I$1'), t]));
    // A vanilla portal does not invoice through HubSpot (Commerce Hub): no invoices there.
    for (const tx of custom ? transactions : []) {
      if (tx.kind !== 'invoice') continue;
      const paid = payments.get(tx.key);
      const inv = state.insert(
        'invoices',
        {
          hs_invoice_date: tx.occurredAt,
          hs_due_date: tx.dueDate ?? null,
          hs_amount_billed: String(tx.amount),
          hs_amount_paid: paid ? String(paid.amount) : '0',
          hs_payment_date: paid?.occurredAt ?? null,
          hs_invoice_status: paid ? 'paid' : 'open',
          hs_currency: tx.currency,
        },
        tx.occurredAt,
        paid?.occurredAt ?? tx.occurredAt,
      );
      state.associate('invoices', inv.id, 'companies', company.id);
    }
  }
}

const INDUSTRY_OPTION: Record<string, string> = {
  Retail: 'RETAIL',
  Healthcare: 'HOSPITAL_HEALTH_CARE',
  'Professional Services': 'MANAGEMENT_CONSULTING',
  Hospitality: 'HOSPITALITY',
  Manufacturing: 'MECHANICAL_OR_INDUSTRIAL_ENGINEERING',
  'Real Estate': 'REAL_ESTATE',
  Education: 'EDUCATION_MANAGEMENT',
  Transportation: 'TRANSPORTATION_TRUCKING_RAILROAD',
};
/** The seed's industry words as HubSpot's industry enumeration values. */
function industryOption(industry: string): string | null {
  const v = INDUSTRY_OPTION[industry] ?? industry.toUpperCase().replace(/\W+/g, '_');
  return HUBSPOT_INDUSTRIES.includes(v) ? v : null;
}
/** A vanilla portal only has HubSpot's four ticket categories. */
function ticketCategory(topic: string): string {
  const v =
    topic === 'billing'
      ? 'BILLING_ISSUE'
      : topic === 'onboarding' || topic === 'contract' || topic === 'praise'
        ? 'GENERAL_INQUIRY'
        : 'PRODUCT_ISSUE';
  return TICKET_CATEGORIES.includes(v) ? v : 'GENERAL_INQUIRY';
}
