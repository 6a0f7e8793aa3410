import {
  buildRecord,
  canonicalId,
  isSuccessEngineError,
  type CanonicalRecord,
  type EntityName,
  type TenantId,
  type ValidationIssue,
} from '../../core';
import { dateOf, dateTimeOf, numberOf, type AccountFieldMapping } from '../shared/field-mapping';
import { mapSalesforceAccount, type SfRow } from './salesforce-account.mapper';
import { ACCOUNT_KEY_PREFIX, CONTACT_KEY_PREFIX, type SalesforceObjectName } from './salesforce-objects';

export type RecordOutcome = { ok: true; record: CanonicalRecord } | { ok: false; externalId: string; field: string; reason: string };

const text = (v: unknown): string | undefined =>
  v === null || v === undefined || v === ''
    ? undefined
    : typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'boolean'
        ? String(v)
        : undefined;
/** REST gives booleans; Bulk CSV gives "true"/"false". */
const bool = (v: unknown): boolean => v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
const sfId = (v: unknown, prefix: string): string | undefined => {
  const t = text(v);
  return t !== undefined && t.startsWith(prefix) ? t : undefined;
};
const compact = (draft: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined));

const CASE_OPEN = new Set(['new', 'open']);
const PRIORITY: Record<string, 'low' | 'medium' | 'high' | 'urgent'> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'urgent',
  urgent: 'urgent',
};

function opportunityKind(type: string | undefined): 'new' | 'renewal' | 'upsell' | 'other' {
  if (!type) return 'other';
  if (/renewal/i.test(type)) return 'renewal';
  if (/upsell|upgrade|add-?on|expansion/i.test(type)) return 'upsell';
  if (/new/i.test(type)) return 'new';
  return 'other';
}

/** One sObject row → a canonical record; failures name the Salesforce field at fault. */
export function mapSalesforceRow(
  object: SalesforceObjectName,
  row: SfRow,
  ctx: { tenantId: TenantId; mapping: AccountFieldMapping },
): RecordOutcome {
  if (object === 'Account') return mapSalesforceAccount(row, ctx);
  const accountOf = (field: string): string | undefined => {
    const id = sfId(row[field], ACCOUNT_KEY_PREFIX);
    return id === undefined ? undefined : canonicalId('salesforce', id);
  };
  const created = dateTimeOf(text(row.CreatedDate));
  let entity: EntityName;
  let draft: Record<string, unknown>;
  const fieldOf: Record<string, string> = {};
  switch (object) {
    case 'Contact':
      entity = 'contact';
      draft = {
        accountId: accountOf('AccountId'),
        firstName: text(row.FirstName),
        lastName: text(row.LastName),
        email: text(row.Email),
        phone: text(row.Phone),
        title: text(row.Title),
        isPrimary: bool(row.Primary_Contact__c),
        attributes: compact({ language: text(row.Language__c) }),
      };
      Object.assign(fieldOf, { email: 'Email', accountId: 'AccountId' });
      break;
    case 'Opportunity':
      entity = 'opportunity';
      draft = {
        accountId: accountOf('AccountId'),
        name: text(row.Name) ?? '',
        kind: opportunityKind(text(row.Type)),
        stage: text(row.StageName) ?? '',
        amount: numberOf(text(row.Amount)),
        // Multi-currency orgs: the amount is in the record's currency (CurrencyIsoCode), labelled as such.
        currency: text(row.CurrencyIsoCode)?.toUpperCase(),
        closeDate: dateOf(text(row.CloseDate)),
        isClosed: bool(row.IsClosed),
        isWon: bool(row.IsWon),
        ownerId: text(row.OwnerId),
        createdAt: created,
      };
      Object.assign(fieldOf, {
        accountId: 'AccountId',
        name: 'Name',
        stage: 'StageName',
        amount: 'Amount',
        closeDate: 'CloseDate',
        createdAt: 'CreatedDate',
      });
      break;
    case 'Case': {
      entity = 'ticket';
      const status = text(row.Status)?.toLowerCase() ?? '';
      draft = {
        accountId: accountOf('AccountId'),
        subject: text(row.Subject) ?? '',
        description: text(row.Description),
        status: bool(row.IsClosed) || status === 'closed' ? 'closed' : CASE_OPEN.has(status) ? 'open' : 'pending',
        priority: PRIORITY[text(row.Priority)?.toLowerCase() ?? ''] ?? 'medium',
        createdAt: created,
        closedAt: dateTimeOf(text(row.ClosedDate)),
        attributes: compact({
          origin: text(row.Origin),
          category: text(row.Type),
          language: text(row.Language__c),
          contactId: text(row.ContactId),
        }),
      };
      Object.assign(fieldOf, { accountId: 'AccountId', createdAt: 'CreatedDate', closedAt: 'ClosedDate' });
      break;
    }
    case 'Task':
    case 'Event': {
      entity = 'activity';
      const subtype = text(row.TaskSubtype)?.toLowerCase();
      const type =
        object === 'Event'
          ? 'meeting'
          : subtype === 'email'
            ? 'email'
            : subtype === 'call'
              ? 'call'
              : text(row.Type)?.toLowerCase() === 'note'
                ? 'note'
                : 'task';
      const callType = text(row.CallType)?.toLowerCase();
      const status = text(row.Status)?.toLowerCase();
      const contact = sfId(row.WhoId, CONTACT_KEY_PREFIX);
      draft = {
        // Task/Event.AccountId is derived by Salesforce from WhatId/WhoId; WhatId covers orgs where it is hidden.
        accountId: accountOf('AccountId') ?? accountOf('WhatId'),
        contactId: contact === undefined ? undefined : canonicalId('salesforce', contact),
        type,
        occurredAt:
          object === 'Event' ? (dateTimeOf(text(row.StartDateTime)) ?? dateTimeOf(text(row.ActivityDateTime)) ?? created) : created,
        subject: text(row.Subject),
        body: text(row.Description),
        direction: callType === 'inbound' ? 'inbound' : callType === 'outbound' ? 'outbound' : undefined,
        taskStatus: type === 'task' ? (status === 'completed' ? 'completed' : status === 'deferred' ? 'cancelled' : 'open') : undefined,
        dueDate: type === 'task' ? dateOf(text(row.ActivityDate)) : undefined,
        ownerId: text(row.OwnerId),
      };
      Object.assign(fieldOf, {
        accountId: 'WhatId',
        occurredAt: object === 'Event' ? 'StartDateTime' : 'CreatedDate',
        dueDate: 'ActivityDate',
      });
      break;
    }
    case 'Invoice__c':
      entity = 'transaction';
      draft = {
        accountId: accountOf('Account__c'),
        kind: 'invoice',
        occurredAt: dateTimeOf(text(row.Invoice_Date__c)) ?? created,
        amount: numberOf(text(row.Amount__c)),
        currency: text(row.CurrencyIsoCode)?.toUpperCase(),
        dueDate: dateOf(text(row.Due_Date__c)),
        paidAt: dateTimeOf(text(row.Paid_At__c)),
        attributes: compact({ status: text(row.Status__c), number: text(row.Name) }),
      };
      Object.assign(fieldOf, {
        accountId: 'Account__c',
        amount: 'Amount__c',
        occurredAt: 'Invoice_Date__c',
        dueDate: 'Due_Date__c',
        paidAt: 'Paid_At__c',
      });
      break;
  }
  if (entity !== 'contact' && draft.accountId === undefined) {
    const field = fieldOf.accountId ?? 'AccountId';
    return { ok: false, externalId: row.Id, field, reason: `${object} ${row.Id}: ${field}: not linked to an account` };
  }
  try {
    const record = buildRecord(entity, {
      ...compact(draft),
      id: canonicalId('salesforce', row.Id),
      tenantId: ctx.tenantId,
      source: { provider: 'salesforce', externalId: row.Id, modstamp: dateTimeOf(text(row.SystemModstamp)) },
    } as never);
    return { ok: true, record };
  } catch (error) {
    if (!isSuccessEngineError(error, 'CORE.VALIDATION_FAILED')) throw error;
    const issue = ((error.details.issues ?? []) as ValidationIssue[])[0];
    const field = issue ? (fieldOf[issue.path.split('.')[0] ?? ''] ?? issue.path) : '(record)';
    return { ok: false, externalId: row.Id, field, reason: `${object} ${row.Id}: ${field}: ${issue?.message ?? error.message}` };
  }
}
