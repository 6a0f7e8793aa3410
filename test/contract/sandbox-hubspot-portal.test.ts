import path from 'node:path';
import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum as Op } from '@hubspot/api-client/lib/codegen/crm/companies';
import { fixedClock } from '../../core';
import { ALL_SANDBOX_SCOPES, startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/hubspot-sandbox.server';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';

const rows = readTelcoCsv(path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv'));
const TOKEN = 'pat-na1-sandbox-0000';

interface SdkError {
  code: number;
  body: { category?: string; message?: string; errors?: { message: string; code?: string; context?: Record<string, unknown> }[] };
}
async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}
const client = (sb: HubSpotSandbox, accessToken = TOKEN): Client =>
  new Client({ accessToken, basePath: sb.url, numberOfApiCallRetries: 0 });

describe('HubSpot sandbox portals: vendor schema, validation, scopes, associations, index lag', () => {
  const clock = fixedClock('2026-10-01T12:00:00.000Z');
  let vanilla: HubSpotSandbox;
  let customised: HubSpotSandbox;

  beforeAll(async () => {
    vanilla = await startHubSpotSandbox({
      seed: 3,
      accounts: 20,
      rows,
      tier: 'enterprise',
      clock,
      searchPerSecond: 1000,
      portal: 'vanilla',
      searchLagMs: 3000,
    });
    customised = await startHubSpotSandbox({ seed: 3, accounts: 20, rows, tier: 'enterprise', clock, searchPerSecond: 1000 });
  });
  afterAll(async () => {
    await vanilla.close();
    await customised.close();
  });
  beforeEach(() => clock.advance(60_000));

  // https://knowledge.hubspot.com/properties/hubspots-default-company-properties, https://developers.hubspot.com/docs/api/crm/properties
  it('a vanilla portal has HubSpot’s default properties only, with types, options and read-only flags', async () => {
    const all = await client(vanilla).crm.properties.coreApi.getAll('companies');
    const byName = new Map(all.results.map((p) => [p.name, p]));
    expect(byName.has('contract_type')).toBe(false);
    expect(byName.has('monthly_revenue')).toBe(false);
    expect(byName.get('annualrevenue')).toMatchObject({ type: 'number', fieldType: 'number', hubspotDefined: true });
    expect(byName.get('hs_object_id')?.modificationMetadata?.readOnlyValue).toBe(true);
    expect(byName.get('createdate')?.modificationMetadata?.readOnlyValue).toBe(true);
    expect(byName.get('hs_lastmodifieddate')?.modificationMetadata?.readOnlyValue).toBe(true);
    expect(byName.get('lifecyclestage')?.options.map((o) => o.value)).toContain('customer');
    const custom = await client(customised).crm.properties.coreApi.getAll('companies');
    expect(custom.results.find((p) => p.name === 'contract_type')).toMatchObject({ type: 'enumeration', hubspotDefined: false });
    const tasks = await client(vanilla).crm.properties.coreApi.getAll('tasks');
    expect(tasks.results.find((p) => p.name === 'hs_task_status')?.options.map((o) => o.value)).toEqual([
      'NOT_STARTED',
      'IN_PROGRESS',
      'WAITING',
      'COMPLETED',
      'DEFERRED',
    ]);
    // The seeded vanilla book holds only values its properties allow.
    const page = await client(vanilla).crm.companies.basicApi.getPage(5, undefined, ['industry', 'annualrevenue', 'contract_type']);
    for (const c of page.results) {
      expect(c.properties.contract_type).toBeUndefined();
      expect(Number(c.properties.annualrevenue)).toBeGreaterThan(0);
    }
  });

  // https://developers.hubspot.com/docs/api/error-handling (message, code, context) and the property value rules in hubspot-validation.ts
  it('rejects bad values with VALIDATION_ERROR naming the property: options, read-only, dates, booleans, length, owners, required', async () => {
    const hs = client(customised);
    const cases: [Record<string, string>, string, string][] = [
      [{ lifecyclestage: 'champion' }, 'lifecyclestage', 'INVALID_OPTION'],
      [{ hs_object_id: '42' }, 'hs_object_id', 'READ_ONLY_VALUE'],
      [{ createdate: '2026-01-01T00:00:00Z' }, 'createdate', 'READ_ONLY_VALUE'],
      [{ renewal_date: '2026-01-01T10:00:00Z' }, 'renewal_date', 'INVALID_DATE'],
      [{ customer_since: 'yesterday' }, 'customer_since', 'INVALID_DATE'],
      [{ partner: 'yes' }, 'partner', 'INVALID_OPTION'],
      [{ annualrevenue: ' 12' }, 'annualrevenue', 'INVALID_WHITESPACE'],
      [{ name: 'x'.repeat(65_537) }, 'name', 'INVALID_LENGTH'],
      [{ hubspot_owner_id: '999' }, 'hubspot_owner_id', 'INVALID_OWNER_ID'],
    ];
    for (const [properties, name, code] of cases) {
      const e = await sdkError(hs.crm.companies.basicApi.create({ properties, associations: [] }));
      expect({ name, status: e.code, category: e.body.category }).toEqual({ name, status: 400, category: 'VALIDATION_ERROR' });
      expect(e.body.errors?.[0]).toMatchObject({ code, context: { propertyName: [name] } });
      expect(e.body.message).toContain(`"name":"${name}"`);
    }
    // A date at midnight UTC, a datetime and a boolean are accepted.
    const ok = await hs.crm.companies.basicApi.create({
      properties: { name: 'Valid', renewal_date: '2027-01-01', customer_since: '2020-05-01T08:30:00Z', partner: 'true' },
      associations: [],
    });
    expect(ok.id).toMatch(/^\d+$/);
    // Engagements need hs_timestamp (https://developers.hubspot.com/docs/api/crm/tasks).
    const noTimestamp = await sdkError(hs.crm.objects.basicApi.create('tasks', { properties: { hs_task_subject: 'x' }, associations: [] }));
    expect(noTimestamp.body.errors?.[0]).toMatchObject({ code: 'REQUIRED_PROPERTY', context: { propertyName: ['hs_timestamp'] } });
  });

  it('refuses a batch naming one record twice, and upserts keyed on a non-unique property', async () => {
    const hs = client(customised);
    const [first] = (await hs.crm.companies.basicApi.getPage(1)).results;
    const dupes = await sdkError(
      hs.crm.companies.batchApi.update({
        inputs: [
          { id: first!.id, properties: { country: 'NZ' } },
          { id: first!.id, properties: { country: 'Atlantis' } },
        ],
      }),
    );
    expect(dupes.code).toBe(400);
    expect(dupes.body.message).toContain('Duplicate IDs');
    expect(customised.state.portal.table('companies').get(first!.id)?.properties.country).not.toBe('Atlantis');
    // hubspot-api-nodejs#548: "Unable to perform update/upsert by non-unique … property".
    const nonUnique = await sdkError(
      hs.crm.companies.batchApi.upsert({ inputs: [{ idProperty: 'domain', id: 'x.example.com', properties: { name: 'X' } }] }),
    );
    expect({ status: nonUnique.code, category: nonUnique.body.category }).toEqual({ status: 400, category: 'VALIDATION_ERROR' });
    expect(nonUnique.body.message).toContain('non-unique 0-2 property domain');
  });

  // https://developers.hubspot.com/docs/api/crm/tasks (scope requirements) and hubspot-api-nodejs#268 (the 403 body)
  it('enforces OAuth scopes per endpoint with 403 MISSING_SCOPES naming the scopes', async () => {
    const code = customised.state.issueAuthCode('https://app.example.com/cb', ['oauth', 'crm.objects.companies.read']);
    const tokens = await new Client({ basePath: customised.url }).oauth.tokensApi.create(
      'authorization_code',
      code,
      'https://app.example.com/cb',
      'sandbox-client-id',
      'sandbox-client-secret',
    );
    const hs = client(customised, tokens.accessToken);
    expect((await hs.crm.companies.basicApi.getPage(1)).results).toHaveLength(1);
    const write = await sdkError(hs.crm.companies.basicApi.create({ properties: { name: 'No' }, associations: [] }));
    expect(write.code).toBe(403);
    expect(write.body.category).toBe('MISSING_SCOPES');
    expect(write.body.errors?.[0]?.context).toEqual({ requiredScopes: ['crm.objects.companies.write'] });
    const task = await sdkError(
      hs.crm.objects.basicApi.create('tasks', { properties: { hs_timestamp: '2026-10-02T09:00:00Z' }, associations: [] }),
    );
    expect(task.body.errors?.[0]?.context).toEqual({ requiredScopes: ['crm.objects.contacts.write'] });
    const tickets = await sdkError(hs.crm.tickets.basicApi.getPage(1));
    expect(tickets.body.errors?.[0]?.context).toEqual({ requiredScopes: ['tickets'] });
    const assoc = await sdkError(hs.crm.associations.v4.batchApi.getPage('contacts', 'companies', { inputs: [{ id: '1' }] }));
    expect(assoc.body.errors?.[0]?.context).toEqual({ requiredScopes: ['crm.objects.contacts.read'] });
    // A private app's scopes are what its admin ticked; revoking one bites at once.
    customised.state.setTokenScopes(TOKEN, ['crm.objects.companies.read']);
    try {
      expect((await sdkError(client(customised).crm.deals.basicApi.getPage(1))).code).toBe(403);
    } finally {
      customised.state.setTokenScopes(TOKEN, ALL_SANDBOX_SCOPES);
    }
  });

  // https://developers.hubspot.com/docs/api/crm/associations (Primary and unlabeled) and /associations/v3 (type names)
  it('names associations as HubSpot does: v4 Primary label and typeIds, v3 contact_to_company vs contact_to_company_unlabeled', async () => {
    const hs = client(customised);
    const labels = await hs.crm.associations.v4.schema.definitionsApi.getAll('contacts', 'companies');
    expect(labels.results.map((l) => [l.typeId, l.label ?? null])).toEqual([
      [1, 'Primary'],
      [279, null],
    ]);
    const [contact] = (await hs.crm.contacts.basicApi.getPage(1, undefined, undefined, undefined, ['companies'])).results;
    const types = contact?.associations?.companies?.results.map((r) => r.type).sort();
    expect(types).toEqual(['contact_to_company', 'contact_to_company_unlabeled']);
    const ticketLabels = await hs.crm.associations.v4.schema.definitionsApi.getAll('tickets', 'companies');
    expect(ticketLabels.results.map((l) => l.typeId)).toEqual([26, 339]);
  });

  // HubSpot's search index trails writes by a few seconds (https://developers.hubspot.com/docs/api/crm/search: "it may take a few moments for new or updated records to appear")
  it('search lags a create and an update by the configured delay; reads by id do not', async () => {
    const hs = client(vanilla);
    const created = await hs.crm.companies.basicApi.create({
      properties: { name: 'Lagging Ltd', domain: 'lag.example.com' },
      associations: [],
    });
    const search = (): Promise<string[]> =>
      hs.crm.companies.searchApi
        .doSearch({
          filterGroups: [{ filters: [{ propertyName: 'domain', operator: Op.Eq, value: 'lag.example.com' }] }],
          properties: ['name'],
          limit: 10,
          sorts: [],
          after: '0',
        })
        .then((r) => r.results.map((c) => String(c.properties.name)));
    expect(await search()).toEqual([]);
    expect((await hs.crm.companies.basicApi.getById(created.id, ['name'])).properties.name).toBe('Lagging Ltd');
    clock.advance(3_000);
    expect(await search()).toEqual(['Lagging Ltd']);
    await hs.crm.companies.basicApi.update(created.id, { properties: { name: 'Renamed Ltd' } });
    expect(await search()).toEqual(['Lagging Ltd']);
    clock.advance(3_000);
    expect(await search()).toEqual(['Renamed Ltd']);
  });

  it('reads archived records with archived=true, by list and by id', async () => {
    const hs = client(vanilla);
    const created = await hs.crm.companies.basicApi.create({ properties: { name: 'Soon gone' }, associations: [] });
    await hs.crm.companies.basicApi.archive(created.id);
    expect((await sdkError(hs.crm.companies.basicApi.getById(created.id))).code).toBe(404);
    const archived = await hs.crm.companies.basicApi.getById(created.id, ['name'], undefined, undefined, true);
    expect(archived).toMatchObject({ id: created.id, archived: true });
    expect(archived.archivedAt).toBeInstanceOf(Date);
  });

  // https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details: limits apply per app
  it('counts the 10-second window per app: two private apps do not share it', async () => {
    const sb = await startHubSpotSandbox({ accounts: 0, tier: 'free', clock, privateAppTokens: ['pat-a', 'pat-b'] });
    try {
      const a = client(sb, 'pat-a');
      const b = client(sb, 'pat-b');
      for (let i = 0; i < 100; i++) await a.crm.companies.basicApi.getPage(1);
      expect((await sdkError(a.crm.companies.basicApi.getPage(1))).code).toBe(429);
      expect((await b.crm.companies.basicApi.getPage(1)).results).toEqual([]);
    } finally {
      await sb.close();
    }
  });
});
