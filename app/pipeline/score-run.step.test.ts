import type { Store, TenantId } from '../../core';
import { SYNTHETIC_NOW, syntheticStore } from '../../test/helpers/synthetic-book';
import { scoreRunStep, type ScoredPage } from './score-run.step';

const tenantId = 'tenant-1' as TenantId;
const ACCOUNTS = 60;
const LIVE = ACCOUNTS - ACCOUNTS / 10;
const RECORDED_AT = new Date('2026-06-01T00:05:00.000Z');

const seededStore = (): Promise<Store> => syntheticStore(tenantId, ACCOUNTS);

const run = (store: Store, onPage: (page: ScoredPage) => Promise<void>) =>
  scoreRunStep(store, tenantId, { asOf: SYNTHETIC_NOW, recordedAt: RECORDED_AT, pageSize: 20 }, onPage);

describe('scoreRunStep', () => {
  it('keeps every live account once, a page at a time, and names each page’s accounts for write-back', async () => {
    const store = await seededStore();
    const pages: ScoredPage[] = [];
    const { scored } = await run(store, (p) => Promise.resolve(void pages.push(p)));
    expect(scored).toBe(LIVE);
    expect(pages).toHaveLength(3);
    expect(pages.flatMap((p) => p.kept.map((s) => s.accountId))).toEqual(pages.flatMap((p) => p.accountIds));
    expect(new Set(pages.flatMap((p) => p.accountIds)).size).toBe(LIVE);
    expect((await store.latestScores(tenantId)).filter((s) => s.computedAt === SYNTHETIC_NOW)).toHaveLength(LIVE);
    await store.close();
  });

  it('retried after a crash past the first page: keeps only the rest, writes back all, raises no alert twice or past a budget', async () => {
    const whole = await seededStore();
    await run(whole, () => Promise.resolve());
    const alertsOnce = (await whole.listAlerts(tenantId)).map((a) => a.idempotencyKey).sort();
    expect(alertsOnce.length).toBeGreaterThan(0);
    await whole.close();

    const store = await seededStore();
    let pagesSeen = 0;
    await expect(
      run(store, () => {
        if (++pagesSeen === 1) throw new Error('worker killed');
        return Promise.resolve();
      }),
    ).rejects.toThrow('worker killed');
    const keptByCrash = (await store.latestScores(tenantId)).length;
    expect(keptByCrash).toBeGreaterThan(0);
    expect(keptByCrash).toBeLessThan(LIVE);

    const retried: ScoredPage[] = [];
    await run(store, (p) => Promise.resolve(void retried.push(p)));
    expect(retried.flatMap((p) => p.kept)).toHaveLength(LIVE - keptByCrash);
    expect(new Set(retried.flatMap((p) => p.accountIds)).size).toBe(LIVE);
    for (const s of await store.latestScores(tenantId)) expect(await store.scoreHistory(tenantId, s.accountId)).toHaveLength(1);
    expect((await store.listAlerts(tenantId)).map((a) => a.idempotencyKey).sort()).toEqual(alertsOnce);
    await store.close();
  });
});
