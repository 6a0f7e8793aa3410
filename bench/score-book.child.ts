import type { Store, TenantId } from '../core';
import { prepareTenantScores, recordRecommendations } from '../app/pipeline/score.step';
import { tenantRecordPages } from '../app/pipeline/tenant-records';
import { openPostgresStore, SqliteStore } from '../store';

export interface ScoreBookChildResult {
  scored: number;
  pages: number;
  /** One read of every page (records, texts, earlier scores): the baseline. */
  readSeconds: number;
  /** Fits and arbitration (two reads of the book) before the first page's scores. */
  prepareSeconds: number;
  /** Everything: prepare, then every page scored and its ScoreSets and recommendations kept. */
  scoreSeconds: number;
  peakRssMiB: number;
  /** What the book-wide state (fits, candidates, assignments) holds: live heap after prepare minus before, after full GCs. */
  bookStateMiB: number;
}

/** Live heap after a full collection (the child runs with --expose-gc). */
function liveHeapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** The scoring side of the score-book benchmark: argv = store kind, location, tenant, page size. */
async function main(): Promise<void> {
  const [kind, location, tenant, page] = process.argv.slice(2) as [string, string, string, string];
  const tenantId = tenant as TenantId;
  const pageSize = Number(page);
  const store: Store = kind === 'sqlite' ? new SqliteStore({ path: location }) : await openPostgresStore({ url: location });
  const say = (progress: string) => process.send?.({ progress });
  const seconds = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

  let t = process.hrtime.bigint();
  let pages = 0;
  for await (const p of tenantRecordPages(store, tenantId, pageSize)({ activity: true, previous: true }))
    pages += p.records.accounts.length > 0 ? 1 : 0;
  const readSeconds = seconds(t);
  say(`read ${pages} pages in ${readSeconds.toFixed(1)} s`);

  const heapBefore = liveHeapMiB();
  t = process.hrtime.bigint();
  const now = '2026-06-01T00:00:00.000Z';
  const book = await prepareTenantScores(store, tenantId, now, { pageSize });
  const prepareSeconds = seconds(t);
  const bookStateMiB = liveHeapMiB() - heapBefore;
  say(`fitted and arbitrated in ${prepareSeconds.toFixed(1)} s; book-wide state ${bookStateMiB.toFixed(0)} MiB`);
  t = process.hrtime.bigint() - BigInt(Math.round(prepareSeconds * 1e9));
  let scored = 0;
  for await (const chunk of book.chunks()) {
    await recordRecommendations(store, chunk);
    await store.appendScoreSets(chunk.scoreSets);
    scored += chunk.scoreSets.length;
    if (scored % 100_000 < chunk.scoreSets.length) say(`scored ${scored} accounts`);
  }
  const scoreSeconds = seconds(t);
  await store.close();
  const result: ScoreBookChildResult = {
    scored,
    pages,
    readSeconds: Number(readSeconds.toFixed(2)),
    prepareSeconds: Number(prepareSeconds.toFixed(2)),
    scoreSeconds: Number(scoreSeconds.toFixed(2)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    bookStateMiB: Math.round(bookStateMiB),
  };
  process.send?.({ result });
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
