import { z } from 'zod';
import { AccountIdSchema, TenantIdSchema } from '../ids';
import { CurrencySchema, IsoDateTimeSchema, LocalizedTextSchema } from './common.schema';

export const RiskBandSchema = z.enum(['low', 'medium', 'high', 'critical']);
export type RiskBand = z.infer<typeof RiskBandSchema>;

export const ModelRefSchema = z.object({
  name: z.string().min(1),
  version: z.string().min(1),
  /** `health-score` while a tenant has too few outcomes for a learned model. */
  kind: z.enum(['learned', 'health-score', 'bg-nbd', 'sbg', 'rules']),
});
export type ModelRef = z.infer<typeof ModelRefSchema>;

/** One reason a prediction is what it is: an exact contribution in probability points. */
export const DriverSchema = z.object({
  feature: z.string().min(1),
  /** Signed contribution in percentage points of churn probability. */
  contribution: z.number().finite(),
  direction: z.enum(['raises', 'lowers']),
  value: z.union([z.number(), z.string(), z.null()]).optional(),
  text: LocalizedTextSchema,
});
export type Driver = z.infer<typeof DriverSchema>;

const probability = z.number().min(0).max(1);

export const ChurnScoreSchema = z.object({
  probability,
  band: RiskBandSchema,
  drivers: z.array(DriverSchema),
  /** Inputs the model weighs that this account lacks: said once below the reasons, never as one. */
  missing: z.array(z.object({ feature: z.string().min(1), label: LocalizedTextSchema })).optional(),
  model: ModelRefSchema,
});

export const ClvScoreSchema = z
  .object({
    point: z.number().finite().nonnegative(),
    p10: z.number().finite().nonnegative(),
    p50: z.number().finite().nonnegative(),
    p90: z.number().finite().nonnegative(),
    /** What the account is worth if it renews next time (the point is the expected value at today's risk). */
    ifRetained: z.number().finite().nonnegative().optional(),
    currency: CurrencySchema,
    horizonMonths: z.number().int().positive(),
    method: z.enum(['contractual', 'non-contractual']),
    model: ModelRefSchema,
  })
  .refine((v) => v.p10 <= v.p50 && v.p50 <= v.p90, { message: 'interval must satisfy p10 ≤ p50 ≤ p90', path: ['p50'] });

export const NextBestActionSchema = z.object({
  actionId: z.string().min(1),
  rank: z.number().int().positive(),
  score: z.number().finite(),
  title: LocalizedTextSchema,
  reasons: z.array(LocalizedTextSchema).min(1),
});

/** What customers say (tickets, emails, notes, calls, surveys read by the local text model), for the card. */
export const CustomerVoiceSchema = z.object({
  /** Mean sentiment −1 … +1 over the last 30 and 90 days; null without text in the window. */
  sentiment30: z.number().min(-1).max(1).nullable(),
  sentiment90: z.number().min(-1).max(1).nullable(),
  trend: z.enum(['improving', 'worsening', 'stable', 'unknown']),
  texts90: z.number().int().nonnegative(),
  negativeTicketShare90: z.number().min(0).max(1).nullable(),
  /** Topics of the last 90 days, most mentioned first. */
  topTopics: z.array(
    z.object({
      id: z.string().min(1),
      label: LocalizedTextSchema,
      count: z.number().int().positive(),
      negative: z.number().int().nonnegative(),
    }),
  ),
  /** One recent negative (else latest) text, PII-masked. */
  example: z.object({ text: z.string().min(1), kind: z.string().min(1), at: IsoDateTimeSchema }).optional(),
  /** Plain-language text reasons (e.g. negative tickets about a topic). */
  reasons: z.array(LocalizedTextSchema),
});
export type CustomerVoice = z.infer<typeof CustomerVoiceSchema>;

/** Everything computed for one account at one time, with the versions of the models used. */
export const ScoreSetSchema = z.object({
  tenantId: TenantIdSchema,
  accountId: AccountIdSchema,
  computedAt: IsoDateTimeSchema,
  churn: ChurnScoreSchema,
  clv: ClvScoreSchema.optional(),
  nextBestActions: z.array(NextBestActionSchema),
  /** Why no action is recommended, when none is (for accounts above low risk). */
  noActionReason: LocalizedTextSchema.optional(),
  voice: CustomerVoiceSchema.optional(),
  /** The book segment the account falls in (by value if retained and churn risk), named in both languages. */
  segment: z.object({ id: z.string().min(1), name: LocalizedTextSchema }).optional(),
  /** Version of the whole scoring run (the models used are also on each part). */
  modelVersion: z.string().min(1),
});

export type ChurnScore = z.infer<typeof ChurnScoreSchema>;
export type ClvScore = z.infer<typeof ClvScoreSchema>;
export type NextBestAction = z.infer<typeof NextBestActionSchema>;
export type ScoreSet = z.infer<typeof ScoreSetSchema>;
