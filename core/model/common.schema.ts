import { z } from 'zod';
import { ProviderSchema, TenantIdSchema } from '../ids';

/** ISO-8601 instant with an offset (`Z` or `+08:00`); we never store local times without a zone. */
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });
/** Calendar date `YYYY-MM-DD` (renewal dates, close dates). */
export const IsoDateSchema = z.iso.date();

export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO-4217 code such as USD or CNY');

/** Where a record came from: the provider, its id there, and its last-modified stamp there. */
export const ProvenanceSchema = z.object({
  provider: ProviderSchema,
  externalId: z.string().trim().min(1, 'must not be empty'),
  modstamp: IsoDateTimeSchema,
});
export type Provenance = z.infer<typeof ProvenanceSchema>;

/** Text a person reads, in every product language. */
export const LocalizedTextSchema = z.object({ en: z.string().min(1), zh: z.string().min(1) });
export type LocalizedText = z.infer<typeof LocalizedTextSchema>;

/** Extra columns from custom CRM fields or file imports, kept for features. */
export const AttributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type Attributes = z.infer<typeof AttributesSchema>;

/** Fields every canonical record has; `dataHash` is computed by `dataHash()` over the content. */
export const recordBase = {
  tenantId: TenantIdSchema,
  source: ProvenanceSchema,
  dataHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256'),
  deletedAt: IsoDateTimeSchema.nullable().optional(),
};
