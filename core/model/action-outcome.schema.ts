import { z } from 'zod';
import { IsoDateTimeSchema } from './common.schema';

/**
 * What happened after a recommendation, recorded as data (from a completed CRM task, the API or
 * a card). `retained` is filled in later, once the renewal or observation window has passed.
 * One row per tenant, account, action and recommendation time: a second answer replaces the first.
 */
export const ActionOutcomeSchema = z.object({
  tenantId: z.string().min(1),
  accountId: z.string().min(1),
  actionId: z.string().min(1),
  arm: z.enum(['treatment', 'holdout']),
  recommendedAt: IsoDateTimeSchema,
  /** Treatment only: whether the owner did it. Holdout rows stay `not-applicable`. */
  status: z.enum(['open', 'completed', 'dismissed', 'expired', 'not-applicable']),
  completedAt: IsoDateTimeSchema.nullable(),
  source: z.enum(['crm-task', 'api', 'card', 'system']),
  /** Outcome at the end of the observation window: still a customer? null until known. */
  retained: z.boolean().nullable(),
});
export type ActionOutcome = z.infer<typeof ActionOutcomeSchema>;
