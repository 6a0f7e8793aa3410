import { z } from 'zod';
import type { CrmConnector, OrgCurrencies, Store, TenantId } from '../../core';

/** The org's conversion table as the last account sync read it (absent for single-currency orgs). */
export const ORG_CURRENCIES_KEY = 'crm.currencies';

const OrgCurrenciesSchema = z.object({
  corporate: z.string().regex(/^[A-Z]{3}$/),
  rates: z.record(z.string(), z.number().positive()),
});

export async function orgCurrencies(store: Pick<Store, 'getTenantSetting'>, tenantId: TenantId): Promise<OrgCurrencies | null> {
  const parsed = OrgCurrenciesSchema.safeParse((await store.getTenantSetting(tenantId, ORG_CURRENCIES_KEY))?.value);
  return parsed.success ? parsed.data : null;
}

/** Read the connector's currencies (once per account sync) and keep them for training and scoring. */
export async function refreshOrgCurrencies(
  store: Pick<Store, 'putTenantSetting'>,
  tenantId: TenantId,
  connector: Pick<CrmConnector, 'currencies'>,
): Promise<OrgCurrencies | null> {
  if (!connector.currencies) return null;
  const currencies = await connector.currencies();
  // A single-currency org stores null, so a org that turned multi-currency off stops being converted.
  await store.putTenantSetting(tenantId, ORG_CURRENCIES_KEY, currencies, 'sync');
  return currencies;
}
