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
  /**
   * The OAuth client the tokens were issued to when it is not the product's own app (the Salesforce
   * CLI's `PlatformCLI`, a customer's connected app): refreshes must use the same client.
   */
  oauthClient: z
    .object({ clientId: z.string().min(1), clientSecret: z.string().min(1).optional(), loginUrl: z.url().optional() })
    .optional(),
  /** Server-to-server: re-authorise by JWT bearer when the session expires. Only the key file's path is stored, never the key. */
  jwtBearer: z
    .object({ clientId: z.string().min(1), username: z.string().min(1), privateKeyFile: z.string().min(1), loginUrl: z.url() })
    .optional(),
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
