import { z } from 'zod';
import {
  AccountIdSchema,
  ActivityIdSchema,
  ContactIdSchema,
  OpportunityIdSchema,
  SubscriptionIdSchema,
  TicketIdSchema,
  TransactionIdSchema,
} from '../ids';
import { AttributesSchema, CurrencySchema, IsoDateSchema, IsoDateTimeSchema, recordBase } from './common.schema';

const money = z.number().finite();
const nonNegative = z.number().finite().nonnegative();

export const CanonicalAccountSchema = z.object({
  ...recordBase,
  id: AccountIdSchema,
  name: z.string().trim().min(1, 'must not be empty'),
  domain: z.string().optional(),
  industry: z.string().optional(),
  country: z.string().optional(),
  ownerId: z.string().optional(),
  ownerName: z.string().optional(),
  /** Annual recurring revenue in `currency`. */
  arr: nonNegative.optional(),
  currency: CurrencySchema.optional(),
  plan: z.string().optional(),
  contractType: z.enum(['month-to-month', 'one-year', 'two-year', 'other']).optional(),
  renewalDate: IsoDateSchema.optional(),
  customerSince: IsoDateTimeSchema.optional(),
  status: z.enum(['prospect', 'active', 'churned']),
  churnedAt: IsoDateTimeSchema.optional(),
  seats: z.number().int().nonnegative().optional(),
  attributes: AttributesSchema.default({}),
});

export const CanonicalContactSchema = z.object({
  ...recordBase,
  id: ContactIdSchema,
  accountId: AccountIdSchema.optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  email: z.email().optional(),
  phone: z.string().optional(),
  title: z.string().optional(),
  isPrimary: z.boolean().default(false),
  attributes: AttributesSchema.default({}),
});

export const CanonicalOpportunitySchema = z.object({
  ...recordBase,
  id: OpportunityIdSchema,
  accountId: AccountIdSchema,
  name: z.string().trim().min(1, 'must not be empty'),
  kind: z.enum(['new', 'renewal', 'upsell', 'other']),
  stage: z.string().min(1),
  amount: money.optional(),
  currency: CurrencySchema.optional(),
  closeDate: IsoDateSchema,
  isClosed: z.boolean(),
  isWon: z.boolean(),
  ownerId: z.string().optional(),
  createdAt: IsoDateTimeSchema,
  attributes: AttributesSchema.default({}),
});

export const CanonicalTicketSchema = z.object({
  ...recordBase,
  id: TicketIdSchema,
  accountId: AccountIdSchema,
  subject: z.string(),
  description: z.string().optional(),
  status: z.enum(['open', 'pending', 'closed']),
  priority: z.enum(['low', 'medium', 'high', 'urgent']),
  createdAt: IsoDateTimeSchema,
  closedAt: IsoDateTimeSchema.optional(),
  attributes: AttributesSchema.default({}),
});

export const ActivityTypeSchema = z.enum(['email', 'call', 'meeting', 'note', 'task']);
export const CanonicalActivitySchema = z.object({
  ...recordBase,
  id: ActivityIdSchema,
  accountId: AccountIdSchema,
  contactId: ContactIdSchema.optional(),
  type: ActivityTypeSchema,
  occurredAt: IsoDateTimeSchema,
  subject: z.string().optional(),
  body: z.string().optional(),
  direction: z.enum(['inbound', 'outbound']).optional(),
  /** Tasks only. */
  taskStatus: z.enum(['open', 'completed', 'cancelled']).optional(),
  dueDate: IsoDateSchema.optional(),
  ownerId: z.string().optional(),
  attributes: AttributesSchema.default({}),
});

export const CanonicalSubscriptionSchema = z.object({
  ...recordBase,
  id: SubscriptionIdSchema,
  accountId: AccountIdSchema,
  plan: z.string().min(1),
  status: z.enum(['trial', 'active', 'cancelled', 'expired']),
  startDate: IsoDateSchema,
  endDate: IsoDateSchema.optional(),
  renewalDate: IsoDateSchema.optional(),
  billingPeriod: z.enum(['monthly', 'quarterly', 'annual', 'other']),
  /** Monthly recurring revenue in `currency`. */
  mrr: nonNegative,
  currency: CurrencySchema,
  seats: z.number().int().nonnegative().optional(),
  attributes: AttributesSchema.default({}),
});

export const CanonicalTransactionSchema = z.object({
  ...recordBase,
  id: TransactionIdSchema,
  accountId: AccountIdSchema,
  kind: z.enum(['order', 'invoice', 'payment', 'refund', 'usage']),
  occurredAt: IsoDateTimeSchema,
  amount: money,
  currency: CurrencySchema.optional(),
  quantity: z.number().finite().optional(),
  /** Usage events: which metric (logins, api_calls, seats_used …). */
  metric: z.string().optional(),
  dueDate: IsoDateSchema.optional(),
  paidAt: IsoDateTimeSchema.optional(),
  attributes: AttributesSchema.default({}),
});

export type CanonicalAccount = z.infer<typeof CanonicalAccountSchema>;
export type CanonicalContact = z.infer<typeof CanonicalContactSchema>;
export type CanonicalOpportunity = z.infer<typeof CanonicalOpportunitySchema>;
export type CanonicalTicket = z.infer<typeof CanonicalTicketSchema>;
export type CanonicalActivity = z.infer<typeof CanonicalActivitySchema>;
export type ActivityType = z.infer<typeof ActivityTypeSchema>;
export type CanonicalSubscription = z.infer<typeof CanonicalSubscriptionSchema>;
export type CanonicalTransaction = z.infer<typeof CanonicalTransactionSchema>;

/** Every synced entity, by the name used in cursors, queues and the store. */
export const entitySchemas = {
  account: CanonicalAccountSchema,
  contact: CanonicalContactSchema,
  opportunity: CanonicalOpportunitySchema,
  ticket: CanonicalTicketSchema,
  activity: CanonicalActivitySchema,
  subscription: CanonicalSubscriptionSchema,
  transaction: CanonicalTransactionSchema,
} as const;

export type EntityName = keyof typeof entitySchemas;
export const entityNames = Object.keys(entitySchemas) as EntityName[];
export const EntityNameSchema = z.enum(entityNames as [EntityName, ...EntityName[]]);

export interface CanonicalRecordByEntity {
  account: CanonicalAccount;
  contact: CanonicalContact;
  opportunity: CanonicalOpportunity;
  ticket: CanonicalTicket;
  activity: CanonicalActivity;
  subscription: CanonicalSubscription;
  transaction: CanonicalTransaction;
}
export type CanonicalRecord = CanonicalRecordByEntity[EntityName];
/** A record before its hash is computed: what a mapper produces. */
export type UnhashedRecord<E extends EntityName> = Omit<z.input<(typeof entitySchemas)[E]>, 'dataHash'>;
