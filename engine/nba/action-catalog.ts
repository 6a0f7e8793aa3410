import { z } from 'zod';
import { LocalizedTextSchema, parseOrThrow, RiskBandSchema } from '../../core';
import type { ActionDefinition } from './nba.types';

const range = z.object({ min: z.number().finite().optional(), max: z.number().finite().optional() }).strict();

export const ActionDefinitionSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be kebab-case'),
    title: LocalizedTextSchema,
    channel: z.enum(['call', 'meeting', 'email', 'training', 'ticket', 'offer', 'in-app']),
    ownerRole: z.enum(['csm', 'account-executive', 'executive', 'support', 'renewals']),
    cost: z.number().finite().nonnegative(),
    businessWeight: z.number().finite().nonnegative(),
    valueBasis: z.enum(['retention', 'expansion']),
    expectedUplift: z.number().min(0).max(1),
    priorPropensity: z.number().min(0).max(1),
    cooldownDays: z.number().int().nonnegative(),
    eligibility: z
      .object({
        segments: z.array(z.string().min(1)).optional(),
        riskBands: z.array(RiskBandSchema).optional(),
        clv: range.optional(),
        openTickets: range.optional(),
        daysToRenewal: range.optional(),
        seatUtilization: range.optional(),
        tenureDays: range.optional(),
        churned: z.boolean().optional(),
      })
      .strict(),
    enabled: z.boolean(),
  })
  .strict();

/** A tenant's overrides: change fields of a default action, disable it, or add new actions. */
export const CatalogOverridesSchema = z.array(
  z.union([
    ActionDefinitionSchema,
    ActionDefinitionSchema.partial()
      .extend({ id: z.string().min(1) })
      .strict(),
  ]),
);

const t = (en: string, zh: string) => ({ en, zh });

/**
 * Defaults for a B2B subscription business: high-touch actions for large accounts, tech-touch ones
 * (email, in-app) for the long tail. Uplifts and propensities are priors from common CS practice;
 * the engine replaces propensity with learned rates once outcomes accumulate.
 */
export const DEFAULT_ACTION_CATALOG: readonly ActionDefinition[] = [
  {
    id: 'executive-sponsor-call',
    title: t('Executive sponsor call', '高管赞助人通话'),
    channel: 'call',
    ownerRole: 'executive',
    cost: 600,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.25,
    priorPropensity: 0.5,
    cooldownDays: 60,
    eligibility: { riskBands: ['high', 'critical'], clv: { min: 50_000 } },
    enabled: true,
  },
  {
    id: 'business-review',
    title: t('Business review (QBR)', '业务回顾会议（QBR）'),
    channel: 'meeting',
    ownerRole: 'csm',
    cost: 400,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.15,
    priorPropensity: 0.6,
    cooldownDays: 90,
    eligibility: { riskBands: ['medium', 'high', 'critical'], clv: { min: 10_000 }, daysToRenewal: { min: 30, max: 180 } },
    enabled: true,
  },
  {
    id: 'training-session',
    title: t('Product training session', '产品培训课程'),
    channel: 'training',
    ownerRole: 'csm',
    cost: 250,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.1,
    priorPropensity: 0.55,
    cooldownDays: 45,
    eligibility: { riskBands: ['medium', 'high'], seatUtilization: { max: 0.6 } },
    enabled: true,
  },
  {
    id: 'support-escalation',
    title: t('Escalate open support tickets', '升级处理未解决的支持工单'),
    channel: 'ticket',
    ownerRole: 'support',
    cost: 150,
    businessWeight: 1.2,
    valueBasis: 'retention',
    expectedUplift: 0.12,
    priorPropensity: 0.8,
    cooldownDays: 14,
    eligibility: { riskBands: ['medium', 'high', 'critical'], openTickets: { min: 3 } },
    enabled: true,
  },
  {
    id: 'renewal-offer',
    title: t('Early renewal offer', '提前续约优惠'),
    channel: 'offer',
    ownerRole: 'renewals',
    cost: 1_000,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.2,
    priorPropensity: 0.4,
    cooldownDays: 30,
    eligibility: { riskBands: ['medium', 'high', 'critical'], daysToRenewal: { min: 0, max: 90 } },
    enabled: true,
  },
  {
    id: 'seat-upsell',
    title: t('Seat upsell conversation', '增购席位沟通'),
    channel: 'call',
    ownerRole: 'account-executive',
    cost: 300,
    businessWeight: 0.8,
    valueBasis: 'expansion',
    expectedUplift: 0.1,
    priorPropensity: 0.3,
    cooldownDays: 60,
    eligibility: { riskBands: ['low'], seatUtilization: { min: 0.85 } },
    enabled: true,
  },
  {
    id: 'win-back-offer',
    title: t('Win-back offer', '挽回优惠'),
    channel: 'offer',
    ownerRole: 'account-executive',
    cost: 800,
    businessWeight: 1,
    valueBasis: 'expansion',
    expectedUplift: 0.08,
    priorPropensity: 0.15,
    cooldownDays: 120,
    eligibility: { churned: true, clv: { min: 5_000 } },
    enabled: true,
  },
  {
    id: 'onboarding-check-in',
    title: t('Onboarding check-in', '入门引导回访'),
    channel: 'call',
    ownerRole: 'csm',
    cost: 100,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.15,
    priorPropensity: 0.7,
    cooldownDays: 21,
    eligibility: { tenureDays: { max: 90 } },
    enabled: true,
  },
  // Tech-touch: the long tail of small accounts, where a person's time costs more than the value
  // at stake. Costs are content and discount, not hours, so they pay off on small contracts too.
  {
    id: 'retention-email',
    title: t('Personal retention email with a plan review', '附方案评估的个性化挽留邮件'),
    channel: 'email',
    ownerRole: 'csm',
    cost: 15,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.08,
    priorPropensity: 0.6,
    cooldownDays: 30,
    eligibility: { riskBands: ['medium', 'high', 'critical'] },
    enabled: true,
  },
  {
    id: 'support-follow-up',
    title: t('Follow up on open support tickets', '跟进未解决的支持工单'),
    channel: 'email',
    ownerRole: 'support',
    cost: 20,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.06,
    priorPropensity: 0.7,
    cooldownDays: 14,
    eligibility: { riskBands: ['medium', 'high', 'critical'], openTickets: { min: 1 } },
    enabled: true,
  },
  {
    id: 'digital-onboarding',
    title: t('In-app guided onboarding journey', '应用内引导式入门流程'),
    channel: 'in-app',
    ownerRole: 'csm',
    cost: 2,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.05,
    priorPropensity: 0.8,
    cooldownDays: 30,
    eligibility: { tenureDays: { max: 120 } },
    enabled: true,
  },
  {
    id: 'win-back-email',
    title: t('Win-back email with a comeback offer', '附回归优惠的挽回邮件'),
    channel: 'email',
    ownerRole: 'renewals',
    cost: 25,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.1,
    priorPropensity: 0.4,
    cooldownDays: 90,
    eligibility: { churned: true },
    enabled: true,
  },
];

/**
 * The tenant's catalog: defaults with overrides applied by id (partial objects patch a default,
 * full definitions with a new id are appended). Throws CORE.VALIDATION_FAILED naming the field.
 */
export function buildActionCatalog(
  overrides: unknown = [],
  defaults: readonly ActionDefinition[] = DEFAULT_ACTION_CATALOG,
): ActionDefinition[] {
  const parsed = parseOrThrow(CatalogOverridesSchema, overrides, 'action catalog overrides');
  const byId = new Map(defaults.map((a) => [a.id, a] as const));
  const order = defaults.map((a) => a.id);
  for (const [index, patch] of parsed.entries()) {
    const base = byId.get(patch.id);
    const merged = base ? { ...base, ...patch, eligibility: { ...base.eligibility, ...(patch.eligibility ?? {}) } } : patch;
    const action = parseOrThrow(ActionDefinitionSchema, merged, `action catalog override ${index} (${patch.id})`) as ActionDefinition;
    if (!base) order.push(action.id);
    byId.set(action.id, action);
  }
  return order.map((id) => byId.get(id) as ActionDefinition);
}
