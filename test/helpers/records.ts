import { buildRecord, type CanonicalAccount, type TenantId } from '../../core';

export const TEST_TENANT = 'tenant-1' as TenantId;

/** A valid canonical account with overridable fields. */
export function makeAccount(
  externalId: string,
  overrides: Partial<Parameters<typeof buildRecord<'account'>>[1]> = {},
  tenantId: TenantId = TEST_TENANT,
): CanonicalAccount {
  return buildRecord('account', {
    tenantId,
    id: `hubspot:${externalId}`,
    source: { provider: 'hubspot', externalId, modstamp: '2026-01-01T00:00:00.000Z' },
    name: `Account ${externalId}`,
    status: 'active',
    arr: 12000,
    currency: 'USD',
    ...overrides,
  });
}
