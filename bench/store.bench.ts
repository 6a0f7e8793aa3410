import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRecord, type CanonicalAccount, type TenantId } from '../core';
import { SqliteStore } from '../store';
import { median, type Benchmark } from './bench-kit';

/** Upsert N canonical accounts into a fresh file-backed store (WAL), then re-upsert them unchanged. */
export const storeBench: Benchmark = async ({ flags, progress }) => {
  const records = Number(flags.records ?? 100_000);
  const runs = Number(flags.runs ?? 3);
  const tenantId = 'bench' as TenantId;
  progress(`building ${records} accounts`);
  const accounts = makeAccounts(tenantId, records);
  const insertSeconds: number[] = [];
  const unchangedSeconds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'se-store-bench-'));
    const store = new SqliteStore({ path: path.join(dir, 'bench.sqlite') });
    await store.upsertTenant({ id: tenantId, name: 'bench', locale: 'en', createdAt: new Date().toISOString() });
    let t = process.hrtime.bigint();
    await store.upsertRecords('account', accounts);
    insertSeconds.push(Number(process.hrtime.bigint() - t) / 1e9);
    t = process.hrtime.bigint();
    const again = await store.upsertRecords('account', accounts);
    unchangedSeconds.push(Number(process.hrtime.bigint() - t) / 1e9);
    if (again.unchanged !== records) throw new Error(`expected ${records} unchanged, got ${again.unchanged}`);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    progress(
      `run ${run + 1}/${runs}: insert ${insertSeconds.at(-1)?.toFixed(2)} s, unchanged re-upsert ${unchangedSeconds.at(-1)?.toFixed(2)} s`,
    );
  }
  await Promise.resolve();
  const insertMedian = median(insertSeconds);
  const unchangedMedian = median(unchangedSeconds);
  return {
    records,
    runs,
    recordsPerSecond: Math.round(records / insertMedian),
    unchangedRecordsPerSecond: Math.round(records / unchangedMedian),
    medianSeconds: Number(insertMedian.toFixed(3)),
    unchangedMedianSeconds: Number(unchangedMedian.toFixed(3)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
};

function makeAccounts(tenantId: TenantId, n: number): CanonicalAccount[] {
  const out: CanonicalAccount[] = [];
  const modstamp = '2026-01-01T00:00:00.000Z';
  for (let i = 0; i < n; i++) {
    out.push(
      buildRecord('account', {
        tenantId,
        id: `hubspot:${i}`,
        source: { provider: 'hubspot', externalId: String(i), modstamp },
        name: `Account ${i}`,
        domain: `account-${i}.example.com`,
        arr: (i % 97) * 1200,
        currency: 'USD',
        plan: i % 3 === 0 ? 'enterprise' : 'team',
        contractType: 'one-year',
        status: 'active',
        seats: (i % 50) + 1,
        attributes: { region: i % 2 ? 'emea' : 'apac' },
      }),
    );
  }
  return out;
}
