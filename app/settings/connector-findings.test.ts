import type { ConnectorFinding, TenantId } from '../../core';
import { connectorFindings, FINDING_TTL_MS, recordConnectorFindings } from './connector-findings';

const TENANT = 't1' as TenantId;

function settingsStore() {
  const values = new Map<string, unknown>();
  return {
    getTenantSetting: (_t: TenantId, key: string) =>
      Promise.resolve(values.has(key) ? { value: values.get(key), updatedAt: '', updatedBy: '' } : null),
    putTenantSetting: (_t: TenantId, key: string, value: unknown) => {
      values.set(key, structuredClone(value));
      return Promise.resolve();
    },
  };
}

const renewal: ConnectorFinding = {
  code: 'CONNECTOR.FIELD_UNREADABLE',
  object: 'Account',
  field: 'Renewal_Date__c',
  optional: true,
  message: 'Salesforce field Account.Renewal_Date__c does not exist',
};
const cases: ConnectorFinding = { code: 'CONNECTOR.OBJECT_UNREADABLE', object: 'Invoice__c', optional: true, message: 'no Invoice__c' };

describe('connector findings for the console', () => {
  it('keeps one entry per finding, newest first, with when it was first and last seen', async () => {
    const store = settingsStore();
    const day1 = new Date('2026-12-01T00:00:00Z');
    const day2 = new Date('2026-12-02T00:00:00Z');
    await recordConnectorFindings(store, TENANT, 'account', [renewal], day1);
    await recordConnectorFindings(store, TENANT, 'transaction', [cases], day1);
    await recordConnectorFindings(store, TENANT, 'account', [renewal, renewal], day2);
    const listed = await connectorFindings(store, TENANT);
    expect(listed.map((s) => s.finding.object)).toEqual(['Account', 'Invoice__c']);
    expect(listed[0]).toMatchObject({ entity: 'account', firstSeenAt: day1.toISOString(), lastSeenAt: day2.toISOString() });
    expect(listed[1]).toMatchObject({ entity: 'transaction', lastSeenAt: day1.toISOString() });
  });

  it('drops a finding no sync has reported for a week (fixed in the CRM)', async () => {
    const store = settingsStore();
    const start = new Date('2026-12-01T00:00:00Z');
    await recordConnectorFindings(store, TENANT, 'transaction', [cases], start);
    await recordConnectorFindings(store, TENANT, 'account', [renewal], new Date(start.getTime() + FINDING_TTL_MS + 1));
    expect((await connectorFindings(store, TENANT)).map((s) => s.finding.object)).toEqual(['Account']);
  });

  it('reads an unreadable stored value as no findings rather than failing the page', async () => {
    const store = settingsStore();
    await store.putTenantSetting(TENANT, 'sync.connector-findings', { not: 'a list' });
    expect(await connectorFindings(store, TENANT)).toEqual([]);
  });
});
