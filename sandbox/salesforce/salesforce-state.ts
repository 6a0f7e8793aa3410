import type { Book } from '../seed/book.types';
import {
  buildSchema,
  customObjectSchema,
  makeField,
  normaliseId,
  ORG_CURRENCIES,
  PACKAGE_FIELDS,
  PACKAGE_PERMISSION_SET,
  PACKAGE_TASK_FIELDS,
  salesforceId,
  type SfCustomObjectDefinition,
  type SfField,
  type SfObjectSchema,
  type SfOrgProfile,
} from './salesforce-schema';

export type SfRecord = Record<string, unknown> & { Id: string; IsDeleted: boolean; SystemModstamp: string };

/** Salesforce datetime format on the wire: 2026-10-01T12:00:00.000+0000. */
export function sfDateTime(ms: number | string | Date): string {
  const d = typeof ms === 'string' || typeof ms === 'number' ? new Date(ms) : ms;
  return d.toISOString().replace('Z', '+0000');
}

export function parseSfDateTime(value: string): number {
  return Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export interface OrgSnapshot {
  tables: Map<string, Map<string, SfRecord>>;
  deletedAt: Map<string, string>;
  writes: Map<string, number>;
  purgedBefore: number;
}

export class SalesforceState {
  readonly schema: Map<string, SfObjectSchema>;
  /** Lower-cased object name → id → record (deleted records stay, flagged, for queryAll/getDeleted). */
  readonly records = new Map<string, Map<string, SfRecord>>();
  /** The delete log (id → deletion time) that getDeleted reads; it outlives a purged Recycle Bin. */
  readonly deletedAt = new Map<string, string>();
  /** Delete-log entries before this instant are gone (Salesforce purges the log; getDeleted reports it as earliestDateAvailable). */
  deleteLogPurgedBefore = 0;
  /** Updates applied per record id (tests check a retried write never applied twice). */
  readonly writes = new Map<string, number>();
  private counter = 0;

  constructor(
    readonly orgId: string,
    readonly userId: string,
    readonly namespace: string,
    readonly profile: SfOrgProfile = 'customised',
  ) {
    this.schema = buildSchema(profile);
    for (const key of this.schema.keys()) this.records.set(key, new Map());
  }

  /** Deploys a custom object, as a Metadata API deploy would (fields visible to the admin profile). */
  deployCustomObject(def: SfCustomObjectDefinition): SfObjectSchema {
    const prefix = `a0${String.fromCharCode(66 + (this.schema.size % 24))}`;
    const o = customObjectSchema(def, prefix);
    this.schema.set(def.name.toLowerCase(), o);
    this.records.set(def.name.toLowerCase(), new Map());
    return o;
  }

  get multiCurrency(): boolean {
    return this.schema.has('currencytype');
  }

  /** Seeds the org's own rows: the Organization, a System Administrator profile, and the currencies. */
  seedOrg(): void {
    const at = '2020-01-01T00:00:00.000Z';
    this.insertWithId(
      'Organization',
      this.orgId,
      {
        Name: 'Sandbox Org',
        OrganizationType: 'Enterprise Edition',
        IsSandbox: false,
        DefaultLocaleSidKey: 'en_US',
        LanguageLocaleKey: 'en_US',
        TimeZoneSidKey: 'America/Los_Angeles',
        InstanceName: 'SBX1',
      },
      at,
    );
    this.insert('Profile', { Name: 'System Administrator' }, at);
    const rates: Record<string, number> = { USD: 1, EUR: 0.92, CNY: 7.1 };
    if (this.multiCurrency)
      for (const code of ORG_CURRENCIES)
        this.insert(
          'CurrencyType',
          { IsoCode: code, ConversionRate: rates[code], DecimalPlaces: 2, IsActive: true, IsCorporate: code === 'USD' },
          at,
        );
  }

  /** Whether `userId` may read (or edit) the field: profile-level for standard/seeded fields, a permission set for secured ones. */
  canAccess(objectName: string, field: SfField, userId: string, edit: boolean): boolean {
    if (!field.secured) return true;
    const key = `${objectName}.${field.name}`.toLowerCase();
    const assigned = new Set(
      [...this.table('PermissionSetAssignment').values()]
        .filter((a) => !a.IsDeleted && a.AssigneeId === userId)
        .map((a) => a.PermissionSetId),
    );
    return [...this.table('FieldPermissions').values()].some(
      (fp) =>
        !fp.IsDeleted &&
        assigned.has(fp.ParentId) &&
        String(fp.Field).toLowerCase() === key &&
        (edit ? fp.PermissionsEdit === true : fp.PermissionsRead === true || fp.PermissionsEdit === true),
    );
  }

  /** The object as `userId` sees it: secured fields it has no access to are left out (describe, SOQL, writes). */
  visibleObject(name: string, userId: string | undefined): SfObjectSchema | undefined {
    const o = this.object(name);
    if (!o || userId === undefined) return o;
    const hidden = [...o.fields.values()].filter((f) => !this.canAccess(o.name, f, userId, false));
    if (hidden.length === 0) return o;
    const fields = new Map([...o.fields].filter(([, f]) => !hidden.includes(f)));
    return { ...o, fields };
  }

  /** A record by id (15 or 18 characters) in one table. */
  get(objectName: string, id: string): SfRecord | undefined {
    const full = normaliseId(id);
    return full ? this.table(objectName).get(full) : undefined;
  }

  object(name: string): SfObjectSchema | undefined {
    return this.schema.get(name.toLowerCase());
  }

  table(name: string): Map<string, SfRecord> {
    return this.records.get(name.toLowerCase()) as Map<string, SfRecord>;
  }

  /**
   * Installs the package: its custom fields on Account and Task (namespaced like a managed package),
   * secured, and the permission set it carries granting read/edit on each. `assignTo` assigns that
   * permission set (an admin or our install does that; the package alone grants no one).
   */
  installPackageFields(assignTo?: string): string {
    const account = this.object('Account') as SfObjectSchema;
    const prefix = this.namespace ? `${this.namespace}__` : '';
    const at = '2020-01-01T00:00:00.000Z';
    const permSet = this.insert(
      'PermissionSet',
      {
        Name: PACKAGE_PERMISSION_SET,
        Label: 'Success Engine Integration',
        NamespacePrefix: this.namespace || null,
        IsOwnedByProfile: false,
      },
      at,
    );
    const grant = (o: SfObjectSchema, name: string): void => {
      this.insert(
        'FieldPermissions',
        { ParentId: permSet.Id, SobjectType: o.name, Field: `${o.name}.${name}`, PermissionsRead: true, PermissionsEdit: true },
        at,
      );
    };
    for (const [name, type] of PACKAGE_FIELDS) grant(account, this.addField(account, `${prefix}${name}`, type));
    const task = this.object('Task') as SfObjectSchema;
    for (const [name, type] of PACKAGE_TASK_FIELDS) grant(task, this.addField(task, `${prefix}${name}`, type));
    if (assignTo) this.insert('PermissionSetAssignment', { AssigneeId: assignTo, PermissionSetId: permSet.Id }, at);
    return permSet.Id;
  }

  /** A field created through Metadata/Tooling: secured until a permission set grants it. */
  addField(o: SfObjectSchema, name: string, type: Parameters<typeof makeField>[1], extra: Partial<SfField> = {}): string {
    o.fields.set(name.toLowerCase(), makeField(name, type, { custom: true, secured: true, ...extra }));
    for (const r of this.table(o.name).values()) r[name] ??= type === 'boolean' ? false : null;
    return name;
  }

  /** Deletes a custom field, as Setup or the Metadata API does (its data goes with it). */
  deleteField(objectName: string, fieldName: string): boolean {
    const o = this.object(objectName);
    const f = o?.fields.get(fieldName.toLowerCase());
    if (!o || !f || !f.custom) return false;
    o.fields.delete(fieldName.toLowerCase());
    for (const r of this.table(o.name).values()) delete r[f.name];
    return true;
  }

  /** Soft delete, as the UI or API does: the row stays in the Recycle Bin (queryAll sees it) and in the delete log. */
  softDelete(id: string, at: string): boolean {
    const found = this.findById(id);
    if (!found || found.record.IsDeleted) return false;
    found.record.IsDeleted = true;
    found.record.SystemModstamp = sfDateTime(at);
    this.deletedAt.set(found.record.Id, sfDateTime(at));
    return true;
  }

  /**
   * Empty the Recycle Bin (or a hard delete): rows vanish from queryAll but stay in the delete log,
   * so only getDeleted still reports them.
   */
  purgeRecycleBin(): number {
    let n = 0;
    for (const table of this.records.values()) {
      for (const [id, r] of table) {
        if (!r.IsDeleted) continue;
        if (!this.deletedAt.has(id)) this.deletedAt.set(id, r.SystemModstamp);
        table.delete(id);
        n++;
      }
    }
    return n;
  }

  /** Drop delete-log entries older than `before` (ms): a window starting earlier can no longer be replicated. */
  purgeDeleteLog(before: number): void {
    for (const [id, at] of this.deletedAt) if (parseSfDateTime(at) < before) this.deletedAt.delete(id);
    this.deleteLogPurgedBefore = Math.max(this.deleteLogPurgedBefore, before);
  }

  /** User whose id stamps CreatedById/LastModifiedById on seeded rows. */
  systemUserId = '';

  insert(objectName: string, fields: Record<string, unknown>, createdAt: string, modifiedAt: string = createdAt): SfRecord {
    const schema = this.object(objectName) as SfObjectSchema;
    return this.insertWithId(objectName, salesforceId(schema.keyPrefix, ++this.counter), fields, createdAt, modifiedAt);
  }

  /** Inserts a row; fields the org does not have (a vanilla org has no custom fields) are left out. */
  insertWithId(
    objectName: string,
    id: string,
    fields: Record<string, unknown>,
    createdAt: string,
    modifiedAt: string = createdAt,
  ): SfRecord {
    const schema = this.object(objectName) as SfObjectSchema;
    const record: SfRecord = {
      Id: id,
      IsDeleted: false,
      CreatedDate: sfDateTime(createdAt),
      LastModifiedDate: sfDateTime(modifiedAt),
      SystemModstamp: sfDateTime(modifiedAt),
    };
    for (const field of schema.fields.values())
      if (!(field.name in record))
        record[field.name] =
          field.type === 'boolean'
            ? false
            : field.defaultedOnCreate && field.picklistValues.some((v) => v.defaultValue)
              ? (field.picklistValues.find((v) => v.defaultValue)?.value ?? null)
              : null;
    record.CreatedById = this.systemUserId || null;
    record.LastModifiedById = this.systemUserId || null;
    for (const [k, v] of Object.entries(fields)) {
      const f = schema.fields.get(k.toLowerCase());
      if (f) record[f.name] = v;
    }
    if (schema.fields.has('ownerid') && record.OwnerId === null && this.systemUserId) record.OwnerId = this.systemUserId;
    const format = schema.fields.get('name')?.autoNumberFormat;
    if (format)
      record.Name = format.replace(/\{(0+)\}/, (_m, zeros: string) => String(this.table(objectName).size + 1).padStart(zeros.length, '0'));
    this.table(objectName).set(id, record);
    return record;
  }

  /**
   * A copy of every row, the delete log and the write counts, for an all-or-nothing request (Composite
   * with allOrNone, sObject Tree) to roll back to. Schema changes are not part of it: none of those
   * requests can change the schema.
   */
  snapshot(): OrgSnapshot {
    const tables = new Map<string, Map<string, SfRecord>>();
    for (const [name, table] of this.records) tables.set(name, new Map([...table].map(([id, r]) => [id, { ...r }])));
    return { tables, deletedAt: new Map(this.deletedAt), writes: new Map(this.writes), purgedBefore: this.deleteLogPurgedBefore };
  }

  /** Puts the rows back as they were at `snap`, in place (objects other code holds see the old values again). */
  restore(snap: OrgSnapshot): void {
    for (const [name, table] of this.records) {
      const before = snap.tables.get(name) ?? new Map<string, SfRecord>();
      for (const [id, r] of table) {
        const old = before.get(id);
        if (!old) {
          table.delete(id);
          continue;
        }
        for (const k of Object.keys(r)) if (!(k in old)) delete r[k];
        Object.assign(r, old);
      }
      for (const [id, old] of before) if (!table.has(id)) table.set(id, { ...old });
    }
    this.deletedAt.clear();
    for (const [k, v] of snap.deletedAt) this.deletedAt.set(k, v);
    this.writes.clear();
    for (const [k, v] of snap.writes) this.writes.set(k, v);
    this.deleteLogPurgedBefore = snap.purgedBefore;
  }

  findById(id: string): { objectName: string; record: SfRecord } | undefined {
    for (const [name, table] of this.records) {
      const full = normaliseId(id);
      const r = full ? table.get(full) : undefined;
      if (r) return { objectName: (this.schema.get(name) as SfObjectSchema).name, record: r };
    }
    return undefined;
  }
}

const STAGE = {
  closedwon: 'Closed Won',
  closedlost: 'Closed Lost',
  contractsent: 'Proposal/Price Quote',
  qualifiedtobuy: 'Qualification',
} as const;
const CASE_STATUS = { open: 'New', pending: 'Working', closed: 'Closed' } as const;
const PRIORITY = { low: 'Low', medium: 'Medium', high: 'High', urgent: 'High' } as const;

/** Loads a generated book as Accounts, Contacts, Opportunities, Cases, Tasks/Events and Invoice__c rows. */
export function loadBookIntoOrg(state: SalesforceState, book: Book): void {
  const users = book.owners.map((o) =>
    state.insert(
      'User',
      {
        FirstName: o.firstName,
        LastName: o.lastName,
        Name: `${o.firstName} ${o.lastName}`,
        Email: o.email,
        Username: o.email,
        IsActive: true,
      },
      '2020-01-01T00:00:00.000Z',
    ),
  );
  const owner = (i: number): string => (users[i % users.length] as SfRecord).Id;
  // Generated dates can fall after the book's as-of date (planned contacts, future close dates);
  // Salesforce never stamps a row in the future, so creation and modstamps stop at as-of.
  const asOf = Date.parse(book.asOf);
  const insert = (objectName: string, fields: Record<string, unknown>, createdAt: string, modifiedAt: string = createdAt): SfRecord => {
    const clamp = (iso: string): string => (Date.parse(iso) > asOf ? book.asOf : iso);
    return state.insert(objectName, fields, clamp(createdAt), clamp(modifiedAt));
  };
  const date = (iso: string): string => iso.slice(0, 10);
  for (const { account: a, contacts, deals, tickets, activities, transactions } of book.bundles) {
    const acc = insert(
      'Account',
      {
        Name: a.name,
        Website: `https://${a.domain}`,
        Industry: a.industry,
        BillingCountry: a.country,
        Type: 'Customer - Direct',
        AnnualRevenue: Math.round(a.monthlyRevenue * 12 * 100) / 100,
        OwnerId: owner(a.ownerIndex),
        Telco_Customer_Id__c: a.key,
        Contract_Type__c: a.contract,
        Tenure_Months__c: a.tenureMonths,
        Monthly_Revenue__c: a.monthlyRevenue,
        Total_Revenue__c: a.totalRevenue,
        Internet_Service__c: a.internetService,
        Services__c: a.services.join(';'),
        Payment_Method__c: a.paymentMethod,
        Paperless_Billing__c: a.paperlessBilling,
        Customer_Since__c: sfDateTime(a.customerSince),
        Renewal_Date__c: a.renewalDate,
        Account_Status__c: a.status,
        Churned_At__c: a.churnedAt ? sfDateTime(a.churnedAt) : null,
        Language__c: a.lang,
      },
      a.customerSince,
      a.churnedAt ?? book.cutoff,
    );
    const contactIds = new Map<string, string>();
    for (const c of contacts) {
      const rec = insert(
        'Contact',
        {
          AccountId: acc.Id,
          FirstName: c.firstName,
          LastName: c.lastName,
          Name: c.lang === 'zh' ? `${c.lastName}${c.firstName}` : `${c.firstName} ${c.lastName}`,
          Email: c.email,
          Phone: c.phone,
          Title: c.title,
          OwnerId: owner(a.ownerIndex),
          Primary_Contact__c: c.isPrimary,
          Language__c: c.lang,
        },
        c.createdAt,
      );
      contactIds.set(c.key, rec.Id);
    }
    for (const d of deals) {
      insert(
        'Opportunity',
        {
          AccountId: acc.Id,
          Name: d.name,
          StageName: STAGE[d.stage],
          Amount: d.amount,
          CloseDate: d.closeDate,
          IsClosed: d.isClosed,
          IsWon: d.isWon,
          Type: d.kind === 'new' ? 'New Business' : 'Existing Customer - Renewal',
          OwnerId: owner(d.ownerIndex),
        },
        d.createdAt,
        d.isClosed ? `${d.closeDate}T00:00:00.000Z` : d.createdAt,
      );
    }
    for (const t of tickets) {
      insert(
        'Case',
        {
          AccountId: acc.Id,
          ContactId: contactIds.get(t.contactKey) ?? null,
          Subject: t.subject,
          Description: t.description,
          Status: CASE_STATUS[t.status],
          Priority: PRIORITY[t.priority],
          IsClosed: t.status === 'closed',
          ClosedDate: t.closedAt ? sfDateTime(t.closedAt) : null,
          Origin: 'Email',
          Type: t.topic,
          Language__c: t.lang,
        },
        t.createdAt,
        t.closedAt ?? t.createdAt,
      );
    }
    for (const act of activities) {
      const common = {
        WhatId: acc.Id,
        AccountId: acc.Id,
        WhoId: contactIds.get(act.contactKey) ?? null,
        Subject: act.subject,
        Description: act.body,
        OwnerId: owner(act.ownerIndex),
      };
      if (act.type === 'meeting') {
        insert(
          'Event',
          {
            ...common,
            StartDateTime: sfDateTime(act.occurredAt),
            EndDateTime: sfDateTime(Date.parse(act.occurredAt) + 3_600_000),
            ActivityDateTime: sfDateTime(act.occurredAt),
          },
          act.occurredAt,
        );
      } else {
        const subtype = act.type === 'email' ? 'Email' : act.type === 'call' ? 'Call' : 'Task';
        insert(
          'Task',
          {
            ...common,
            ActivityDate: date(act.occurredAt),
            Status: act.type === 'task' && act.taskStatus === 'open' ? 'Not Started' : 'Completed',
            IsClosed: !(act.type === 'task' && act.taskStatus === 'open'),
            TaskSubtype: subtype,
            Type: act.type === 'note' ? 'Note' : subtype,
            CallType: act.type === 'call' ? (act.direction === 'inbound' ? 'Inbound' : 'Outbound') : null,
          },
          act.occurredAt,
        );
      }
    }
    if (!state.object('Invoice__c')) continue;
    const payments = new Map(transactions.filter((t) => t.kind === 'payment').map((t) => [t.key.replace(/-P(\d+)$/, '-I$1'), t]));
    for (const tx of transactions) {
      if (tx.kind !== 'invoice') continue;
      const paid = payments.get(tx.key);
      insert(
        'Invoice__c',
        {
          Name: tx.key,
          Account__c: acc.Id,
          Invoice_Date__c: sfDateTime(tx.occurredAt),
          Due_Date__c: tx.dueDate ?? null,
          Amount__c: tx.amount,
          Paid_At__c: paid ? sfDateTime(paid.occurredAt) : null,
          Status__c: paid ? 'paid' : 'open',
          CurrencyIsoCode: tx.currency,
        },
        tx.occurredAt,
        paid?.occurredAt ?? tx.occurredAt,
      );
    }
  }
}

/** Fields the system derives from others on every write (Object Reference: IsClosed/IsWon follow the stage or status). */
export function deriveFields(objectName: string, r: SfRecord): void {
  if (objectName === 'Opportunity') {
    r.IsClosed = r.StageName === 'Closed Won' || r.StageName === 'Closed Lost';
    r.IsWon = r.StageName === 'Closed Won';
  }
  if (objectName === 'Case') r.IsClosed = r.Status === 'Closed';
  if (objectName === 'Task') r.IsClosed = r.Status === 'Completed' || r.Status === 'Deferred';
  if (objectName === 'Contact' || objectName === 'User')
    r.Name = [r.FirstName, r.LastName].filter((x) => typeof x === 'string' && x).join(' ');
}
