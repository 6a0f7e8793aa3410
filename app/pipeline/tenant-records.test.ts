import { buildRecord, type TenantId } from '../../core';
import type { BookPage } from '../../engine/scoring/book-scorer';
import { syntheticStore } from '../../test/helpers/synthetic-book';
import { ORG_CURRENCIES_KEY } from '../settings/org-currencies';
import { loadTenantRecords, tenantRecordPages } from './tenant-records';

const tenantId = 'tenant-1' as TenantId;

describe('tenantRecordPages', () => {
  it('hands out every account and record once, in slices with contiguous account ranges', async () => {
    const store = await syntheticStore(tenantId, 530);
    const whole = await loadTenantRecords(store, tenantId);

    const slices: BookPage[] = [];
    for await (const slice of tenantRecordPages(store, tenantId, 250, 100)({ activity: true, previous: true })) slices.push(slice);

    // Pages of 250 (250, 250, 30 live-or-not accounts) cut into slices of at most 100.
    expect(whole.accounts).toHaveLength(530);
    expect(slices.map((s) => s.records.accounts.length)).toEqual([100, 100, 50, 100, 100, 50, 30]);
    expect(slices.flatMap((s) => s.records.accounts.map((a) => a.id))).toEqual(whole.accounts.map((a) => a.id));
    for (const kind of ['tickets', 'activities', 'subscriptions', 'transactions'] as const) {
      const handed = slices.flatMap((s) => (s.records[kind] ?? []).map((r) => r.id));
      expect(handed.sort()).toEqual((whole[kind] ?? []).map((r) => r.id).sort());
      // Each slice carries only its own accounts' records.
      for (const s of slices) {
        const mine = new Set(s.records.accounts.map((a) => a.id as string));
        expect((s.records[kind] ?? []).every((r) => mine.has(r.accountId))).toBe(true);
      }
    }
    slices.forEach((s, i) => {
      expect(s.accounts?.through).toBe(s.records.accounts.at(-1)?.id);
      expect(s.accounts?.after).toBe(i === 0 ? undefined : slices[i - 1]?.accounts?.through);
    });
    await store.close();
  });

  it("reads a multi-currency org's money in its corporate currency, in pages and whole, once the sync kept its rates", async () => {
    const store = await syntheticStore(tenantId, 40);
    const before = await loadTenantRecords(store, tenantId);
    const first = before.accounts[0]!;
    // One account billed in euros (1 USD buys 0.8 EUR).
    const { dataHash: _stale, ...fields } = first;
    await store.upsertRecords('account', [buildRecord('account', { ...fields, arr: 8000, currency: 'EUR' })]);
    await store.putTenantSetting(tenantId, ORG_CURRENCIES_KEY, { corporate: 'USD', rates: { USD: 1, EUR: 0.8 } }, 'test');
    const whole = await loadTenantRecords(store, tenantId);
    const converted = whole.accounts.find((a) => a.id === first.id);
    expect([converted?.arr, converted?.currency]).toEqual([10000, 'USD']);
    const paged: BookPage[] = [];
    for await (const slice of tenantRecordPages(store, tenantId, 25, 10)({ activity: false, previous: false })) paged.push(slice);
    const inPage = paged.flatMap((p) => p.records.accounts).find((a) => a.id === first.id);
    expect([inPage?.arr, inPage?.currency]).toEqual([10000, 'USD']);
    // A single-currency org (null) reads amounts as stored.
    await store.putTenantSetting(tenantId, ORG_CURRENCIES_KEY, null, 'test');
    const asStored = (await loadTenantRecords(store, tenantId)).accounts.find((a) => a.id === first.id);
    expect([asStored?.arr, asStored?.currency]).toEqual([8000, 'EUR']);
    await store.close();
  });
});
