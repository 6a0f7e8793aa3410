import path from 'node:path';
import { fixedClock, type AccountId, type CanonicalAccount, type ConnectionId, type TenantId } from '../../core';
import { syncEntity } from '../../app/pipeline/sync.step';
import { SalesforceConnector } from '../../connectors/salesforce/salesforce.connector';
import { startSalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { openTestStore } from '../helpers/test-store';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
const STATIC = '00D8d0000000SBX!sandbox-static-token';
const tenantId = 'tenant-resync' as TenantId;
const connectionId = 'sf-main' as ConnectionId;

/**
 * Salesforce keeps deletions replayable for about 15 days. A tenant whose sync stopped for longer
 * cannot learn which records were purged meanwhile: the sync reloads the entity and sweeps.
 */
describe('sync: full reload when the CRM can no longer replay deletions', () => {
  it('reloads the entity, marks deleted only what the reload did not see, and carries on incrementally', async () => {
    const clock = fixedClock('2026-11-01T00:00:00.000Z');
    const sandbox = await startSalesforceSandbox({ seed: 11, accounts: 30, rows: readTelcoCsv(CSV), clock });
    const opened = await openTestStore({ now: () => clock.now() });
    const store = opened.store;
    try {
      await store.upsertTenant({ id: tenantId, name: 'Resync', locale: 'en', createdAt: clock.now().toISOString() });
      const connector = new SalesforceConnector({
        tenantId,
        orgKey: 'resync',
        instanceUrl: sandbox.url,
        accessToken: STATIC,
        namespace: null,
        pageSize: 200,
        clock,
        sleep: (ms) => {
          clock.advance(ms);
          return Promise.resolve();
        },
      });
      const target = { tenantId, connectionId, entity: 'opportunity' as const };
      await syncEntity(store, connector, target);
      const before = await store.countRecords(tenantId, 'opportunity');
      expect(before).toBeGreaterThan(2);

      // Two opportunities purged for good (recycle bin emptied) and the delete log past its window.
      const [gone, alsoGone] = [...sandbox.state.org.table('Opportunity').values()].filter((r) => !r.IsDeleted);
      if (!gone || !alsoGone) throw new Error('the sandbox has too few opportunities');
      clock.advance(60_000);
      sandbox.state.org.softDelete(gone.Id, clock.now().toISOString());
      sandbox.state.org.softDelete(alsoGone.Id, clock.now().toISOString());
      sandbox.state.org.purgeRecycleBin();
      clock.advance(16 * 86_400_000);

      const reload = await syncEntity(store, connector, target);
      expect(reload.deleted).toBe(2);
      expect(await store.countRecords(tenantId, 'opportunity')).toBe(before - 2);
      const deletedIds = (await store.listRecords(tenantId, 'opportunity', { includeDeleted: true }))
        .filter((r) => r.deletedAt)
        .map((r) => r.source.externalId);
      expect(deletedIds.sort()).toEqual([gone.Id, alsoGone.Id].sort());
      // Their accounts are re-scored.
      expect(reload.changedAccountIds).toEqual(expect.arrayContaining([`salesforce:${String(gone.AccountId)}`]));
      expect(await store.resyncInProgress(tenantId, connectionId, 'opportunity')).toBeNull();
      const audit = (await store.listAudit(tenantId, { limit: 50 })).map((a) => a.action);
      expect(audit).toEqual(expect.arrayContaining(['sync.resync-started', 'sync.resync-finished']));

      // The next pass is incremental again: nothing new, nothing swept.
      clock.advance(5 * 60_000);
      const next = await syncEntity(store, connector, target);
      expect(next).toMatchObject({ done: true, upserted: 0, deleted: 0 });
      expect((await store.listAudit(tenantId, { limit: 50 })).filter((a) => a.action === 'sync.resync-started')).toHaveLength(1);
      expect(await store.countRecords(tenantId, 'opportunity')).toBe(before - 2);
    } finally {
      await opened.close();
      await sandbox.close();
    }
  });

  it('restarts a reload begun again, and never sweeps against a seen-set the reload did not finish', async () => {
    const clock = fixedClock('2026-11-01T00:00:00.000Z');
    const opened = await openTestStore({ now: () => clock.now() });
    const store = opened.store;
    try {
      await store.upsertTenant({ id: tenantId, name: 'Resync', locale: 'en', createdAt: clock.now().toISOString() });
      const account = (n: number): CanonicalAccount => ({
        tenantId,
        id: `salesforce:A${n}` as AccountId,
        status: 'active',
        source: { provider: 'salesforce' as const, externalId: `A${n}`, modstamp: clock.now().toISOString() },
        dataHash: `h${n}`,
        name: `Account ${n}`,
        attributes: {},
      });
      await store.upsertRecords('account', [account(1), account(2), account(3)]);
      await store.beginResync(tenantId, connectionId, 'account', clock.now().toISOString(), 'test');
      await store.recordResyncSeen(tenantId, connectionId, 'account', ['A1', 'A2']);
      // Begun again (e.g. the CRM asked once more): what was seen before no longer counts.
      await store.beginResync(tenantId, connectionId, 'account', clock.now().toISOString(), 'again');
      expect(await store.resyncInProgress(tenantId, connectionId, 'account')).toMatchObject({ reason: 'again' });
      await store.recordResyncSeen(tenantId, connectionId, 'account', ['A3']);
      const swept = await store.finishResync(tenantId, connectionId, 'account', 'salesforce', clock.now().toISOString());
      expect(swept).toEqual({ deleted: 2, accountIds: expect.arrayContaining(['salesforce:A1', 'salesforce:A2']) });
      expect((await store.listRecords(tenantId, 'account')).map((a) => a.id)).toEqual(['salesforce:A3']);
      expect(await store.getCursor(tenantId, connectionId, 'account')).toBeNull();
    } finally {
      await opened.close();
    }
  });
});
