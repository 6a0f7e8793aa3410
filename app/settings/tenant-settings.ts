import { z } from 'zod';
import { parseOrThrow, SuccessEngineError, type Provider, type Store, type TenantId } from '../../core';
import { resolveAccountMapping, type AccountFieldMapping, type AccountMappingOverrides } from '../../connectors/shared/field-mapping';
import { SOURCE_MODULES, sourceModule } from '../crm-modules';
import { DEFAULT_ALERT_RULES, type AlertRulesConfig } from '../../engine/alerts/alert-rules';
import { buildActionCatalog, CatalogOverridesSchema } from '../../engine/nba/action-catalog';
import type { ActionDefinition } from '../../engine/nba/nba.types';

/**
 * Per-tenant settings (most edited in the console), one JSON document per key in the store's
 * `tenant_settings` (so they leave with the tenant on erasure). The pipeline reads them through
 * the `resolve*` functions below; a tenant without a setting gets the product defaults.
 */
export const SETTING_KEYS = {
  fieldMapping: 'console.field-mapping',
  alertRules: 'console.alert-rules',
  actionCatalog: 'console.action-catalog',
  modelEvaluation: 'console.model-evaluation',
  /** The last score run's segments and renewal forecast (engine/scoring/book-insights.ts). */
  bookInsights: 'pipeline.book-insights',
  crmTasks: 'pipeline.crm-tasks',
} as const;

/** Whether write-back also creates a CRM task for the owner from the top action (#8), and for which bands. */
export const CrmTasksSettingSchema = z
  .object({
    enabled: z.boolean(),
    bands: z
      .array(z.enum(['low', 'medium', 'high', 'critical']))
      .min(1, 'must name at least one band')
      .optional(),
    dueInDays: z.number().int('must be a whole number').min(0).max(60).optional(),
  })
  .strict();
export type CrmTasksSetting = z.infer<typeof CrmTasksSettingSchema>;

/** Off unless the admin turned it on: tasks land in reps' queues, so it is an explicit choice. */
export async function resolveCrmTasks(store: Pick<Store, 'getTenantSetting'>, tenantId: TenantId): Promise<CrmTasksSetting> {
  const stored = await store.getTenantSetting(tenantId, SETTING_KEYS.crmTasks);
  return stored ? parseOrThrow(CrmTasksSettingSchema, stored.value, 'CRM task settings') : { enabled: false };
}

export const PROVIDERS: readonly Provider[] = SOURCE_MODULES.map((m) => m.provider);

/** The account fields an admin may map; `attributes` is a list of extra CRM fields. */
export const MAPPABLE_FIELDS = [
  'arr',
  'renewalDate',
  'plan',
  'contractType',
  'customerSince',
  'status',
  'churnedAt',
  'seats',
  'currency',
] as const;
export type MappableField = (typeof MAPPABLE_FIELDS)[number];

/** What a CRM accepts as a field name: HubSpot internal names, Salesforce API names, file columns. */
function fieldName(provider: Provider) {
  const { pattern, rule } = sourceModule(provider).fieldName;
  return z.string().trim().regex(pattern, `must be ${rule}`);
}

function providerOverridesSchema(provider: Provider) {
  const source = z
    .object({ field: fieldName(provider), scale: z.number().finite().positive('must be a positive number').optional() })
    .strict();
  const shape = Object.fromEntries(MAPPABLE_FIELDS.map((k) => [k, source.nullable().optional()])) as Record<
    MappableField,
    z.ZodOptional<z.ZodNullable<typeof source>>
  >;
  return z.object({ ...shape, attributes: z.array(fieldName(provider)).max(200).optional() }).strict();
}

export const FieldMappingOverridesSchema = z
  .object({
    hubspot: providerOverridesSchema('hubspot').optional(),
    salesforce: providerOverridesSchema('salesforce').optional(),
    file: providerOverridesSchema('file').optional(),
  })
  .strict();
export type FieldMappingOverrides = z.infer<typeof FieldMappingOverridesSchema>;

/** Throws CORE.VALIDATION_FAILED naming each field at fault, e.g. `hubspot.arr.field: must be …`. */
export function parseFieldMappingOverrides(value: unknown): FieldMappingOverrides {
  return parseOrThrow(FieldMappingOverridesSchema, value, 'field mapping');
}

export interface FieldMappingView {
  provider: Provider;
  defaults: AccountFieldMapping;
  overrides: NonNullable<FieldMappingOverrides[Provider]>;
  effective: AccountFieldMapping;
  rule: string;
}

export async function fieldMappingOverrides(store: Store, tenantId: TenantId): Promise<FieldMappingOverrides> {
  const stored = await store.getTenantSetting(tenantId, SETTING_KEYS.fieldMapping);
  return stored ? parseFieldMappingOverrides(stored.value) : {};
}

/** The mapping a connector for this tenant should use: the CRM defaults with the admin's overrides. */
export async function resolveTenantAccountMapping(store: Store, tenantId: TenantId, provider: Provider): Promise<AccountFieldMapping> {
  return resolveAccountMapping(
    sourceModule(provider).defaultAccountMapping,
    definedOverrides((await fieldMappingOverrides(store, tenantId))[provider]),
  );
}

/** zod's optional keys may hold `undefined`; the connectors' override type does not take it. */
function definedOverrides(overrides: FieldMappingOverrides[Provider]): AccountMappingOverrides {
  const out: AccountMappingOverrides = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined));
  return out;
}

export function fieldMappingViews(overrides: FieldMappingOverrides): FieldMappingView[] {
  return SOURCE_MODULES.map(({ provider, defaultAccountMapping, fieldName: name }) => ({
    provider,
    defaults: defaultAccountMapping,
    overrides: overrides[provider] ?? {},
    effective: resolveAccountMapping(defaultAccountMapping, definedOverrides(overrides[provider])),
    rule: name.rule,
  }));
}

const toggle = <T extends z.ZodRawShape>(shape: T) => z.object({ enabled: z.boolean(), ...shape }).strict();

export const AlertRulesSchema = z
  .object({
    riskThreshold: toggle({ threshold: z.number().gt(0, 'must be above 0').lt(1, 'must be below 1') }),
    riskJump: toggle({ points: z.number().gt(0, 'must be above 0').max(100, 'must be at most 100') }),
    clvAtRisk: toggle({ minAmount: z.number().finite().nonnegative('must not be negative') }),
    sentimentSpike: toggle({
      minNegative: z.number().int('must be a whole number').min(1, 'must be at least 1'),
      ratio: z.number().finite().min(1, 'must be at least 1'),
    }),
    negativeTopic: toggle({
      minNegative: z.number().int('must be a whole number').min(1, 'must be at least 1'),
      ratio: z.number().finite().min(1, 'must be at least 1'),
    }).optional(),
    weeklyBudgetPerOwner: z.number().int('must be a whole number').min(0, 'must not be negative').max(1000, 'must be at most 1000'),
    cooldownDays: z.number().int('must be a whole number').min(0, 'must not be negative').max(365, 'must be at most 365'),
    routing: z.object({ mode: z.enum(['owner', 'team']), defaultTeam: z.string().trim().min(1, 'must not be empty').max(100) }).strict(),
  })
  .strict();

export async function resolveAlertRules(store: Store, tenantId: TenantId): Promise<AlertRulesConfig> {
  const stored = await store.getTenantSetting(tenantId, SETTING_KEYS.alertRules);
  return stored ? parseAlertRules(stored.value) : DEFAULT_ALERT_RULES;
}

export function parseAlertRules(value: unknown): AlertRulesConfig {
  const rules: AlertRulesConfig = parseOrThrow(AlertRulesSchema, value, 'alert rules');
  return rules;
}

export async function actionCatalogOverrides(store: Store, tenantId: TenantId): Promise<unknown[]> {
  const stored = await store.getTenantSetting(tenantId, SETTING_KEYS.actionCatalog);
  return stored ? parseOrThrow(CatalogOverridesSchema, stored.value, 'action catalog overrides') : [];
}

/** The tenant's catalog (defaults + overrides), what scoring should pass as `catalog`. */
export async function resolveActionCatalog(store: Store, tenantId: TenantId): Promise<ActionDefinition[]> {
  return buildActionCatalog(await actionCatalogOverrides(store, tenantId));
}

/** Validates overrides by building the catalog they produce; returns both. */
export function parseActionCatalogOverrides(value: unknown): { overrides: unknown[]; catalog: ActionDefinition[] } {
  const overrides = parseOrThrow(CatalogOverridesSchema, value, 'action catalog overrides');
  const catalog = buildActionCatalog(overrides);
  const seen = new Set<string>();
  for (const [i, o] of overrides.entries()) {
    if (seen.has(o.id))
      throw new SuccessEngineError('CORE.VALIDATION_FAILED', `invalid action catalog overrides: ${i}.id: "${o.id}" appears twice`);
    seen.add(o.id);
  }
  return { overrides, catalog };
}
