import path from 'node:path';
import { Client } from '@hubspot/api-client';
import { FilterOperatorEnum as Op } from '@hubspot/api-client/lib/codegen/crm/companies';
import { fixedClock } from '../../core';
import { YOUNG_TOKEN_MS } from '../../sandbox/faults';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/hubspot-sandbox.server';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
const rows = readTelcoCsv(CSV);
const TOKEN = 'pat-na1-sandbox-0000';

interface SdkError {
  code: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}
async function sdkError(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}

/** Lets real socket I/O run while timers are fake (setImmediate is not faked). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not reached');
}

function client(sandbox: HubSpotSandbox, extra: Partial<ConstructorParameters<typeof Client>[0]> = {}): Client {
  return new Client({ accessToken: TOKEN, basePath: sandbox.url, numberOfApiCallRetries: 0, ...extra });
}

describe('HubSpot sandbox through @hubspot/api-client 13.5.0', () => {
  let sandbox: HubSpotSandbox;
  const clock = fixedClock('2026-10-01T12:00:00.000Z');

  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({ seed: 11, accounts: 120, rows, tier: 'enterprise', clock, searchPerSecond: 1000 });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => clock.advance(60_000)); // a fresh rate window per test

  it('pages companies to the end with typed models, leaving out paging on the last page', async () => {
    const hs = client(sandbox);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await hs.crm.companies.basicApi.getPage(50, after, ['name', 'contract_type', 'monthly_revenue']);
      pages++;
      for (const c of page.results) {
        expect(c.createdAt).toBeInstanceOf(Date);
        expect(c.updatedAt).toBeInstanceOf(Date);
        expect(c.archived).toBe(false);
        expect(c.properties.name).toEqual(expect.any(String));
        expect(['Month-to-month', 'One year', 'Two year']).toContain(c.properties.contract_type);
        seen.push(c.id);
      }
      after = page.paging?.next?.after;
      if (!after) expect(page.paging).toBeUndefined();
    } while (after);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(120);
    const all = await hs.crm.contacts.getAll(100);
    expect(all.length).toBe(sandbox.state.portal.table('contacts').size);
  });

  it('gets one object and reports a missing one as ApiException 404 with the error body', async () => {
    const hs = client(sandbox);
    const first = [...sandbox.state.portal.table('deals').keys()][0] as string;
    const deal = await hs.crm.deals.basicApi.getById(first, ['dealname', 'amount', 'dealstage'], undefined, ['companies']);
    expect(deal.id).toBe(first);
    expect(Number(deal.properties.amount)).toBeGreaterThan(0);
    expect(deal.associations?.companies?.results[0]?.id).toMatch(/^\d+$/);
    const err = await sdkError(hs.crm.deals.basicApi.getById('99999999'));
    expect(err.code).toBe(404);
    expect(err.body).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    expect(err.headers['content-type']).toMatch(/^application\/json/);
  });

  it('searches with filter groups, operators and sorts, pages to the end and validates limits', async () => {
    const hs = client(sandbox);
    const companies = [...sandbox.state.portal.table('companies').values()];
    const expected = companies.filter(
      (c) =>
        (c.properties.contract_type === 'Month-to-month' && Number(c.properties.tenure_months) >= 12) ||
        c.properties.internet_service === 'DSL',
    );
    const found: { id: string; tenure: number }[] = [];
    let after: string | undefined;
    do {
      const res = await hs.crm.companies.searchApi.doSearch({
        filterGroups: [
          {
            filters: [
              { propertyName: 'contract_type', operator: Op.Eq, value: 'Month-to-month' },
              { propertyName: 'tenure_months', operator: Op.Gte, value: '12' },
            ],
          },
          { filters: [{ propertyName: 'internet_service', operator: Op.In, values: ['DSL'] }] },
        ],
        sorts: [{ propertyName: 'tenure_months', direction: 'DESCENDING' } as unknown as string],
        properties: ['tenure_months'],
        limit: 7,
        ...(after ? { after } : {}),
      });
      expect(res.total).toBe(expected.length);
      for (const r of res.results) found.push({ id: r.id, tenure: Number(r.properties.tenure_months) });
      after = res.paging?.next?.after;
    } while (after);
    expect(found.map((f) => f.id).sort()).toEqual(expected.map((c) => c.id).sort());
    for (let i = 1; i < found.length; i++) expect(found[i - 1]!.tenure).toBeGreaterThanOrEqual(found[i]!.tenure);

    const between = await hs.crm.companies.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'monthly_revenue', operator: Op.Between, value: '50', highValue: '70' },
            { propertyName: 'churned_at', operator: Op.HasProperty },
          ],
        },
      ],
      limit: 200,
    });
    expect(between.total).toBe(
      companies.filter(
        (c) => Number(c.properties.monthly_revenue) >= 50 && Number(c.properties.monthly_revenue) <= 70 && c.properties.churned_at,
      ).length,
    );
    const neq = await hs.crm.companies.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'account_status', operator: Op.Neq, value: 'churned' },
            { propertyName: 'tenure_months', operator: Op.Lt, value: '5' },
          ],
        },
      ],
      limit: 200,
    });
    expect(neq.total).toBe(
      companies.filter((c) => c.properties.account_status !== 'churned' && Number(c.properties.tenure_months) < 5).length,
    );

    const tooMany = await sdkError(hs.crm.companies.searchApi.doSearch({ limit: 201 }));
    expect(tooMany.code).toBe(400);
    expect(tooMany.body.category).toBe('VALIDATION_ERROR');
    const badProp = await sdkError(
      hs.crm.companies.searchApi.doSearch({ filterGroups: [{ filters: [{ propertyName: 'nope', operator: Op.Eq, value: 'x' }] }] }),
    );
    expect(badProp.code).toBe(400);
  });

  it('caps search at 10,000 results while reporting the full total', async () => {
    const big = await startHubSpotSandbox({ clock, searchPerSecond: 1000, tier: 'enterprise' });
    try {
      for (let i = 0; i < 10_050; i++) big.state.portal.insert('companies', { name: `Co ${i}` }, '2026-01-01T00:00:00.000Z');
      const hs = client(big);
      const page = await hs.crm.companies.searchApi.doSearch({ limit: 200, after: '9800' });
      expect(page.total).toBe(10_050);
      expect(page.results).toHaveLength(200);
      expect(page.paging).toBeUndefined();
      const beyond = await sdkError(hs.crm.companies.searchApi.doSearch({ limit: 10, after: '10000' }));
      expect(beyond.code).toBe(400);
    } finally {
      await big.close();
    }
  });

  it('runs batch read, create, update, upsert and archive with 207 on partial failure and 100-input cap', async () => {
    const hs = client(sandbox);
    const ids = [...sandbox.state.portal.table('companies').keys()].slice(0, 3);
    const read = await hs.crm.companies.batchApi.read({
      inputs: [...ids.map((id) => ({ id })), { id: '404404' }],
      properties: ['name'],
      propertiesWithHistory: [],
    });
    expect(read.results).toHaveLength(3);
    expect('errors' in read && read.errors?.[0]?.category).toBe('OBJECT_NOT_FOUND');
    expect('numErrors' in read && read.numErrors).toBe(1);
    expect(read.startedAt).toBeInstanceOf(Date);

    const created = await hs.crm.companies.batchApi.create({
      inputs: [
        { properties: { name: 'Batch A', domain: 'a.example.com', telco_customer_id: 'A-1' }, associations: [] },
        { properties: { name: 'Batch B' }, associations: [] },
      ],
    });
    expect(created.results.map((r) => r.properties.name).sort()).toEqual(['Batch A', 'Batch B']);
    const [a, b] = created.results;
    const updated = await hs.crm.companies.batchApi.update({
      inputs: [
        { id: a!.id, properties: { industry: 'RETAIL' } },
        { id: '404405', properties: { industry: 'RETAIL' } },
      ],
    });
    expect(updated.results[0]?.properties.industry).toBe('RETAIL');
    expect('errors' in updated && updated.errors?.[0]?.context).toEqual({ ids: ['404405'] });

    // Upserts key on a unique-value property only (telco_customer_id is one; domain is not).
    const upserted = await hs.crm.companies.batchApi.upsert({
      inputs: [
        { idProperty: 'telco_customer_id', id: 'A-1', properties: { country: 'NZ' } },
        { idProperty: 'telco_customer_id', id: 'C-1', properties: { name: 'Batch C' } },
      ],
    });
    expect(upserted.results.map((r) => [r.properties.country ?? r.properties.name, r._new]).sort()).toEqual([
      ['Batch C', true],
      ['NZ', false],
    ]);

    await hs.crm.companies.batchApi.archive({ inputs: [{ id: b!.id }] });
    const gone = await sdkError(hs.crm.companies.basicApi.getById(b!.id));
    expect(gone.code).toBe(404);

    const tooBig = await sdkError(
      hs.crm.companies.batchApi.read({
        inputs: Array.from({ length: 101 }, (_, i) => ({ id: String(i) })),
        properties: [],
        propertiesWithHistory: [],
      }),
    );
    expect(tooBig.code).toBe(400);
    const badProp = await sdkError(hs.crm.companies.basicApi.create({ properties: { no_such_property: 'x' }, associations: [] }));
    expect(badProp.code).toBe(400);
    expect(String(badProp.body.message)).toContain('PROPERTY_DOESNT_EXIST');
  });

  it('creates property groups and properties and answers duplicates with 409', async () => {
    const hs = client(sandbox);
    const group = await hs.crm.properties.groupsApi.create('companies', {
      name: 'success_engine',
      label: 'Success Engine',
      displayOrder: 1,
    });
    expect(group.name).toBe('success_engine');
    const dupGroup = await sdkError(hs.crm.properties.groupsApi.create('companies', { name: 'success_engine', label: 'Again' }));
    expect(dupGroup.code).toBe(409);
    expect(dupGroup.body.category).toBe('OBJECT_ALREADY_EXISTS');
    const prop = await hs.crm.properties.coreApi.create('companies', {
      name: 'se_churn_risk',
      label: 'Churn risk',
      type: 'number' as never,
      fieldType: 'number' as never,
      groupName: 'success_engine',
    });
    expect(prop.createdAt).toBeInstanceOf(Date);
    const dup = await sdkError(
      hs.crm.properties.coreApi.create('companies', {
        name: 'se_churn_risk',
        label: 'Churn risk',
        type: 'number' as never,
        fieldType: 'number' as never,
        groupName: 'success_engine',
      }),
    );
    expect(dup.code).toBe(409);
    const all = await hs.crm.properties.coreApi.getAll('companies');
    expect(all.results.map((p) => p.name)).toContain('se_churn_risk');
    const company = [...sandbox.state.portal.table('companies').keys()][5] as string;
    const written = await hs.crm.companies.basicApi.update(company, { properties: { se_churn_risk: '0.42' } });
    expect(written.properties.se_churn_risk).toBe('0.42');
    expect(written.updatedAt.toISOString()).toBe(clock.now().toISOString());
  });

  it('reads and writes associations v4 and lists owners', async () => {
    const hs = client(sandbox);
    const company = [...sandbox.state.portal.table('companies').keys()][0] as string;
    const contacts = await hs.crm.associations.v4.basicApi.getPage('companies', company, 'contacts');
    expect(contacts.results.length).toBeGreaterThan(0);
    expect(contacts.results[0]?.associationTypes).toEqual(
      expect.arrayContaining([{ category: 'HUBSPOT_DEFINED', typeId: 2, label: 'Primary' }]),
    );
    const batch = await hs.crm.associations.v4.batchApi.getPage('companies', 'deals', { inputs: [{ id: company }] });
    expect(batch.results[0]?._from.id).toBe(company);
    expect(batch.results[0]?.to.length).toBeGreaterThan(0);
    const ticket = [...sandbox.state.portal.table('notes').keys()][0] as string;
    const made = await hs.crm.associations.v4.basicApi.createDefault(
      'notes',
      ticket,
      'deals',
      [...sandbox.state.portal.table('deals').keys()][0] as string,
    );
    expect(made.status).toBe('COMPLETE');
    expect(made.results[0]?.associationSpec.associationTypeId).toBe(214);
    expect(made.results[0]?._from.id).toBe(ticket);
    const owners = await hs.crm.owners.ownersApi.getPage();
    expect(owners.results).toHaveLength(8);
    expect(owners.results[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('exchanges an OAuth code and a refresh token; tokens last 30 minutes', async () => {
    const hs = new Client({ basePath: sandbox.url });
    const code = sandbox.state.issueAuthCode('http://localhost/callback');
    const tokens = await hs.oauth.tokensApi.create(
      'authorization_code',
      code,
      'http://localhost/callback',
      'sandbox-client-id',
      'sandbox-client-secret',
    );
    expect(tokens.expiresIn).toBe(1800);
    expect(tokens.tokenType).toBe('bearer');
    const reused = await sdkError(
      hs.oauth.tokensApi.create('authorization_code', code, 'http://localhost/callback', 'sandbox-client-id', 'sandbox-client-secret'),
    );
    expect(reused.code).toBe(400);
    expect(reused.body.status).toBe('BAD_AUTH_CODE');

    const api = new Client({ accessToken: tokens.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 });
    const page = await api.crm.companies.basicApi.getPage(1);
    expect(page.results).toHaveLength(1);
    clock.advance(1800 * 1000);
    const expired = await sdkError(api.crm.companies.basicApi.getPage(1));
    expect(expired.code).toBe(401);
    expect(expired.body.category).toBe('EXPIRED_AUTHENTICATION');

    const refreshed = await hs.oauth.tokensApi.create(
      'refresh_token',
      undefined,
      undefined,
      'sandbox-client-id',
      'sandbox-client-secret',
      tokens.refreshToken,
    );
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    const again = new Client({ accessToken: refreshed.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 });
    expect((await again.crm.companies.basicApi.getPage(1)).results).toHaveLength(1);
    const bad = await sdkError(new Client({ accessToken: 'nope', basePath: sandbox.url }).crm.companies.basicApi.getPage(1));
    expect(bad.code).toBe(401);
    expect(bad.body.category).toBe('INVALID_AUTHENTICATION');
  });

  it('serves engagements (notes, calls, emails, meetings, tasks) with their bodies and company associations', async () => {
    const hs = client(sandbox);
    const props = {
      notes: ['hs_note_body', 'hs_timestamp'],
      calls: ['hs_call_title', 'hs_call_body', 'hs_call_direction'],
      emails: ['hs_email_subject', 'hs_email_text'],
      meetings: ['hs_meeting_title', 'hs_meeting_start_time'],
      tasks: ['hs_task_subject', 'hs_task_status'],
    } as const;
    const apis = {
      notes: hs.crm.objects.notes,
      calls: hs.crm.objects.calls,
      emails: hs.crm.objects.emails,
      meetings: hs.crm.objects.meetings,
      tasks: hs.crm.objects.tasks,
    };
    let chinese = 0;
    for (const type of Object.keys(props) as (keyof typeof props)[]) {
      const all: { createdAt: Date; properties: Record<string, string | null>; associations?: { companies?: { results: unknown[] } } }[] =
        [];
      let after: string | undefined;
      do {
        const page = await apis[type].basicApi.getPage(100, after, [...props[type]], undefined, ['companies']);
        all.push(...page.results);
        after = page.paging?.next?.after;
      } while (after);
      expect(all.length).toBe(sandbox.state.portal.table(type).size);
      expect(all.length).toBeGreaterThan(0);
      for (const e of all) {
        expect(e.createdAt).toBeInstanceOf(Date);
        for (const p of props[type]) expect(e.properties[p]).toEqual(expect.any(String));
        expect(e.associations?.companies?.results).toHaveLength(1);
        if (Object.values(e.properties).some((v) => typeof v === 'string' && /[\u4e00-\u9fff]/.test(v))) chinese++;
      }
    }
    expect(chinese).toBeGreaterThan(0);
  });

  it('runs the OAuth authorize redirect, carrying state, with a JSON content type', async () => {
    const res = await fetch(
      `${sandbox.url}/oauth/authorize?client_id=sandbox-client-id&redirect_uri=${encodeURIComponent('http://localhost/cb')}&scope=crm.objects.companies.read&state=xyz`,
      { redirect: 'manual' },
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const location = new URL(res.headers.get('location') as string);
    expect(location.searchParams.get('state')).toBe('xyz');
    const tokens = await new Client({ basePath: sandbox.url }).oauth.tokensApi.create(
      'authorization_code',
      location.searchParams.get('code') as string,
      'http://localhost/cb',
      'sandbox-client-id',
      'sandbox-client-secret',
    );
    expect(tokens.expiresIn).toBe(1800);
  });

  it('serves the single-item reads and association writes the connector uses', async () => {
    const hs = client(sandbox);
    const name = await hs.crm.properties.coreApi.getByName('companies', 'contract_type');
    expect(name).toMatchObject({ name: 'contract_type', type: 'enumeration', groupName: 'telco' });
    const group = await hs.crm.properties.groupsApi.getByName('companies', 'telco');
    expect(group.label).toBe('Telco customer profile');
    const missing = await sdkError(hs.crm.properties.coreApi.getByName('companies', 'nope'));
    expect(missing.code).toBe(404);
    const owner = sandbox.state.portal.owners[2]!;
    expect((await hs.crm.owners.ownersApi.getById(Number(owner.id))).email).toBe(owner.email);
    expect((await hs.crm.owners.ownersApi.getById(owner.userId, 'userId')).id).toBe(owner.id);

    const [contact] = sandbox.state.portal.table('contacts').keys();
    const [deal] = sandbox.state.portal.table('deals').keys();
    const labels = await hs.crm.associations.v4.basicApi.create('contacts', contact!, 'deals', deal!, [
      { associationCategory: 'HUBSPOT_DEFINED' as never, associationTypeId: 4 },
    ]);
    expect(labels).toMatchObject({
      fromObjectTypeId: '0-1',
      toObjectTypeId: '0-3',
      fromObjectId: Number(contact),
      toObjectId: Number(deal),
    });
    const fromDeal = await hs.crm.associations.v4.basicApi.getPage('deals', deal!, 'contacts');
    expect(fromDeal.results.map((r) => [r.toObjectId, r.associationTypes[0]?.typeId])).toContainEqual([Number(contact), 3]);
    await hs.crm.associations.v4.basicApi.archive('contacts', contact!, 'deals', deal!);
    expect((await hs.crm.associations.v4.basicApi.getPage('deals', deal!, 'contacts')).results.map((r) => r.toObjectId)).not.toContain(
      Number(contact),
    );

    const code = sandbox.state.issueAuthCode('http://localhost/cb');
    const tokens = await new Client({ basePath: sandbox.url }).oauth.tokensApi.create(
      'authorization_code',
      code,
      'http://localhost/cb',
      'sandbox-client-id',
      'sandbox-client-secret',
    );
    const info = await new Client({ basePath: sandbox.url }).oauth.accessTokensApi.get(tokens.accessToken);
    expect(info).toMatchObject({ hubId: sandbox.state.portal.portalId, expiresIn: 1800, tokenType: 'access' });
  });

  it('answers unknown routes with JSON too', async () => {
    const res = await fetch(`${sandbox.url}/crm/v3/nothing-here`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ status: 'error' });
  });
});

describe('HubSpot sandbox rate limits', () => {
  it('gives exactly 50 answers of 429 for 150 requests in one 10-second window on a 100/10 s tier', async () => {
    const clock = fixedClock('2026-10-01T00:00:00.000Z');
    const sandbox = await startHubSpotSandbox({ seed: 2, accounts: 5, rows, tier: 'free', clock });
    try {
      const answers: Response[] = [];
      for (let i = 0; i < 150; i++) {
        clock.advance(50); // 150 × 50 ms = 7.5 s, all inside one window
        answers.push(await fetch(`${sandbox.url}/crm/v3/objects/companies?limit=1`, { headers: { Authorization: `Bearer ${TOKEN}` } }));
      }
      const limited = answers.filter((r) => r.status === 429);
      expect(limited).toHaveLength(50);
      expect(answers.slice(0, 100).every((r) => r.status === 200)).toBe(true);
      expect(answers[99]?.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
      expect(answers[0]?.headers.get('x-hubspot-ratelimit-remaining')).toBe('99');
      for (const r of limited) {
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        expect(r.headers.get('x-hubspot-ratelimit-max')).toBe('100');
        expect(r.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
        expect(r.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
        expect(r.headers.get('x-hubspot-ratelimit-daily')).toBe('250000');
        expect(r.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('249900');
        const body = (await r.json()) as Record<string, unknown>;
        expect(body).toMatchObject({
          status: 'error',
          errorType: 'RATE_LIMIT',
          policyName: 'TEN_SECONDLY_ROLLING',
          message: 'You have reached your ten_secondly_rolling limit.',
        });
        expect(body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
        expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      }
      // The window rolls: 10 s after the first request, capacity returns.
      clock.advance(10_000 - 150 * 50 + 50 + 1);
      const after = await fetch(`${sandbox.url}/crm/v3/objects/companies?limit=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(after.status).toBe(200);
    } finally {
      await sandbox.close();
    }
  });

  describe('SDK retries (fake timers)', () => {
    beforeEach(() => {
      jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
      jest.spyOn(console, 'error').mockImplementation(() => undefined);
    });
    afterEach(() => {
      jest.useRealTimers();
      jest.restoreAllMocks();
    });

    it('retries a TEN_SECONDLY_ROLLING 429 after 10 s and succeeds once the window rolls', async () => {
      const clock = fixedClock('2026-10-01T00:00:00.000Z');
      const sandbox = await startHubSpotSandbox({ seed: 2, accounts: 3, rows, tier: 'free', clock });
      try {
        for (let i = 0; i < 100; i++)
          await fetch(`${sandbox.url}/crm/v3/objects/companies?limit=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        const hs = new Client({ accessToken: TOKEN, basePath: sandbox.url, numberOfApiCallRetries: 3 });
        const pending = hs.crm.companies.basicApi.getPage(10);
        await until(() => jest.getTimerCount() > 0); // the SDK got its 429 and is waiting
        expect(sandbox.state.faults.requestCount).toBe(101);
        clock.advance(10_001);
        await jest.advanceTimersByTimeAsync(10_000);
        const page = await pending;
        expect(page.results).toHaveLength(3);
        expect(sandbox.state.faults.requestCount).toBe(102);
      } finally {
        await sandbox.close();
      }
    });

    it('does not retry a DAILY 429, retries 5xx after 200 ms × n and a search SECONDLY 429 after 1 s', async () => {
      const clock = fixedClock('2026-10-01T00:00:00.000Z');
      const sandbox = await startHubSpotSandbox({
        seed: 2,
        accounts: 3,
        rows,
        tier: 'free',
        clock,
        faults: { serverErrorBursts: [{ afterRequest: 0, count: 2, status: 502 }] },
      });
      try {
        const hs = new Client({ accessToken: TOKEN, basePath: sandbox.url, numberOfApiCallRetries: 3 });
        const pending = hs.crm.companies.basicApi.getPage(10);
        await until(() => jest.getTimerCount() > 0);
        expect(sandbox.state.faults.requestCount).toBe(1);
        await jest.advanceTimersByTimeAsync(200);
        await until(() => sandbox.state.faults.requestCount === 2 && jest.getTimerCount() > 0);
        await jest.advanceTimersByTimeAsync(400);
        expect((await pending).results).toHaveLength(3);
        expect(sandbox.state.faults.requestCount).toBe(3);

        await Promise.all(Array.from({ length: 5 }, () => hs.crm.companies.searchApi.doSearch({ limit: 1 })));
        const sixth = hs.crm.companies.searchApi.doSearch({ limit: 1 });
        await until(() => jest.getTimerCount() > 0);
        expect(sandbox.state.faults.requestCount).toBe(9);
        clock.advance(1001);
        await jest.advanceTimersByTimeAsync(1000);
        expect((await sixth).total).toBe(3);
        expect(sandbox.state.faults.requestCount).toBe(10);

        // Exhaust the daily quota directly; the SDK must give up at once.
        const limiter = sandbox.state.limiter as unknown as { dailyUsed: number };
        limiter.dailyUsed = 250_000;
        const daily = await sdkError(hs.crm.companies.basicApi.getPage(1));
        expect(daily.code).toBe(429);
        expect(daily.body.policyName).toBe('DAILY');
        expect(sandbox.state.faults.requestCount).toBe(11);
      } finally {
        await sandbox.close();
      }
    });
  });
});

describe('HubSpot sandbox fault injection', () => {
  it('injects 429 bursts, dropped connections, latency and token expiry mid-run at chosen requests', async () => {
    const clock = fixedClock('2026-10-01T00:00:00.000Z');
    const sandbox = await startHubSpotSandbox({
      seed: 4,
      accounts: 4,
      rows,
      clock,
      tier: 'enterprise',
      faults: {
        latencyMs: { min: 1, max: 5 },
        rateLimitBursts: [{ afterRequest: 2, count: 1 }],
        dropRequests: [4],
        expireTokensAtRequest: 6,
      },
    });
    try {
      const code = sandbox.state.issueAuthCode('http://localhost/cb');
      const tokens = await new Client({ basePath: sandbox.url }).oauth.tokensApi.create(
        'authorization_code',
        code,
        'http://localhost/cb',
        'sandbox-client-id',
        'sandbox-client-secret',
      ); // request 1
      const hs = new Client({ accessToken: tokens.accessToken, basePath: sandbox.url, numberOfApiCallRetries: 0 });
      expect((await hs.crm.companies.basicApi.getPage(2)).results).toHaveLength(2); // 2
      const burst = await sdkError(hs.crm.companies.basicApi.getPage(2)); // 3
      expect(burst.code).toBe(429);
      expect(burst.body.policyName).toBe('TEN_SECONDLY_ROLLING');
      const dropped = await sdkError(hs.crm.companies.basicApi.getPage(2)); // 4: socket closed, no HTTP status
      expect(dropped.code).toBe('ECONNRESET');
      expect((await hs.crm.companies.basicApi.getPage(2)).results).toHaveLength(2); // 5
      const expired = await sdkError(hs.crm.companies.basicApi.getPage(2)); // 6: every OAuth token expires here
      expect(expired.code).toBe(401);
      expect(expired.body.category).toBe('EXPIRED_AUTHENTICATION');
      expect(sandbox.state.faults.requestCount).toBe(6);
    } finally {
      await sandbox.close();
    }
  });

  it('expires sessions at a drawn rate, sparing tokens minted moments ago (a real token lives 30 minutes)', async () => {
    const clock = fixedClock('2026-10-01T00:00:00.000Z');
    const sandbox = await startHubSpotSandbox({ seed: 4, accounts: 4, rows, clock, tier: 'enterprise', faults: { expireTokensRate: 1 } });
    try {
      const mint = async () =>
        new Client({ basePath: sandbox.url }).oauth.tokensApi.create(
          'authorization_code',
          sandbox.state.issueAuthCode('http://localhost/cb'),
          'http://localhost/cb',
          'sandbox-client-id',
          'sandbox-client-secret',
        );
      const old = await mint();
      clock.advance(YOUNG_TOKEN_MS);
      const fresh = await mint();
      const page = (token: string) =>
        new Client({ accessToken: token, basePath: sandbox.url, numberOfApiCallRetries: 0 }).crm.companies.basicApi.getPage(1);
      // Every request draws an expiry: the older token dies, the one minted in the same instant lives.
      expect((await sdkError(page(old.accessToken))).code).toBe(401);
      expect((await page(fresh.accessToken)).results).toHaveLength(1);
      clock.advance(YOUNG_TOKEN_MS);
      expect((await sdkError(page(fresh.accessToken))).code).toBe(401);
    } finally {
      await sandbox.close();
    }
  });
});
