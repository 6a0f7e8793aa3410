import { z } from 'zod';
import { ConnectionIdSchema, ProviderSchema, TenantIdSchema } from '../ids';
import { IsoDateTimeSchema } from './common.schema';

/** One installing CRM org: a Salesforce org id or a HubSpot portal id. */
export const TenantSchema = z.object({
  id: TenantIdSchema,
  name: z.string().trim().min(1, 'must not be empty'),
  locale: z.enum(['en', 'zh']).default('en'),
  createdAt: IsoDateTimeSchema,
});
export type Tenant = z.infer<typeof TenantSchema>;

/** OAuth or private-app credentials; stored encrypted, never logged. */
export const CrmTokensSchema = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  expiresAt: IsoDateTimeSchema.optional(),
  instanceUrl: z.url().optional(),
  scope: z.string().optional(),
});
export type CrmTokens = z.infer<typeof CrmTokensSchema>;

export const CrmConnectionSchema = z.object({
  id: ConnectionIdSchema,
  tenantId: TenantIdSchema,
  provider: ProviderSchema,
  /** Org id (Salesforce) or portal id (HubSpot). */
  externalOrgId: z.string().min(1),
  baseUrl: z.url(),
  createdAt: IsoDateTimeSchema,
  updatedAt: IsoDateTimeSchema,
});
export type CrmConnection = z.infer<typeof CrmConnectionSchema>;
