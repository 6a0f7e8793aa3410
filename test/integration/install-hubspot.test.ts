import type { ConnectionId, TenantId } from '../../core';
import { openConnector } from '../../app/install/connector-factory';
import { SETTING_KEYS } from '../../app/settings/tenant-settings';
import { createPipelineAdapters } from '../../app/worker/pipeline-adapters';
import { RecordAccessChecker } from '../../app/install/record-access';
import { eraseDueTenants, HubSpotUninstallPoller } from '../../app/install/uninstall.service';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox';
import { installThroughBrowser, rowsMentioning, smallBook, startInstallHarness, tenantRows, type InstallHarness } from './install-harness';
import { HUBSPOT_OPTIONAL_SCOPES, HUBSPOT_REQUIRED_SCOPES } from '../../manifests/crm-manifests';

const CLIENT = { clientId: 'se-hubspot-client', clientSecret: 'se-hubspot-secret' };

/** Marketplace install → OAuth → encrypted tokens → schema → backfill → scores; then uninstall → erasure. */
describe('HubSpot install and uninstall, end to end against the sandbox', () => {
  let sandbox: HubSpotSandbox;
  let h: InstallHarness;
  let tenantId: TenantId;
  let adminToken: string;
  const book = smallBook(40, 5);

  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({ book, tier: 'api-add-on', oauthClient: CLIENT });
    h = await startInstallHarness({
      hubspot: {
        ...CLIENT,
        authorizeUrl: `${sandbox.url}/oauth/authorize`,
        apiBaseUrl: sandbox.url,
        scopes: Object.keys(HUBSPOT_REQUIRED_SCOPES),
        optionalScopes: Object.keys(HUBSPOT_OPTIONAL_SCOPES),
      },
      erasureGraceMs: 24 * 3_600_000,
    });
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await sandbox.close();
  });

  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${h.server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

  it('completes the OAuth code flow, stores the tokens encrypted, creates our properties and enqueues the backfill', async () => {
    const { status, body, callbackUrl } = await installThroughBrowser(h.server, 'hubspot');
    expect(status).toBe(201);
    tenantId = body.tenantId as TenantId;
    adminToken = body.adminToken as string;
    expect(tenantId).toBe(`hubspot-${sandbox.state.portal.portalId}`);
    expect((body.schema as { created: string[] }).created.length).toBeGreaterThan(0);
    expect(typeof body.backfillJob).toBe('string');
    // One run: its pages, training and scoring are queued by the run itself.
    expect(h.queue.size).toBe(1);

    const stored = await h.store.getConnection(tenantId, 'hubspot' as ConnectionId);
    expect(stored?.tokens.accessToken).toMatch(/^sbx-at-/);
    const [raw] = (await tenantRows(h.tables, 'crm_connections', tenantId)) as { token_ciphertext: Buffer }[];
    expect(raw?.token_ciphertext).toBeInstanceOf(Buffer);
    expect(raw?.token_ciphertext.toString('latin1')).not.toContain(stored?.tokens.accessToken);
    expect(raw?.token_ciphertext.toString('latin1')).not.toContain(stored?.tokens.refreshToken);

    // The same callback again (a replay) is refused: the state is one-time.
    const replay = await fetch(callbackUrl);
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { error: { code: string; text: { zh: string } } }).error).toMatchObject({
      code: 'INSTALL.BAD_STATE',
      text: { zh: expect.stringMatching(/安装/) as unknown },
    });
  });

  it('refuses a forged or foreign state before any code exchange', async () => {
    const start = await fetch(`${h.server.url}/install/hubspot`, { redirect: 'manual' });
    const state = new URL(start.headers.get('location') as string).searchParams.get('state') as string;
    const [body] = state.split('.');
    const forged = await fetch(`${h.server.url}/install/hubspot/callback?code=x&state=${encodeURIComponent(`${body}.AAAA`)}`);
    expect(forged.status).toBe(400);
    const wrongProvider = await fetch(`${h.server.url}/install/salesforce/callback?code=x&state=${encodeURIComponent(state)}`);
    expect(wrongProvider.status).toBe(400);
  });

  it('runs the backfill through the queue and shows first scores through the score API', async () => {
    await h.queue.drain();
    expect(h.queue.deadLetters).toEqual([]);
    expect(await h.store.countRecords(tenantId, 'account')).toBe(book.bundles.length);
    // The app's scopes (required and the optional ones the portal grants) read every entity: nothing is missing.
    expect(await h.store.countRecords(tenantId, 'transaction')).toBeGreaterThan(0);
    expect((await h.store.listAudit(tenantId, { limit: 1000 })).filter((e) => e.action === 'sync.connector-findings')).toEqual([]);
    const res = await api('/api/v1/scores?limit=1000', adminToken);
    expect(res.status).toBe(200);
    const { scores } = (await res.json()) as { scores: { accountId: string; tenantId: string }[] };
    const live = (await h.store.listRecords(tenantId, 'account')).filter((a) => a.status === 'active');
    expect(scores.map((s) => s.accountId).sort()).toEqual(live.map((a) => a.id).sort());
    expect(scores.every((s) => s.tenantId === tenantId)).toBe(true);
    // Trained and evaluated on the tenant's own history before anything else: the console's backtest is there.
    expect(await h.store.getTenantSetting(tenantId, 'console.model-evaluation')).not.toBeNull();
  }, 180_000);

  it('refreshes expired tokens and stores the new ones encrypted', async () => {
    const before = (await h.store.getConnection(tenantId, 'hubspot' as ConnectionId))?.tokens.accessToken;
    sandbox.state.expireAccessTokens();
    const page = await (
      await openConnector(h.deps, tenantId, 'hubspot' as ConnectionId)
    ).pullPage('account', await h.store.getCursor(tenantId, 'hubspot' as ConnectionId, 'account'));
    expect(page.entity).toBe('account');
    const after = (await h.store.getConnection(tenantId, 'hubspot' as ConnectionId))?.tokens.accessToken;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
  });

  it("reads accounts with the admin's field mapping: an override saved in the console reaches the connector", async () => {
    const pullAccounts = async () => {
      const page = await (await openConnector(h.deps, tenantId, 'hubspot' as ConnectionId)).pullPage('account', null);
      return page.records.filter((r) => r.attributes['total_revenue'] !== undefined);
    };
    const before = await pullAccounts();
    expect(before.length).toBeGreaterThan(0);
    // By default ARR is HubSpot's annualrevenue, which the seed sets apart from total revenue.
    expect(before.some((a) => a.arr !== Number(a.attributes['total_revenue']))).toBe(true);
    await h.store.putTenantSetting(tenantId, SETTING_KEYS.fieldMapping, { hubspot: { arr: { field: 'total_revenue' } } }, 'test');
    const after = await pullAccounts();
    expect(after.length).toBe(before.length);
    for (const a of after) expect(a.arr).toBe(Number(a.attributes['total_revenue']));
    await h.store.putTenantSetting(tenantId, SETTING_KEYS.fieldMapping, {}, 'test');
  });

  it("gives workers a connector per connection, rebuilt when the admin's field mapping changes", async () => {
    const adapters = createPipelineAdapters({ store: h.store, clock: h.clock, oauthApps: { hubspot: h.deps.settings.hubspot } });
    const first = await adapters.connector(tenantId, 'hubspot' as ConnectionId);
    expect(await adapters.connector(tenantId, 'hubspot' as ConnectionId)).toBe(first);
    await h.store.putTenantSetting(tenantId, SETTING_KEYS.fieldMapping, { hubspot: { arr: { field: 'total_revenue' } } }, 'test');
    const rebuilt = await adapters.connector(tenantId, 'hubspot' as ConnectionId);
    expect(rebuilt).not.toBe(first);
    const page = await rebuilt.pullPage('account', null);
    const withTotal = page.records.filter((r) => r.attributes['total_revenue'] !== undefined);
    expect(withTotal.length).toBeGreaterThan(0);
    for (const a of withTotal) expect(a.arr).toBe(Number(a.attributes['total_revenue']));
    await h.store.putTenantSetting(tenantId, SETTING_KEYS.fieldMapping, {}, 'test');
  });

  it('streams an NDJSON export of every tenant table to admins only', async () => {
    const reader = await h.store.issueApiToken(tenantId, 'reader', 'card');
    expect((await api('/api/v1/tenant/export', reader)).status).toBe(403);
    const res = await api('/api/v1/tenant/export', adminToken);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { table?: string; row?: Record<string, unknown>; format?: string });
    expect(lines[0]?.format).toBe('success-engine.export.v1');
    const tables = new Set(lines.slice(1).map((l) => l.table));
    for (const t of [
      'tenants',
      'crm_connections',
      'records',
      'record_versions',
      'sync_cursors',
      'score_sets',
      'audit_log',
      'api_tokens',
      'tenant_lifecycle',
    ])
      expect(tables).toContain(t);
    expect(lines.filter((l) => l.table === 'records')).toHaveLength((await tenantRows(h.tables, 'records', tenantId)).length);
    expect(JSON.stringify(lines)).not.toMatch(/sbx-at-|sbx-rt-/);
  });

  it('uninstalls on HubSpot’s APP_UNINSTALL journal event, keeps the data for export until the stated time, then erases every row', async () => {
    sandbox.state.install?.uninstallFromUi();
    const poller = new HubSpotUninstallPoller(h.deps);
    const results = await poller.poll();
    expect(results.map((r) => r.tenantId)).toEqual([tenantId]);
    expect(await poller.poll()).toEqual([]);
    expect(await h.store.listConnections(tenantId)).toEqual([]);
    const lifecycle = await h.store.tenantLifecycle(tenantId);
    expect(lifecycle?.status).toBe('uninstalled');
    expect(Date.parse(lifecycle?.erasureDueAt ?? '') - Date.parse(lifecycle?.uninstalledAt ?? '')).toBe(24 * 3_600_000);

    // Within the grace period the admin can still export; nothing is erased yet.
    expect((await api('/api/v1/tenant/export', adminToken)).status).toBe(200);
    expect(await eraseDueTenants(h.deps)).toEqual([]);

    const recordsBefore = (await tenantRows(h.tables, 'records', tenantId)).length;
    h.clock.advance(24 * 3_600_000 + 1);
    const receipts = await eraseDueTenants(h.deps);
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.reason).toBe('hubspot-app-uninstalled');
    expect(receipts[0]?.rowCounts.records).toBe(recordsBefore);
    expect(receipts[0]?.rowCounts.score_sets).toBeGreaterThan(0);

    // No row of that tenant remains anywhere: by tenant_id, or any column containing the id.
    for (const table of await h.tables.tables()) expect([table, (await tenantRows(h.tables, table, tenantId)).length]).toEqual([table, 0]);
    expect(await rowsMentioning(h.tables, tenantId)).toEqual([]);
    expect(await h.store.findErasures(tenantId)).toHaveLength(1);
    expect((await api('/api/v1/tenant/export', adminToken)).status).toBe(401);
  });

  it('installs again after an erasure; an admin uninstall removes the app through HubSpot’s appinstalls API', async () => {
    const again = await installThroughBrowser(h.server, 'hubspot');
    expect(again.status).toBe(201);
    expect(again.body.reinstall).toBe(false);
    expect(sandbox.state.install?.installed).toBe(true);
    // A poller that starts over (a restart) replays the old APP_UNINSTALL: older than this install, so ignored.
    expect(await new HubSpotUninstallPoller(h.deps).poll()).toEqual([]);
    expect((await h.store.tenantLifecycle(tenantId))?.status).toBe('installed');

    // Raw CRM calls (record access) refresh an expired token too, and store the new one.
    const before = (await h.store.getConnection(tenantId, 'hubspot' as ConnectionId))?.tokens.accessToken;
    sandbox.state.expireAccessTokens();
    const company = [...sandbox.state.portal.table('companies').keys()][0] ?? '';
    const decision = await new RecordAccessChecker(h.deps).canUserSeeRecord(tenantId, '1', {
      provider: 'hubspot',
      objectType: 'account',
      externalId: company,
    });
    expect(decision).toMatchObject({ allowed: true, reason: 'super-admin' });
    expect((await h.store.getConnection(tenantId, 'hubspot' as ConnectionId))?.tokens.accessToken).not.toBe(before);

    const res = await api('/api/v1/tenant/uninstall', again.body.adminToken as string, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { revoked: Record<string, string> }).revoked).toEqual({ hubspot: 'hubspot 204' });
    expect(sandbox.state.install?.installed).toBe(false);
    expect(sandbox.state.install?.journal.filter((e) => e.action === 'APP_UNINSTALL')).toHaveLength(2);
    const due = (await h.store.tenantLifecycle(tenantId))?.erasureDueAt;
    // HubSpot's own APP_UNINSTALL for this removal changes nothing more.
    await new HubSpotUninstallPoller(h.deps).poll();
    expect(await h.store.tenantLifecycle(tenantId)).toMatchObject({ status: 'uninstalled', erasureDueAt: due });
  }, 60_000);
});
