import { z } from 'zod';

/**
 * Branded ids: a ContactId can't be passed where an AccountId is expected.
 * Canonical record ids are `<provider>:<externalId>`, so mappers link records (a contact's account)
 * without a lookup, and the same CRM record always gets the same id.
 */
const idString = z.string().trim().min(1, 'must not be empty').max(512);

export const TenantIdSchema = idString.brand<'TenantId'>();
export const AccountIdSchema = idString.brand<'AccountId'>();
export const ContactIdSchema = idString.brand<'ContactId'>();
export const OpportunityIdSchema = idString.brand<'OpportunityId'>();
export const TicketIdSchema = idString.brand<'TicketId'>();
export const ActivityIdSchema = idString.brand<'ActivityId'>();
export const SubscriptionIdSchema = idString.brand<'SubscriptionId'>();
export const TransactionIdSchema = idString.brand<'TransactionId'>();
export const ConnectionIdSchema = idString.brand<'ConnectionId'>();

export type TenantId = z.infer<typeof TenantIdSchema>;
export type AccountId = z.infer<typeof AccountIdSchema>;
export type ContactId = z.infer<typeof ContactIdSchema>;
export type OpportunityId = z.infer<typeof OpportunityIdSchema>;
export type TicketId = z.infer<typeof TicketIdSchema>;
export type ActivityId = z.infer<typeof ActivityIdSchema>;
export type SubscriptionId = z.infer<typeof SubscriptionIdSchema>;
export type TransactionId = z.infer<typeof TransactionIdSchema>;
export type ConnectionId = z.infer<typeof ConnectionIdSchema>;

export const ProviderSchema = z.enum(['salesforce', 'hubspot', 'file']);
export type Provider = z.infer<typeof ProviderSchema>;

/** The canonical id of a CRM record: stable for a given provider and external id. */
export function canonicalId<T extends string>(provider: Provider, externalId: string): T {
  if (externalId.trim() === '') throw new TypeError('externalId must not be empty');
  return `${provider}:${externalId}` as T;
}

export const tenantId = (value: string): TenantId => TenantIdSchema.parse(value);
export const accountId = (value: string): AccountId => AccountIdSchema.parse(value);
