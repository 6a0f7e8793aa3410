import path from 'node:path';
import { fixedClock, type TenantId } from '../../core';
import { SalesforceConnector } from '../../connectors/salesforce/salesforce.connector';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';
import type { SfOrgProfile } from '../../sandbox/salesforce/salesforce-schema';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';

const rows = readTelcoCsv(path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv'));
const STATIC = '00D8d0000000SBX!sandbox-static-token';

/**
 * A multi-currency org's conversion table (CurrencyType, active rows, the corporate one at rate 1):
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_currencytype.htm
 */
describe.each<SfOrgProfile>(['vanilla', 'customised'])('Salesforce org currencies (%s org)', (org) => {
  let sandbox: SalesforceSandbox;
  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ seed: 4, accounts: 20, rows, clock: fixedClock('2026-11-01T00:00:00.000Z'), org });
  });
  afterAll(() => sandbox.close());

  const connector = () =>
    new SalesforceConnector({
      tenantId: 't' as TenantId,
      orgKey: `cur-${org}`,
      instanceUrl: sandbox.url,
      accessToken: STATIC,
      namespace: null,
    });

  it('reads the corporate currency and every active rate from CurrencyType, or null in a single-currency org', async () => {
    const currencies = await connector().currencies();
    if (org === 'vanilla') {
      expect(currencies).toBeNull();
      return;
    }
    const rowsOfOrg = [...sandbox.state.org.table('CurrencyType').values()].filter((r) => r.IsActive);
    expect(currencies?.corporate).toBe(rowsOfOrg.find((r) => r.IsCorporate)?.IsoCode);
    expect(currencies?.rates).toEqual(Object.fromEntries(rowsOfOrg.map((r) => [r.IsoCode, r.ConversionRate])));
    expect(currencies?.rates[currencies.corporate]).toBe(1);
  });
});
