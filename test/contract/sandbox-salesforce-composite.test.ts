import { failure } from '../helpers/jsforce-failure';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Connection, OAuth2 } from 'jsforce';
import { fixedClock } from '../../core';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';

const rows = readTelcoCsv(path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv'));

const VERSION = '62.0';
const BASE = `/services/data/v${VERSION}`;
const STATIC = '00D8d0000000SBX!sandbox-static-token';
const APP = { clientId: 'sandbox-consumer-key', clientSecret: 'sandbox-consumer-secret' };
const ADMIN = 'integration@sandbox.example.com';
const RUNNER = 'runner@sandbox.example.com';

type SubResult = { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string };
type ErrBody = { errorCode: string; message: string; fields?: string[] }[];

describe('Salesforce sandbox: composite resources, OAuth flows and limits (through jsforce 3.10.16)', () => {
  let sandbox: SalesforceSandbox;
  const clock = fixedClock('2026-10-01T12:00:00.000Z');
  const connect = (): Connection => new Connection({ instanceUrl: sandbox.url, accessToken: STATIC, version: VERSION });
  const accountsNamed = (name: string): number =>
    [...sandbox.state.org.table('Account').values()].filter((r) => !r.IsDeleted && r.Name === name).length;
  const raw = (path: string, body: unknown): Promise<Response> =>
    fetch(`${sandbox.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${STATIC}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    sandbox = await startSalesforceSandbox({
      accounts: 3,
      rows,
      clock,
      usernames: [ADMIN, RUNNER],
      connectedApp: { ...APP, clientCredentialsUser: RUNNER },
      passwords: { [ADMIN]: { password: 'correct-horse', securityToken: 'TOKEN123' } },
    });
  });
  afterAll(() => sandbox.close());

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite.htm
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_subrequest_result.htm
  describe('POST /composite', () => {
    it('runs subrequests in order and resolves @{ref.field} in later urls and bodies', async () => {
      const res = await connect().requestPost<{ compositeResponse: SubResult[] }>(`${BASE}/composite`, {
        allOrNone: true,
        collateSubrequests: false,
        compositeRequest: [
          { method: 'POST', url: `${BASE}/sobjects/Account`, referenceId: 'newAccount', body: { Name: 'Composite Co' } },
          {
            method: 'POST',
            url: `${BASE}/sobjects/Contact`,
            referenceId: 'newContact',
            body: { LastName: 'Ref', AccountId: '@{newAccount.id}' },
          },
          { method: 'GET', url: `${BASE}/sobjects/Account/@{newAccount.id}?fields=Name`, referenceId: 'readBack' },
          { method: 'GET', url: `${BASE}/query?q=SELECT+Id+FROM+Contact+WHERE+AccountId='@{newAccount.id}'`, referenceId: 'q' },
        ],
      });
      const [acc, contact, read, q] = res.compositeResponse as [SubResult, SubResult, SubResult, SubResult];
      const id = (acc.body as { id: string }).id;
      expect(acc).toMatchObject({
        httpStatusCode: 201,
        referenceId: 'newAccount',
        httpHeaders: { Location: `${BASE}/sobjects/Account/${id}` },
      });
      expect(contact.httpStatusCode).toBe(201);
      expect(sandbox.state.org.get('Contact', (contact.body as { id: string }).id)?.AccountId).toBe(id);
      expect(read).toMatchObject({ httpStatusCode: 200, body: { Name: 'Composite Co' } });
      expect((q.body as { totalSize: number }).totalSize).toBe(1);
    });

    it('allOrNone rolls back earlier subrequests; the others answer 400 PROCESSING_HALTED', async () => {
      const before = sandbox.state.org.table('Account').size;
      const res = await connect().requestPost<{ compositeResponse: SubResult[] }>(`${BASE}/composite`, {
        allOrNone: true,
        compositeRequest: [
          { method: 'POST', url: `${BASE}/sobjects/Account`, referenceId: 'a1', body: { Name: 'Rolled Back Co' } },
          { method: 'POST', url: `${BASE}/sobjects/Contact`, referenceId: 'bad', body: { Email: 'not an email', LastName: 'X' } },
          { method: 'POST', url: `${BASE}/sobjects/Account`, referenceId: 'a2', body: { Name: 'Never Run Co' } },
        ],
      });
      const [a1, bad, a2] = res.compositeResponse as [SubResult, SubResult, SubResult];
      expect(bad.httpStatusCode).toBe(400);
      expect((bad.body as ErrBody)[0]?.errorCode).toBe('INVALID_EMAIL_ADDRESS');
      for (const r of [a1, a2]) {
        expect(r.httpStatusCode).toBe(400);
        expect((r.body as ErrBody)[0]).toEqual({
          errorCode: 'PROCESSING_HALTED',
          message: 'The transaction was rolled back since another operation in the same transaction failed.',
        });
      }
      expect(sandbox.state.org.table('Account').size).toBe(before);
      expect(accountsNamed('Rolled Back Co')).toBe(0);
    });

    it('without allOrNone keeps independent successes and halts only the dependants of a failure', async () => {
      const res = await connect().requestPost<{ compositeResponse: SubResult[] }>(`${BASE}/composite`, {
        allOrNone: false,
        compositeRequest: [
          { method: 'POST', url: `${BASE}/sobjects/Account`, referenceId: 'badAcc', body: { Name: 'x'.repeat(300) } },
          { method: 'POST', url: `${BASE}/sobjects/Contact`, referenceId: 'child', body: { LastName: 'C', AccountId: '@{badAcc.id}' } },
          { method: 'POST', url: `${BASE}/sobjects/Account`, referenceId: 'fine', body: { Name: 'Independent Co' } },
        ],
      });
      const [badAcc, child, fine] = res.compositeResponse as [SubResult, SubResult, SubResult];
      expect((badAcc.body as ErrBody)[0]?.errorCode).toBe('STRING_TOO_LONG');
      expect(child.httpStatusCode).toBe(400);
      expect((child.body as ErrBody)[0]).toEqual({
        errorCode: 'PROCESSING_HALTED',
        message: 'Invalid reference specified. No value for badAcc.id found in badAcc',
      });
      expect(fine.httpStatusCode).toBe(201);
      expect(accountsNamed('Independent Co')).toBe(1);
    });

    it('refuses a reference to an unknown or later referenceId', async () => {
      const res = await connect().requestPost<{ compositeResponse: SubResult[] }>(`${BASE}/composite`, {
        compositeRequest: [
          { method: 'POST', url: `${BASE}/sobjects/Contact`, referenceId: 'early', body: { LastName: 'E', AccountId: '@{late.id}' } },
          { method: 'POST', url: `${BASE}/sobjects/Account`, referenceId: 'late', body: { Name: 'Late Co' } },
          { method: 'GET', url: `${BASE}/sobjects/Account/@{ghost.id}`, referenceId: 'ghostRead' },
        ],
      });
      const [early, late, ghost] = res.compositeResponse as [SubResult, SubResult, SubResult];
      expect((early.body as ErrBody)[0]?.message).toBe('Invalid reference specified. No value for late.id found in late');
      expect(late.httpStatusCode).toBe(201);
      expect((ghost.body as ErrBody)[0]?.errorCode).toBe('PROCESSING_HALTED');
    });

    it('rejects the whole request before running anything: > 25 subrequests, duplicate or missing referenceIds, bad ids', async () => {
      const sub = (i: number): Record<string, unknown> => ({
        method: 'POST',
        url: `${BASE}/sobjects/Account`,
        referenceId: `r${i}`,
        body: { Name: 'Too Many Co' },
      });
      const tooMany = await failure(
        connect().requestPost(`${BASE}/composite`, { compositeRequest: Array.from({ length: 26 }, (_, i) => sub(i)) }),
      );
      expect(tooMany.errorCode).toBe('LIMIT_EXCEEDED');
      const dup = await failure(connect().requestPost(`${BASE}/composite`, { compositeRequest: [sub(1), sub(1)] }));
      expect(dup.errorCode).toBe('INVALID_INPUT');
      // "'referenceId' is a required field." is the blog's example (Handle Errors with Composite Resources).
      const missing = await failure(
        connect().requestPost(`${BASE}/composite`, { compositeRequest: [{ method: 'GET', url: `${BASE}/limits` }] }),
      );
      expect([missing.errorCode, missing.message]).toEqual(['JSON_PARSER_ERROR', "'referenceId' is a required field."]);
      const dotted = await failure(connect().requestPost(`${BASE}/composite`, { compositeRequest: [{ ...sub(1), referenceId: 'a.b' }] }));
      expect(dotted.errorCode).toBe('JSON_PARSER_ERROR');
      const lower = await failure(connect().requestPost(`${BASE}/composite`, { compositeRequest: [{ ...sub(1), method: 'post' }] }));
      expect(lower.errorCode).toBe('JSON_PARSER_ERROR');
      const header = await failure(
        connect().requestPost(`${BASE}/composite`, { compositeRequest: [{ ...sub(1), httpHeaders: { Authorization: 'Bearer x' } }] }),
      );
      expect(header.errorCode).toBe('INVALID_INPUT');
      const unsupported = await failure(
        connect().requestPost(`${BASE}/composite`, { compositeRequest: [{ method: 'GET', url: `${BASE}/limits`, referenceId: 'l' }] }),
      );
      expect(unsupported.errorCode).toBe('INVALID_INPUT');
      const queries = await failure(
        connect().requestPost(`${BASE}/composite`, {
          compositeRequest: Array.from({ length: 6 }, (_, i) => ({
            method: 'GET',
            url: `${BASE}/query?q=SELECT+Id+FROM+Account`,
            referenceId: `q${i}`,
          })),
        }),
      );
      expect(queries.errorCode).toBe('LIMIT_EXCEEDED');
      expect(accountsNamed('Too Many Co')).toBe(0);
    });

    it('counts as a single API call', async () => {
      const before = sandbox.state.apiUsage().used;
      await connect().requestPost(`${BASE}/composite`, {
        compositeRequest: [1, 2, 3].map((i) => ({ method: 'GET', url: `${BASE}/sobjects/Account/describe`, referenceId: `d${i}` })),
      });
      expect(sandbox.state.apiUsage().used).toBe(before + 1);
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobject_tree.htm
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/responses_composite_sobject_tree.htm
  describe('POST /composite/tree/{sObject}', () => {
    it('creates parents and their nested children, and answers each referenceId with its id', async () => {
      const res = await connect().requestPost<{ hasErrors: boolean; results: { referenceId: string; id: string }[] }>(
        `${BASE}/composite/tree/Account`,
        {
          records: [
            {
              attributes: { type: 'Account', referenceId: 'ref1' },
              Name: 'Tree Co',
              Contacts: {
                records: [{ attributes: { type: 'Contact', referenceId: 'ref2' }, LastName: 'Leaf', Email: 'leaf@tree.example' }],
              },
            },
            { attributes: { type: 'Account', referenceId: 'ref3' }, Name: 'Tree Two Co' },
          ],
        },
      );
      expect(res.hasErrors).toBe(false);
      expect(res.results.map((r) => r.referenceId)).toEqual(['ref1', 'ref2', 'ref3']);
      const [acc, contact] = res.results as unknown as [{ id: string }, { id: string }];
      expect(sandbox.state.org.get('Contact', contact.id)?.AccountId).toBe(acc.id);
    });

    it('is all or nothing: one bad record gives 400 with only its referenceId, the same error as a single insert, and nothing is kept', async () => {
      const single = await failure(connect().sobject('Contact').create({ LastName: 'Solo', Email: 'nope' }));
      const res = await raw(`${BASE}/composite/tree/Account`, {
        records: [
          {
            attributes: { type: 'Account', referenceId: 'okAcc' },
            Name: 'Half Tree Co',
            Contacts: { records: [{ attributes: { type: 'Contact', referenceId: 'badContact' }, LastName: 'Bad', Email: 'nope' }] },
          },
        ],
      });
      expect(res.status).toBe(400);
      const body = (await res.json()) as {
        hasErrors: boolean;
        results: { referenceId: string; errors: { statusCode: string; message: string }[] }[];
      };
      expect(body.hasErrors).toBe(true);
      expect(body.results).toHaveLength(1);
      expect(body.results[0]?.referenceId).toBe('badContact');
      expect(body.results[0]?.errors[0]).toMatchObject({ statusCode: single.errorCode, message: single.message });
      expect(accountsNamed('Half Tree Co')).toBe(0);

      const required = await raw(`${BASE}/composite/tree/Contact`, {
        records: [{ attributes: { type: 'Contact', referenceId: 'noName' }, FirstName: 'A' }],
      });
      expect(((await required.json()) as { results: { errors: { statusCode: string }[] }[] }).results[0]?.errors[0]?.statusCode).toBe(
        'REQUIRED_FIELD_MISSING',
      );
    });

    it('refuses more than 200 records, duplicate referenceIds, a missing referenceId and an unknown relationship', async () => {
      const many = Array.from({ length: 201 }, (_, i) => ({ attributes: { type: 'Account', referenceId: `r${i}` }, Name: `Bulk ${i}` }));
      expect((await raw(`${BASE}/composite/tree/Account`, { records: many })).status).toBe(400);
      expect(accountsNamed('Bulk 0')).toBe(0);
      const dup = await raw(`${BASE}/composite/tree/Account`, {
        records: [
          { attributes: { type: 'Account', referenceId: 'same' }, Name: 'Dup A' },
          { attributes: { type: 'Account', referenceId: 'same' }, Name: 'Dup B' },
        ],
      });
      expect(dup.status).toBe(400);
      // "In the case of duplicate reference IDs, results contains one item for each instance of the duplicate ID."
      expect(((await dup.json()) as { results: unknown[] }).results).toHaveLength(2);
      expect((await raw(`${BASE}/composite/tree/Account`, { records: [{ attributes: { type: 'Account' }, Name: 'No Ref' }] })).status).toBe(
        400,
      );
      expect(
        (
          await raw(`${BASE}/composite/tree/Account`, {
            records: [{ attributes: { type: 'Account', referenceId: 'x' }, Name: 'N', Widgets: { records: [] } }],
          })
        ).status,
      ).toBe(400);
      expect(accountsNamed('Dup A') + accountsNamed('No Ref') + accountsNamed('N')).toBe(0);
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_batch.htm
  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite_batch.htm
  describe('POST /composite/batch', () => {
    it('runs independent subrequests; haltOnError answers 412 BATCH_PROCESSING_HALTED for the rest', async () => {
      const id = [...sandbox.state.org.table('Account').values()].find((r) => !r.IsDeleted)?.Id ?? '';
      const ok = await connect().requestPost<{ hasErrors: boolean; results: { statusCode: number; result: unknown }[] }>(
        `${BASE}/composite/batch`,
        {
          batchRequests: [
            { method: 'PATCH', url: `v${VERSION}/sobjects/Account/${id}`, richInput: { Name: 'Batch Renamed' } },
            { method: 'GET', url: `v${VERSION}/sobjects/Account/${id}?fields=Name` },
          ],
        },
      );
      expect(ok.hasErrors).toBe(false);
      expect(ok.results[0]).toEqual({ statusCode: 204, result: null });
      expect(ok.results[1]).toMatchObject({ statusCode: 200, result: { Name: 'Batch Renamed' } });

      const halted = await connect().requestPost<{ hasErrors: boolean; results: { statusCode: number; result: ErrBody | null }[] }>(
        `${BASE}/composite/batch`,
        {
          haltOnError: true,
          batchRequests: [
            { method: 'GET', url: `v${VERSION}/sobjects/Account/001000000000000AAA` },
            { method: 'GET', url: `v${VERSION}/limits` },
          ],
        },
      );
      expect(halted.hasErrors).toBe(true);
      expect(halted.results[0]?.statusCode).toBe(404);
      expect(halted.results[1]?.statusCode).toBe(412);
      expect(halted.results[1]?.result?.[0]?.errorCode).toBe('BATCH_PROCESSING_HALTED');
    });

    it('refuses more than 25 subrequests', async () => {
      const err = await failure(
        connect().requestPost(`${BASE}/composite/batch`, {
          batchRequests: Array.from({ length: 26 }, () => ({ method: 'GET', url: `v${VERSION}/limits` })),
        }),
      );
      expect(err.errorCode).toBe('LIMIT_EXCEEDED');
    });
  });

  describe('POST /services/oauth2/token', () => {
    const oauth2 = (clientSecret = APP.clientSecret): OAuth2 => new OAuth2({ loginUrl: sandbox.url, clientId: APP.clientId, clientSecret });

    // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_username_password_flow.htm
    it('username-password flow: jsforce login() goes through OAuth when the client has a secret', async () => {
      const conn = new Connection({ oauth2: oauth2(), version: VERSION });
      const user = await conn.login(ADMIN, 'correct-horseTOKEN123');
      expect(user.organizationId).toBe(sandbox.state.org.orgId);
      expect(conn.refreshToken).toBeUndefined();
      expect((await conn.query('SELECT COUNT() FROM Account')).totalSize).toBeGreaterThan(0);
    });

    it('username-password flow refuses a wrong password, a missing security token and a wrong secret', async () => {
      for (const password of ['wrong', 'correct-horse']) {
        const err = await failure(new Connection({ oauth2: oauth2(), version: VERSION }).login(ADMIN, password));
        expect(err.message).toContain('authentication failure');
        expect(err.name).toBe('invalid_grant');
      }
      const err = await failure(
        new Connection({ oauth2: oauth2('not-the-secret'), version: VERSION }).login(ADMIN, 'correct-horseTOKEN123'),
      );
      expect(err.name).toBe('invalid_client');
    });

    // https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_client_credentials_flow.htm
    it("client-credentials flow runs as the connected app's execution user, without a refresh token", async () => {
      const conn = new Connection({ oauth2: oauth2(), version: VERSION });
      const res = (await conn.authorize({ grant_type: 'client_credentials' })) as { id: string; organizationId: string };
      // Not the integration user: the token belongs to the Run As user (usernames after the first have no User row here).
      const admin = [...sandbox.state.org.table('User').values()].find((u) => u.Username === ADMIN);
      expect(res.id).toMatch(/^005/);
      expect(res.id).not.toBe(admin?.Id);
      expect(res.organizationId).toBe(sandbox.state.org.orgId);
      expect(conn.refreshToken).toBeUndefined();
      const err = await failure(
        new Connection({ oauth2: oauth2('bad'), version: VERSION }).authorize({ grant_type: 'client_credentials' }),
      );
      expect(err.name).toBe('invalid_client');
    });

    it('client-credentials flow is refused when the app has no execution user', async () => {
      const other = await startSalesforceSandbox({ clock, connectedApp: APP });
      try {
        const conn = new Connection({ oauth2: new OAuth2({ loginUrl: other.url, ...APP }), version: VERSION });
        const err = await failure(conn.authorize({ grant_type: 'client_credentials' }));
        expect(err.name).toBe('invalid_grant');
      } finally {
        await other.close();
      }
    });

    // "Require Secret for Web Server Flow" / "Require Secret for Refresh Token Flow":
    // https://help.salesforce.com/s/articleView?id=xcloud.shr_api_enable_oauth_settings_require_secret_for_web_server_flow.htm
    it('web-server and refresh flows need the client secret while the app requires it', async () => {
      const post = async (
        params: Record<string, string>,
      ): Promise<{ status: number; body: { error?: string; refresh_token?: string } }> => {
        const res = await fetch(`${sandbox.url}/services/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(params).toString(),
        });
        return { status: res.status, body: (await res.json()) as { error?: string; refresh_token?: string } };
      };
      const redirect = 'http://localhost/cb';
      const noSecret = await post({
        grant_type: 'authorization_code',
        client_id: APP.clientId,
        code: sandbox.state.issueAuthCode(redirect),
        redirect_uri: redirect,
      });
      expect([noSecret.status, noSecret.body.error]).toEqual([400, 'invalid_client']);
      const ok = await post({
        grant_type: 'authorization_code',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        code: sandbox.state.issueAuthCode(redirect),
        redirect_uri: redirect,
      });
      expect(ok.status).toBe(200);
      const refresh = ok.body.refresh_token ?? '';
      expect((await post({ grant_type: 'refresh_token', client_id: APP.clientId, refresh_token: refresh })).body.error).toBe(
        'invalid_client',
      );
      expect(
        (await post({ grant_type: 'refresh_token', client_id: APP.clientId, client_secret: APP.clientSecret, refresh_token: refresh }))
          .status,
      ).toBe(200);
    });

    it('without "Require Secret", a secret-less exchange passes but a wrong secret is still checked', async () => {
      const lax = await startSalesforceSandbox({
        clock,
        connectedApp: { ...APP, requireSecretForWebServerFlow: false, requireSecretForRefreshTokenFlow: false },
      });
      try {
        const post = (params: Record<string, string>): Promise<Response> =>
          fetch(`${lax.url}/services/oauth2/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams(params).toString(),
          });
        const redirect = 'http://localhost/cb';
        expect(
          (
            await post({
              grant_type: 'authorization_code',
              client_id: APP.clientId,
              code: lax.state.issueAuthCode(redirect),
              redirect_uri: redirect,
            })
          ).status,
        ).toBe(200);
        const wrong = await post({
          grant_type: 'authorization_code',
          client_id: APP.clientId,
          client_secret: 'wrong',
          code: lax.state.issueAuthCode(redirect),
          redirect_uri: redirect,
        });
        expect(((await wrong.json()) as { error: string }).error).toBe('invalid_client');
      } finally {
        await lax.close();
      }
    });

    // code_challenge / code_verifier: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/intro_understanding_web_server_oauth_flow.htm
    it('checks a PKCE code_verifier against the code_challenge of the authorize request', async () => {
      const verifier = 'a'.repeat(64);
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const code = async (): Promise<string> => {
        const res = await fetch(
          `${sandbox.url}/services/oauth2/authorize?response_type=code&client_id=${APP.clientId}&redirect_uri=${encodeURIComponent('http://localhost/cb')}&code_challenge=${challenge}`,
          { redirect: 'manual' },
        );
        return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
      };
      const exchange = async (extra: Record<string, string>): Promise<string | undefined> => {
        const res = await fetch(`${sandbox.url}/services/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: APP.clientId,
            client_secret: APP.clientSecret,
            code: await code(),
            redirect_uri: 'http://localhost/cb',
            ...extra,
          }).toString(),
        });
        return ((await res.json()) as { error?: string }).error;
      };
      expect(await exchange({})).toBe('invalid_grant');
      expect(await exchange({ code_verifier: 'b'.repeat(64) })).toBe('invalid_request');
      expect(await exchange({ code_verifier: verifier })).toBeUndefined();
    });
  });

  // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
  describe('GET /limits', () => {
    it('returns the documented keys with Max and Remaining, DailyApiRequests live', async () => {
      const conn = connect();
      const limits = (await conn.limits()) as unknown as Record<string, { Max: number; Remaining: number }>;
      for (const key of [
        'ConcurrentAsyncGetReportInstances',
        'DailyApiRequests',
        'DailyAsyncApexExecutions',
        'DailyBulkApiBatches',
        'DailyBulkV2QueryFileStorageMB',
        'DailyBulkV2QueryJobs',
        'DailyDurableStreamingApiEvents',
        'DailyStreamingApiEvents',
        'DailyWorkflowEmails',
        'DataStorageMB',
        'FileStorageMB',
        'HourlyODataCallout',
        'HourlyTimeBasedWorkflow',
        'MassEmail',
        'PermissionSets',
        'SingleEmail',
      ]) {
        expect(typeof limits[key]?.Max).toBe('number');
        expect(typeof limits[key]?.Remaining).toBe('number');
      }
      expect(limits.DailyApiRequests?.Remaining).toBe(100_000 - sandbox.state.apiUsage().used);
      expect(conn.limitInfo.apiUsage?.used).toBe(sandbox.state.apiUsage().used);
    });
  });
});
