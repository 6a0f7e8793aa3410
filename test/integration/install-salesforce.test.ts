import type { ConnectionId, TenantId } from '../../core';
import { createTenantEraser } from '../../app/install/tenant-eraser';
import { probeSalesforceInstall } from '../../app/install/uninstall.service';
import { startSalesforceSandbox, type SalesforceSandbox } from '../../sandbox';
import { installThroughBrowser, rowsMentioning, smallBook, startInstallHarness, type InstallHarness } from './install-harness';

const APP = { clientId: 'se-connected-app', clientSecret: 'se-connected-secret' };

/** Install into a Salesforce org over OAuth; uninstall by an admin (our revocation) and by revocation in Setup. */
describe('Salesforce install and uninstall, end to end against the sandbox', () => {
  let sandbox: SalesforceSandbox;
  let h: InstallHarness;
  const book = smallBook(30, 7);

  beforeAll(async () => {
    // The managed package (our fields, namespace succeng, and its permission set assigned to no one)
    // is installed from AppExchange before OAuth: install must assign the set before it can write.
    sandbox = await startSalesforceSandbox({
      book,
      connectedApp: APP,
      packageInstalled: true,
      packagePermissionAssigned: false,
      namespace: 'succeng',
    });
    h = await startInstallHarness({ salesforce: { ...APP, loginUrl: sandbox.url }, erasureGraceMs: 0 });
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await sandbox.close();
  });

  const install = async (): Promise<{ tenantId: TenantId; adminToken: string }> => {
    const { status, body } = await installThroughBrowser(h.server, 'salesforce');
    expect(status).toBe(201);
    return { tenantId: body.tenantId as TenantId, adminToken: body.adminToken as string };
  };

  it('installs, backfills accounts and shows scores; an admin uninstall revokes our token at Salesforce and erases every row', async () => {
    const { tenantId, adminToken } = await install();
    expect(tenantId).toBe(`salesforce-${sandbox.state.org.orgId}`);
    const refreshToken = (await h.store.getConnection(tenantId, 'salesforce' as ConnectionId))?.tokens.refreshToken;
    expect(refreshToken).toBeDefined();
    // The session expires before the workers start: their connectors refresh it with the connected
    // app, and keep the refresh token Salesforce does not repeat.
    const installedAccess = (await h.store.getConnection(tenantId, 'salesforce' as ConnectionId))?.tokens.accessToken;
    sandbox.state.expireAccessTokens();
    await h.queue.drain();
    expect(h.queue.deadLetters).toEqual([]);
    const after = (await h.store.getConnection(tenantId, 'salesforce' as ConnectionId))?.tokens;
    expect(after?.accessToken).not.toBe(installedAccess);
    expect(after?.refreshToken).toBe(refreshToken);
    expect(await h.store.countRecords(tenantId, 'account')).toBe(book.bundles.length);
    const scores = (await (
      await fetch(`${h.server.url}/api/v1/scores?limit=1000`, { headers: { authorization: `Bearer ${adminToken}` } })
    ).json()) as { scores: unknown[] };
    expect(scores.scores.length).toBeGreaterThan(0);

    const res = await fetch(`${h.server.url}/api/v1/tenant/uninstall`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { revoked: Record<string, string>; receipt: { rowCounts: Record<string, number> } };
    expect(body.revoked.salesforce).toBe('salesforce 200');
    expect(sandbox.state.install?.revoked).toContain(refreshToken);
    expect(body.receipt.rowCounts.records).toBeGreaterThanOrEqual(book.bundles.length);
    expect(await rowsMentioning(h.tables, tenantId)).toEqual([]);
    // The revoked refresh token is dead at Salesforce too.
    const refresh = await fetch(`${sandbox.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        refresh_token: refreshToken ?? '',
      }).toString(),
    });
    expect(refresh.status).toBe(400);
  }, 180_000);

  it('treats a token revoked in Salesforce (or a package uninstall) as an uninstall', async () => {
    const { tenantId } = await install();
    expect(await probeSalesforceInstall(h.deps, tenantId)).toBeNull();
    const refreshToken = (await h.store.getConnection(tenantId, 'salesforce' as ConnectionId))?.tokens.refreshToken ?? '';
    // An admin revokes the app's access in Setup (the same revocation endpoint, from Salesforce's side).
    const revoked = await fetch(`${sandbox.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(refreshToken)}`,
    });
    expect(revoked.status).toBe(200);
    const result = await probeSalesforceInstall(h.deps, tenantId);
    expect(result?.receipt?.reason).toBe('salesforce-token-revoked');
    expect(await rowsMentioning(h.tables, tenantId)).toEqual([]);
    expect((await h.store.findErasures(tenantId)).map((r) => r.reason)).toEqual(['admin-uninstall', 'salesforce-token-revoked']);
  }, 180_000);

  it('erases at once from the console’s "Delete all data", revoking our access first', async () => {
    const { tenantId } = await install();
    const refreshToken = (await h.store.getConnection(tenantId, 'salesforce' as ConnectionId))?.tokens.refreshToken;
    const eraser = createTenantEraser(h.deps);
    expect(eraser.describe().zh).toMatch(/删除/);
    const result = await eraser.erase(tenantId, { actor: 'admin@example.com', reason: 'console' });
    expect(result.done).toBe(true);
    expect(sandbox.state.install?.revoked).toContain(refreshToken);
    expect(await rowsMentioning(h.tables, tenantId)).toEqual([]);
    expect((await h.store.findErasures(tenantId)).length).toBe(3);
  }, 60_000);

  it('answers an unknown token at the revocation endpoint with invalid_token', async () => {
    const res = await fetch(`${sandbox.url}/services/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=nope',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: 'Token was invalid' });
  });
});
