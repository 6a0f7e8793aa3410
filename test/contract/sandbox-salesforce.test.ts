import { failure } from '../helpers/jsforce-failure';
import { createSign, generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { Connection, OAuth2 } from 'jsforce';
import { fixedClock } from '../../core';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';
import { parseSfDateTime, type SfRecord } from '../../sandbox/salesforce/salesforce-state';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { PACKAGE_FIELDS } from '../../sandbox/salesforce/salesforce-schema';
import { SALESFORCE_TYPES, SCORE_FIELDS } from '../../manifests/field-map';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
const rows = readTelcoCsv(CSV);
const VERSION = '62.0';
const STATIC = '00D8d0000000SBX!sandbox-static-token';
const APP = { clientId: 'sandbox-consumer-key', clientSecret: 'sandbox-consumer-secret' };
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function jwt(claims: Record<string, unknown>, key = privateKey): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const data = `${enc({ alg: 'RS256' })}.${enc(claims)}`;
  return `${data}.${createSign('RSA-SHA256').update(data).sign(key).toString('base64url')}`;
}

describe('Salesforce sandbox through jsforce 3.10.16', () => {
  let sandbox: SalesforceSandbox;
  const clock = fixedClock('2026-10-01T12:00:00.000Z');
  const connect = (): Connection => new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION });
  const table = (name: string): SfRecord[] => [...sandbox.state.org.table(name).values()];

  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({
      seed: 5,
      accounts: 150,
      rows,
      clock,
      connectedApp: { ...APP, certificatePem: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
      namespace: 'sengine',
      packageInstalled: true,
      bulkPageSize: 250,
    });
  });
  afterAll(() => sandbox.close());

  it('exchanges a web-server code, refreshes, and returns an id ending in /orgId/userId', async () => {
    const oauth2 = new OAuth2({ loginUrl: sandbox.url, ...APP, redirectUri: 'http://localhost/cb' });
    const conn = new Connection({ oauth2, version: VERSION });
    const code = sandbox.state.issueAuthCode('http://localhost/cb');
    const user = await conn.authorize(code);
    expect(user.organizationId).toBe(sandbox.state.org.orgId);
    expect(user.id).toMatch(/^005/);
    expect(conn.instanceUrl).toBe(sandbox.url);
    expect(conn.refreshToken).toEqual(expect.any(String));
    const firstToken = conn.accessToken;

    // A 401 mid-run: jsforce refreshes once and replays the request.
    sandbox.state.expireAccessTokens(firstToken ?? undefined);
    let refreshed = false;
    conn.on('refresh', () => (refreshed = true));
    const res = await conn.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1');
    expect(res.records).toHaveLength(1);
    expect(refreshed).toBe(true);
    expect(conn.accessToken).not.toBe(firstToken);

    const reused = await failure(conn.authorize(code));
    expect(reused.name).toBe('invalid_grant');
  });

  it('accepts a JWT bearer assertion signed with the configured key and rejects others', async () => {
    const conn = new Connection({ loginUrl: sandbox.url, version: VERSION });
    const exp = Math.floor(clock.now().getTime() / 1000) + 180;
    const claims = { iss: APP.clientId, sub: 'integration@sandbox.example.com', aud: sandbox.url, exp };
    const user = await conn.authorize({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: jwt(claims) });
    expect(user.organizationId).toBe(sandbox.state.org.orgId);
    expect(conn.refreshToken).toBeUndefined();
    expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBe(150);

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = await failure(
      new Connection({ loginUrl: sandbox.url, version: VERSION }).authorize({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwt(claims, other),
      }),
    );
    expect(forged.name).toBe('invalid_grant');
    const expired = await failure(
      new Connection({ loginUrl: sandbox.url, version: VERSION }).authorize({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwt({ ...claims, exp: exp - 600 }),
      }),
    );
    expect(expired.message).toMatch(/expired/);
    const audience = await failure(
      new Connection({ loginUrl: sandbox.url, version: VERSION }).authorize({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: jwt({ ...claims, aud: 'https://evil.example.com' }),
      }),
    );
    expect(audience.message).toBe('audience is invalid');
  });

  it('pages a query to the end through nextRecordsUrl, honouring Sforce-Query-Options batchSize', async () => {
    const conn = connect();
    const total = table('Invoice__c').length;
    expect(total).toBeGreaterThan(1000);
    const first = await conn.query<{ Id: string }>('SELECT Id, Name FROM Invoice__c', {
      headers: { 'Sforce-Query-Options': 'batchSize=500' },
    });
    expect(first.records).toHaveLength(500);
    expect(first.done).toBe(false);
    expect(first.totalSize).toBe(total);
    const ids = new Set(first.records.map((r) => r.Id));
    let page = first;
    while (!page.done) {
      page = await conn.queryMore<{ Id: string }>(page.nextRecordsUrl as string);
      for (const r of page.records as { Id: string }[]) ids.add(r.Id);
    }
    expect(page.nextRecordsUrl).toBeUndefined();
    expect(ids.size).toBe(total);
    const finished = await failure(conn.queryMore(first.nextRecordsUrl as string));
    expect(finished.errorCode).toBe('INVALID_QUERY_LOCATOR');

    // A locator left idle for more than 15 minutes expires.
    const idle = await conn.query('SELECT Id FROM Invoice__c', { headers: { 'Sforce-Query-Options': 'batchSize=200' } });
    clock.advance(15 * 60_000 + 1);
    const expired = await failure(conn.queryMore(idle.nextRecordsUrl as string));
    expect(expired.errorCode).toBe('INVALID_QUERY_LOCATOR');

    const all = await conn.query('SELECT Id FROM Task', { autoFetch: true, maxFetch: 100_000 });
    expect(all.records).toHaveLength(table('Task').length);
    const firstDefault = await conn.query('SELECT Id FROM Task');
    expect(firstDefault.records).toHaveLength(Math.min(2000, table('Task').length));
    expect(conn.limitInfo.apiUsage?.used).toBe(sandbox.state.apiUsage().used);
    expect(conn.limitInfo.apiUsage?.limit).toBe(100_000);
  });

  it('runs the SOQL subset: relationship fields, AND/OR/parentheses, IN, LIKE, date literals, ORDER BY, LIMIT, OFFSET', async () => {
    const conn = connect();
    const accounts = new Map(table('Account').map((a) => [a.Id, a]));
    const opps = table('Opportunity');
    const soql =
      "SELECT Id, Name, Amount, Account.Name, Account.Owner.Name FROM Opportunity WHERE (StageName = 'Closed Lost' OR (StageName IN ('Qualification', 'Proposal/Price Quote') AND Amount > 500)) AND Account.Contract_Type__c != 'Two year' ORDER BY Amount DESC, Id LIMIT 40 OFFSET 3";
    const res = await conn.query<{ Id: string; Amount: number; Account: { Name: string; Owner: { Name: string } } }>(soql);
    const expected = opps
      .filter(
        (o) =>
          (o.StageName === 'Closed Lost' ||
            (['Qualification', 'Proposal/Price Quote'].includes(o.StageName as string) && (o.Amount as number) > 500)) &&
          accounts.get(o.AccountId as string)?.Contract_Type__c !== 'Two year',
      )
      .sort((a, b) => (b.Amount as number) - (a.Amount as number) || (a.Id < b.Id ? -1 : 1))
      .slice(3, 43);
    expect(res.records.map((r) => r.Id)).toEqual(expected.map((o) => o.Id));
    const r0 = res.records[0]!;
    expect(r0.Account.Name).toBe(accounts.get(expected[0]!.AccountId as string)?.Name);
    expect(r0.Account.Owner.Name).toEqual(expect.any(String));
    expect((r0 as unknown as { attributes: { type: string } }).attributes.type).toBe('Opportunity');

    const like = await conn.query<{ Name: string }>("SELECT Name FROM Account WHERE Name LIKE 'North%'");
    expect(like.totalSize).toBe(table('Account').filter((a) => (a.Name as string).toLowerCase().startsWith('north')).length);

    const recent = await conn.query('SELECT Id FROM Case WHERE CreatedDate = LAST_N_DAYS:90');
    const start = Date.UTC(2026, 9, 1) - 90 * 86_400_000;
    expect(recent.totalSize).toBe(table('Case').filter((c) => parseSfDateTime(c.CreatedDate as string) >= start).length);
    const dated = await conn.query('SELECT Id FROM Opportunity WHERE CloseDate >= 2026-01-01 AND CloseDate < TODAY AND IsWon = true');
    expect(dated.totalSize).toBe(
      opps.filter((o) => (o.CloseDate as string) >= '2026-01-01' && (o.CloseDate as string) < '2026-10-01' && o.IsWon === true).length,
    );
    const notIn = await conn.query("SELECT Id FROM Account WHERE Internet_Service__c NOT IN ('DSL', 'No')");
    expect(notIn.totalSize).toBe(table('Account').filter((a) => a.Internet_Service__c === 'Fiber optic').length);
  });

  it('reports query errors with the real codes', async () => {
    const conn = connect();
    const malformed = await failure(conn.query('SELECT Id FRM Account'));
    expect(malformed.errorCode).toBe('MALFORMED_QUERY');
    const field = await failure(conn.query('SELECT Nope__c FROM Account'));
    expect(field.errorCode).toBe('INVALID_FIELD');
    expect(field.message).toContain("No such column 'Nope__c' on entity 'Account'");
    const type = await failure(conn.query('SELECT Id FROM Widget'));
    expect(type.errorCode).toBe('INVALID_TYPE');
    const quoted = await failure(conn.query("SELECT Id FROM Account WHERE CreatedDate > '2026-01-01'"));
    expect(quoted.errorCode).toBe('INVALID_FIELD');
    const session = await failure(
      new Connection({ instanceUrl: sandbox.url, accessToken: 'bad', version: VERSION }).query('SELECT Id FROM Account'),
    );
    expect(session.errorCode).toBe('INVALID_SESSION_ID');
  });

  it('serves getUpdated, getDeleted and queryAll with deleted rows', async () => {
    const conn = connect();
    clock.advance(60_000);
    const [a, b] = table('Contact');
    await conn.sobject('Contact').update({ Id: a!.Id, Title: 'CFO' });
    await conn.sobject('Contact').destroy(b!.Id);
    clock.advance(120_000);
    const start = new Date(clock.now().getTime() - 3_600_000);
    const updated = await conn.sobject('Contact').updated(start, clock.now());
    expect(updated.ids).toEqual([a!.Id]);
    expect(updated.latestDateCovered).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000\+0000$/);
    const deleted = await conn.sobject('Contact').deleted(start, clock.now());
    expect(deleted.deletedRecords.map((d: { id: string }) => d.id)).toEqual([b!.Id]);
    const tooOld = await failure(conn.sobject('Contact').updated(new Date(clock.now().getTime() - 31 * 86_400_000), clock.now()));
    expect(tooOld.errorCode).toBe('INVALID_REPLICATION_DATE');

    const live = await conn.query(`SELECT Id FROM Contact WHERE Id = '${b!.Id}'`);
    expect(live.totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${b!.Id}'`, {
      scanAll: true,
    });
    expect(all.records[0]?.IsDeleted).toBe(true);
  });

  it('updates collections with per-record results in order, UNABLE_TO_LOCK_ROW and allOrNone', async () => {
    const conn = connect();
    const [x, y, z] = table('Account');
    (sandbox.state.faults as unknown as { locked: Set<string> }).locked.add(y!.Id);
    const results = await conn.sobject('Account').update([
      { Id: x!.Id, sengine__SE_Churn_Probability__c: 12.5 },
      { Id: y!.Id, sengine__SE_Churn_Probability__c: 80 },
      { Id: z!.Id, Nope__c: 1 },
    ]);
    expect(results.map((r) => r.success)).toEqual([true, false, false]);
    expect(results.map((r) => r.id)).toEqual([x!.Id, y!.Id, z!.Id]);
    const errs = results.map((r) => (r.success ? [] : (r.errors as unknown as { statusCode: string }[])));
    expect(errs[1]?.[0]?.statusCode).toBe('UNABLE_TO_LOCK_ROW');
    expect(errs[2]?.[0]?.statusCode).toBe('INVALID_FIELD');
    expect(sandbox.state.org.table('Account').get(x!.Id)?.sengine__SE_Churn_Probability__c).toBe(12.5);

    const rolledBack = await conn.sobject('Account').update(
      [
        { Id: x!.Id, sengine__SE_Churn_Probability__c: 1 },
        { Id: y!.Id, sengine__SE_Churn_Probability__c: 2 },
      ],
      { allOrNone: true },
    );
    expect(rolledBack.map((r) => !r.success && (r.errors as unknown as { statusCode: string }[])[0]?.statusCode)).toEqual([
      'ALL_OR_NONE_OPERATION_ROLLED_BACK',
      'UNABLE_TO_LOCK_ROW',
    ]);
    expect(sandbox.state.org.table('Account').get(x!.Id)?.sengine__SE_Churn_Probability__c).toBe(12.5);

    const accounts = table('Account');
    const tooMany = await failure(
      conn.sobject('Account').update(Array.from({ length: 201 }, (_, i) => ({ Id: accounts[i % accounts.length]!.Id, Name: `N${i}` }))),
    );
    expect(tooMany.errorCode).toBe('EXCEEDED_ID_LIMIT');

    const single = await conn.sobject('Account').update({ Id: z!.Id, sengine__SE_Next_Best_Action__c: 'Call the owner' });
    expect(single).toEqual({ id: z!.Id, success: true, errors: [] });
    const locked = await failure(conn.sobject('Account').update({ Id: y!.Id, Name: 'x' }));
    expect(locked.errorCode).toBe('UNABLE_TO_LOCK_ROW');
    const [record] = await conn.sobject('Account').retrieve([z!.Id]);
    expect((record as Record<string, unknown>).sengine__SE_Next_Best_Action__c).toBe('Call the owner');
  });

  it('creates, reads and deletes single records and answers identity', async () => {
    const conn = connect();
    const created = await conn.sobject('Case').create({ Subject: 'Line down', Status: 'New', AccountId: table('Account')[3]!.Id });
    expect(created).toMatchObject({ success: true });
    const id = (created as { id: string }).id;
    expect(id).toMatch(/^500[0-9A-Za-z]{15}$/);
    const read = await conn.sobject('Case').retrieve(id);
    expect(read).toMatchObject({ Id: id, Subject: 'Line down', IsDeleted: false, attributes: { type: 'Case' } });
    const readOnly = await failure(conn.sobject('Case').create({ Subject: 'x', IsClosed: true }));
    expect(readOnly.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    await conn.sobject('Case').destroy(id);
    const gone = await failure(conn.sobject('Case').retrieve(id));
    expect(gone.errorCode).toBe('NOT_FOUND');
    const me = await conn.identity();
    expect(me.organization_id).toBe(sandbox.state.org.orgId);
    expect(me.user_id).toMatch(/^005/);
  });

  it('describes objects with custom fields, creates missing ones through the Tooling API, and reports limits', async () => {
    const conn = connect();
    const describe = await conn.sobject('Account').describe();
    const names = describe.fields.map((f) => f.name);
    expect(names).toEqual(
      expect.arrayContaining(['Contract_Type__c', 'Tenure_Months__c', 'sengine__SE_Churn_Probability__c', 'sengine__SE_CLV_P50__c']),
    );
    expect(describe.fields.find((f) => f.name === 'OwnerId')?.relationshipName).toBe('Owner');
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(
      expect.arrayContaining(['Account', 'Contact', 'Opportunity', 'Case', 'Task', 'Event', 'Invoice__c']),
    );

    const created = await conn.tooling
      .sobject('CustomField')
      .create({ FullName: 'Account.Health_Note__c', Metadata: { label: 'Health note', type: 'Text', length: 255 } });
    expect(created).toMatchObject({ success: true });
    const dup = await failure(
      conn.tooling
        .sobject('CustomField')
        .create({ FullName: 'Account.Health_Note__c', Metadata: { label: 'Health note', type: 'Text', length: 255 } }),
    );
    expect(dup.errorCode).toBe('DUPLICATE_DEVELOPER_NAME');
    // A new field has no field-level security until a permission set grants it (Salesforce Help,
    // "Field-Level Security"): invisible to describe, SOQL and writes.
    const fresh = new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION });
    expect((await fresh.sobject('Account').describe()).fields.map((f) => f.name)).not.toContain('Health_Note__c');
    expect((await failure(fresh.query('SELECT Health_Note__c FROM Account LIMIT 1'))).errorCode).toBe('INVALID_FIELD');
    const someAccount = [...sandbox.state.org.table('Account').keys()][0] as string;
    expect((await failure(fresh.sobject('Account').update({ Id: someAccount, Health_Note__c: 'x' }))).errorCode).toBe('INVALID_FIELD');
    const ps = await fresh.sobject('PermissionSet').create({ Name: 'Health_Notes', Label: 'Health notes' });
    await fresh
      .sobject('FieldPermissions')
      .create({ ParentId: ps.id, SobjectType: 'Account', Field: 'Account.Health_Note__c', PermissionsRead: true, PermissionsEdit: true });
    expect((await fresh.sobject('Account').describe()).fields.map((f) => f.name)).not.toContain('Health_Note__c');
    const me = await fresh.identity();
    await fresh.sobject('PermissionSetAssignment').create({ AssigneeId: me.user_id, PermissionSetId: ps.id });
    const after = await new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION }).sobject('Account').describe();
    expect(after.fields.find((f) => f.name === 'Health_Note__c')).toMatchObject({ updateable: true, soapType: 'xsd:string', length: 255 });
    await fresh.sobject('Account').update({ Id: someAccount, Health_Note__c: 'renewal at risk' });
    expect(sandbox.state.org.table('Account').get(someAccount)?.Health_Note__c).toBe('renewal at risk');

    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBe(100_000);
    expect(limits.DailyApiRequests?.Remaining).toBe(100_000 - sandbox.state.apiUsage().used);
  });
});

describe('Salesforce sandbox Bulk API 2.0 through jsforce', () => {
  let sandbox: SalesforceSandbox;
  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ seed: 9, accounts: 300, rows, faults: { lockedRecordIds: [] } });
  });
  afterAll(() => sandbox.close());

  it('runs a query job through jsforce, ending on Sforce-Locator: null, with relationship columns', async () => {
    const conn = new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION });
    const stream = await conn.bulk2.query('SELECT Id, Name, Account.Name FROM Contact', { pollInterval: 10, pollTimeout: 5000 });
    const records: Record<string, unknown>[] = [];
    for await (const r of stream as AsyncIterable<Record<string, unknown>>) records.push(r);
    const contacts = [...sandbox.state.org.table('Contact').values()];
    expect(contacts.length).toBeGreaterThan(500);
    expect(records).toHaveLength(contacts.length);
    const first = contacts[0]!;
    const row = records.find((r) => r.Id === first.Id);
    expect(row?.Name).toBe(first.Name);
    expect(row?.['Account.Name']).toBe(sandbox.state.org.table('Account').get(first.AccountId as string)?.Name);
  });

  // jsforce 3.10.16 pipes every result page into one CSV parser that ends with the first page
  // ("write after end"), so multi-page results are checked over plain HTTP.
  it('pages query results by locator with maxRecords, the last page carrying Sforce-Locator: null', async () => {
    const auth = { Authorization: `Bearer ${STATIC}`, 'Content-Type': 'application/json' };
    const job = (await (
      await fetch(`${sandbox.url}/services/data/v${VERSION}/jobs/query`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ operation: 'query', query: 'SELECT Id FROM Contact' }),
      })
    ).json()) as { id: string };
    const info = (await (await fetch(`${sandbox.url}/services/data/v${VERSION}/jobs/query/${job.id}`, { headers: auth })).json()) as {
      state: string;
    };
    expect(info.state).toBe('JobComplete');
    const ids: string[] = [];
    const locators: string[] = [];
    let locator = '';
    do {
      const res = await fetch(
        `${sandbox.url}/services/data/v${VERSION}/jobs/query/${job.id}/results?maxRecords=250${locator ? `&locator=${locator}` : ''}`,
        { headers: auth },
      );
      expect(res.headers.get('content-type')).toBe('text/csv');
      locator = res.headers.get('sforce-locator') ?? '';
      locators.push(locator);
      const lines = (await res.text()).trim().split('\n');
      expect(lines[0]).toBe('Id');
      ids.push(...lines.slice(1));
    } while (locator !== 'null');
    const total = sandbox.state.org.table('Contact').size;
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
    expect(locators).toHaveLength(Math.ceil(total / 250));
  });

  it('runs an ingest update job and reports successful and failed rows', async () => {
    const conn = new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION });
    const accounts = [...sandbox.state.org.table('Account').values()].slice(0, 5);
    (sandbox.state.faults as unknown as { locked: Set<string> }).locked.add(accounts[1]!.Id);
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'update',
      input: [...accounts.map((a, i) => ({ Id: a.Id, Name: `Bulk ${i}, "quoted"` })), { Id: '001000000000000AAA', Name: 'missing' }],
      pollInterval: 10,
      pollTimeout: 5000,
    });
    expect(results.successfulResults).toHaveLength(4);
    expect(results.failedResults).toHaveLength(2);
    expect(results.failedResults.map((f) => String(f.sf__Error).split(':')[0]).sort()).toEqual([
      'INVALID_CROSS_REFERENCE_KEY',
      'UNABLE_TO_LOCK_ROW',
    ]);
    expect(sandbox.state.org.table('Account').get(accounts[0]!.Id)?.Name).toBe('Bulk 0, "quoted"');
    expect(sandbox.state.org.table('Account').get(accounts[1]!.Id)?.Name).toBe(accounts[1]!.Name);
  });
});

describe('Salesforce sandbox faults', () => {
  it('lets jsforce retry a GET 503 and never retries a PATCH; dropped connections surface as errors', async () => {
    const sandbox = await startSalesforceSandbox({
      seed: 1,
      accounts: 3,
      rows,
      faults: {
        serverErrorBursts: [
          { afterRequest: 0, count: 1 },
          { afterRequest: 2, count: 1 },
        ],
        dropRequests: [5],
      },
    });
    try {
      const conn = new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION });
      const res = await conn.query('SELECT Id FROM Account');
      expect(res.totalSize).toBe(3);
      expect(sandbox.state.faults.requestCount).toBe(2);
      const id = [...sandbox.state.org.table('Account').keys()][0] as string;
      const patch = await failure(conn.sobject('Account').update([{ Id: id, Name: 'Renamed' }]));
      expect(patch.errorCode).toBe('SERVER_UNAVAILABLE');
      expect(sandbox.state.faults.requestCount).toBe(3);
      await conn.sobject('Account').update({ Id: id, Name: 'Renamed' });
      const dropped = await failure(conn.sobject('Account').update({ Id: id, Name: 'Again' }));
      expect(dropped).toBeInstanceOf(Error);
      expect(sandbox.state.org.table('Account').get(id)?.Name).toBe('Renamed');
    } finally {
      await sandbox.close();
    }
  });

  it('expires tokens mid-run at a chosen request and answers REQUEST_LIMIT_EXCEEDED past the daily quota', async () => {
    const sandbox = await startSalesforceSandbox({ seed: 1, accounts: 2, rows, dailyApiRequests: 3, faults: { expireTokensAtRequest: 2 } });
    try {
      const conn = new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION });
      expect((await conn.query('SELECT Id FROM Account')).totalSize).toBe(2);
      const expired = await failure(conn.query('SELECT Id FROM Account'));
      expect(expired.errorCode).toBe('INVALID_SESSION_ID');
    } finally {
      await sandbox.close();
    }
    const quota = await startSalesforceSandbox({ seed: 1, accounts: 2, rows, dailyApiRequests: 2 });
    try {
      const conn = new Connection({ instanceUrl: quota.url, accessToken: STATIC, version: VERSION });
      await conn.query('SELECT Id FROM Account');
      await conn.query('SELECT Id FROM Account');
      const limited = await failure(conn.query('SELECT Id FROM Account'));
      expect(limited.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
    } finally {
      await quota.close();
    }
  });
});

describe('Salesforce sandbox package fields', () => {
  it('installs exactly the Account fields of the field map, with matching types', () => {
    const TYPE_OF: Record<string, string> = {
      Number: 'double',
      Picklist: 'picklist',
      Text: 'string',
      LongTextArea: 'textarea',
      DateTime: 'datetime',
    };
    expect(PACKAGE_FIELDS.map(([name]) => name).sort()).toEqual(SCORE_FIELDS.map((f) => f.salesforce).sort());
    for (const spec of SCORE_FIELDS)
      expect([spec.salesforce, PACKAGE_FIELDS.find(([n]) => n === spec.salesforce)?.[1]]).toEqual([
        spec.salesforce,
        TYPE_OF[SALESFORCE_TYPES[spec.kind]],
      ]);
  });
});

describe('Salesforce sandbox: published schema, strict writes, upsert and aggregates (vanilla org)', () => {
  let sandbox: SalesforceSandbox;
  let conn: Connection;
  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({ seed: 31, accounts: 12, rows, org: 'vanilla' });
    conn = new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION });
  });
  afterAll(() => sandbox.close());

  // Object Reference for the Salesforce Platform, sforce_api_objects_account.htm / _contact.htm.
  it('describes the standard schema only, with soapType, lengths and childRelationships; 304 when unchanged', async () => {
    const account = await conn.sobject('Account').describe();
    expect(account.fields.filter((f) => f.custom)).toEqual([]);
    expect(account.fields.find((f) => f.name === 'Name')).toMatchObject({
      soapType: 'xsd:string',
      length: 255,
      nillable: false,
      createable: true,
    });
    expect(account.fields.find((f) => f.name === 'OwnerId')).toMatchObject({
      soapType: 'tns:ID',
      defaultedOnCreate: true,
      referenceTo: ['User'],
    });
    expect(account.childRelationships).toEqual(
      expect.arrayContaining([expect.objectContaining({ childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' })]),
    );
    expect((await conn.describeGlobal()).sobjects.map((s) => s.name)).not.toContain('Invoice__c');
    // REST API "sObject Describe": If-Modified-Since answers 304 Not Modified while nothing changed.
    const res = await fetch(`${sandbox.url}/services/data/v${VERSION}/sobjects/Account/describe`, {
      headers: { Authorization: `Bearer ${STATIC}`, 'If-Modified-Since': new Date(Date.now() + 60_000).toUTCString() },
    });
    expect(res.status).toBe(304);
  });

  // REST API Developer Guide, "Status Codes and Error Responses".
  it('rejects bad writes with Salesforce error codes and defaults OwnerId to the API user', async () => {
    expect((await failure(conn.sobject('Account').create({ Website: 'x.example' }))).errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect((await failure(conn.sobject('Account').create({ Name: 'x'.repeat(256) }))).errorCode).toBe('STRING_TOO_LONG');
    expect((await failure(conn.sobject('Case').create({ Status: 'Sleeping' }))).errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect((await failure(conn.sobject('Contact').create({ LastName: 'Li', AccountId: 'not-an-id' }))).errorCode).toBe('MALFORMED_ID');
    expect((await failure(conn.sobject('Contact').create({ LastName: 'Li', AccountId: '001000000000000AAA' }))).errorCode).toBe(
      'INVALID_CROSS_REFERENCE_KEY',
    );
    expect(
      (await failure(conn.sobject('Opportunity').create({ Name: 'o', StageName: 'Prospecting', CloseDate: '2026-12-01', IsWon: true })))
        .errorCode,
    ).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect((await failure(conn.sobject('Contact').create({ LastName: 'Li', Primary_Contact__c: true }))).errorCode).toBe('INVALID_FIELD');
    const created = await conn.sobject('Account').create({ Name: 'Strict Ltd' });
    const id = created.id ?? '';
    const me = await conn.identity();
    const row = sandbox.state.org.get('Account', id);
    expect(row?.OwnerId).toBe(me.user_id);
    // 15-character ids address the same record.
    expect((await conn.sobject('Account').retrieve(id.slice(0, 15))).Name).toBe('Strict Ltd');
  });

  it('answers aggregate SOQL and child subqueries', async () => {
    const grouped = await conn.query<{ AccountId: string; n: number }>('SELECT AccountId, COUNT(Id) n FROM Contact GROUP BY AccountId');
    const contacts = [...sandbox.state.org.table('Contact').values()].filter((c) => !c.IsDeleted);
    expect(grouped.records.reduce((s, r) => s + r.n, 0)).toBe(contacts.length);
    const withKids = await conn.query<{ Id: string; Contacts: { totalSize: number } | null }>(
      'SELECT Id, (SELECT Id FROM Contacts LIMIT 1) FROM Account',
    );
    expect(withKids.records.some((a) => a.Contacts?.totalSize === 1)).toBe(true);
    await expect(conn.query('SELECT Name, COUNT(Id) FROM Account')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
  });
});
