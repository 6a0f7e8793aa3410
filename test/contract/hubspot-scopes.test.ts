import path from 'node:path';
import { Client } from '@hubspot/api-client';
import { fixedClock, type EntityName, type PulledPage, type SyncCursor, type TenantId } from '../../core';
import { HubSpotConnector } from '../../connectors/hubspot/hubspot.connector';
import { HUBSPOT_OPTIONAL_SCOPES, HUBSPOT_REQUIRED_SCOPES } from '../../manifests/crm-manifests';
import { HUBSPOT_ENDPOINTS_USED, type HubSpotEndpointUse } from '../../manifests/hubspot-scopes';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox/hubspot/hubspot-sandbox.server';
import { generateBook } from '../../sandbox/seed/book.generator';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { makeScore } from './connector-contract.suite';

/**
 * The one scope table (manifests/hubspot-scopes.ts) against the sandbox's own reading of HubSpot's
 * scope docs (sandbox/hubspot/hubspot-scopes.ts): exactly the table's scopes let every call through,
 * each scope removed makes its calls fail with 403 MISSING_SCOPES, and the connector calls nothing
 * the table does not list.
 */
const rows = readTelcoCsv(path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv'));
const APP_SCOPES = [...Object.keys(HUBSPOT_REQUIRED_SCOPES), ...Object.keys(HUBSPOT_OPTIONAL_SCOPES)];
const REDIRECT = 'https://app.example.com/oauth/hubspot/callback';
const tenantId = 'tenant-scopes' as TenantId;

describe('HubSpot app scopes come from one endpoint table and match the sandbox’s enforcement', () => {
  const clock = fixedClock('2026-11-01T00:00:00.000Z');
  let sandbox: HubSpotSandbox;

  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({
      book: generateBook({ seed: 2, accounts: 15, rows }),
      tier: 'enterprise',
      clock,
      searchPerSecond: 1000,
      recordRequests: true,
    });
  });
  afterAll(() => sandbox.close());

  const tokenWith = async (scopes: readonly string[]): Promise<string> => {
    const code = sandbox.state.issueAuthCode(REDIRECT, [...scopes]);
    return (
      await new Client({ basePath: sandbox.url }).oauth.tokensApi.create(
        'authorization_code',
        code,
        REDIRECT,
        'sandbox-client-id',
        'sandbox-client-secret',
      )
    ).accessToken;
  };
  const call = async (
    row: HubSpotEndpointUse,
    token: string,
  ): Promise<{ status: number; body: { category?: string; errors?: { context?: { requiredScopes?: string[] } }[] } }> => {
    clock.advance(1_000);
    const body =
      row.method === 'GET' ? undefined : JSON.stringify(row.path.endsWith('/search') ? { filterGroups: [], limit: 1 } : { inputs: [] });
    const res = await fetch(`${sandbox.url}${row.path}`, {
      method: row.method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body ? { body } : {}),
    });
    return { status: res.status, body: (await res.json()) as never };
  };
  const apiRows = HUBSPOT_ENDPOINTS_USED.filter((r) => !r.path.startsWith('/oauth/'));

  it('every scope in the app manifest is needed by a row, and every row has a doc link', () => {
    expect(new Set(APP_SCOPES)).toEqual(new Set(HUBSPOT_ENDPOINTS_USED.map((r) => r.scope)));
    for (const r of HUBSPOT_ENDPOINTS_USED) expect(r.doc).toMatch(/^https:\/\/developers\.hubspot\.com\//);
  });

  it('with exactly the table’s scopes no call is refused', async () => {
    const token = await tokenWith(APP_SCOPES);
    for (const row of apiRows)
      expect({ row: `${row.method} ${row.path}`, status: (await call(row, token)).status }).not.toEqual({
        row: `${row.method} ${row.path}`,
        status: 403,
      });
  });

  it('with any one scope removed, each call that needs it is refused with MISSING_SCOPES naming it', async () => {
    // `oauth` guards the install itself (HubSpot refuses an app without it), not an API call.
    for (const scope of APP_SCOPES.filter((s) => s !== 'oauth' && s !== 'sales-email-read')) {
      const token = await tokenWith(APP_SCOPES.filter((s) => s !== scope));
      const needing = apiRows.filter((r) => r.scope === scope);
      expect({ scope, rows: needing.length }).not.toEqual({ scope, rows: 0 });
      for (const row of needing) {
        const res = await call(row, token);
        expect({ row: `${row.method} ${row.path}`, status: res.status, category: res.body.category }).toEqual({
          row: `${row.method} ${row.path}`,
          status: 403,
          category: 'MISSING_SCOPES',
        });
        expect(res.body.errors?.[0]?.context?.requiredScopes).toContain(scope);
      }
    }
  });

  it('without sales-email-read, email content comes back redacted (the optional scope is what shows it)', async () => {
    const read = async (scopes: readonly string[]): Promise<(string | null)[]> => {
      const page = await new Client({ accessToken: await tokenWith(scopes), basePath: sandbox.url }).crm.objects.basicApi.getPage(
        'emails',
        5,
        undefined,
        ['hs_email_text'],
      );
      return page.results.map((e) => e.properties.hs_email_text ?? null);
    };
    expect((await read(APP_SCOPES)).every((t) => typeof t === 'string' && t.length > 0)).toBe(true);
    expect((await read(APP_SCOPES.filter((s) => s !== 'sales-email-read'))).every((t) => t === null)).toBe(true);
  });

  it('the connector’s whole run (install, sync every entity, write-back, tasks) needs nothing beyond the table', async () => {
    sandbox.state.requests.length = 0;
    const tokens = { accessToken: await tokenWith(APP_SCOPES) };
    const sleep = (ms: number): Promise<void> => {
      clock.advance(ms);
      return Promise.resolve();
    };
    const connector = (): HubSpotConnector =>
      new HubSpotConnector({
        tenantId,
        portalKey: 'scopes-test',
        basePath: sandbox.url,
        accessToken: tokens.accessToken,
        clock,
        sleep,
        random: () => 0.5,
      });
    await connector().ensureSchema();
    const findings: unknown[] = [];
    const accounts: string[] = [];
    for (const entity of ['account', 'contact', 'opportunity', 'ticket', 'activity', 'transaction'] as EntityName[]) {
      let cursor: SyncCursor | null = null;
      for (let guard = 0; guard < 500; guard++) {
        const page: PulledPage<EntityName> = await connector().pullPage(entity, cursor);
        findings.push(...(page.findings ?? []));
        if (entity === 'account') accounts.push(...page.records.map((r) => r.id));
        cursor = page.nextCursor;
        if (page.done) break;
      }
    }
    expect(findings).toEqual([]);
    const written = await connector().writeBack(accounts.slice(0, 5).map((id, i) => makeScore(tenantId, id, i / 10)));
    expect(written.map((r) => r.status)).toEqual(['written', 'written', 'written', 'written', 'written']);
    const tasks = await connector().createTasks(
      accounts.slice(0, 2).map((id, i) => ({
        accountId: id,
        key: `scope-key-${i}`,
        subject: 'Call',
        body: 'Renewal',
        dueDate: '2026-11-05',
        priority: 'high' as const,
      })),
    );
    expect(tasks.map((t) => t.status)).toEqual(['created', 'created']);
    // Every request the connector made matches a table row (ids and cursors aside).
    const pattern = (p: string): string => p.replace(/\/\d+(?=\/|$)/g, '/{id}');
    const listed = new Set(HUBSPOT_ENDPOINTS_USED.map((r) => `${r.method} ${pattern(r.path)}`));
    const made = new Set(sandbox.state.requests.map((r) => `${r.method} ${pattern(r.path)}`));
    expect([...made].filter((m) => !listed.has(m))).toEqual([]);
  });
});
