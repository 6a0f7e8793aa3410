import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the same CommonJS list jest.config.js reads
const matrix = require('../helpers/store-matrix') as { bothStores: string[]; oneStore: Record<string, string> };

const INTEGRATION = path.resolve(__dirname, '../integration');
// What opening a store looks like in a test, directly or through a harness.
const OPENS_A_STORE =
  /openTestStore|SqliteStore|openPostgresStore|SE_DATABASE_PATH|databasePath|startHarness|startInstallHarness|startHttpSurface/;

function integrationTests(): Map<string, string> {
  return new Map(
    readdirSync(INTEGRATION)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => [f.replace(/\.test\.ts$/, ''), readFileSync(path.join(INTEGRATION, f), 'utf8')]),
  );
}

/** A new integration test that opens a store runs on both stores, unless the list says why not. */
describe('the store matrix of the integration tier', () => {
  const tests = integrationTests();
  const listed = [...matrix.bothStores, ...Object.keys(matrix.oneStore)];

  it('places every integration test that opens a store on both stores, or says why on one', () => {
    const opening = [...tests].filter(([, source]) => OPENS_A_STORE.test(source)).map(([name]) => name);
    expect(opening.filter((name) => !listed.includes(name))).toEqual([]);
  });

  it('lists only tests that exist, each once, with a reason for each one-store one', () => {
    expect(listed.filter((name) => !tests.has(name))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
    for (const [name, why] of Object.entries(matrix.oneStore)) expect([name, why.length > 20]).toEqual([name, true]);
  });

  it('runs the both-stores tests through the port, never through a SQLite adapter of their own', () => {
    const own = matrix.bothStores.filter((name) => /new SqliteStore\(/.test(tests.get(name) ?? ''));
    expect(own).toEqual([]);
  });
});
