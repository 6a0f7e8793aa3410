import { randomBytes } from 'node:crypto';
import { openPostgresStore } from '../../store/postgres/postgres-store';
import { startTestPostgres, type TestPostgres } from './postgres-server';
import { describeStoreConformance, type OpenStoreOptions } from './store-conformance';

// A database of its own per test, on a throwaway cluster (or SE_TEST_DATABASE_URL's server).
let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describeStoreConformance('postgres', async (options: OpenStoreOptions = {}) => {
  const database = await server.createDatabase();
  const store = await openPostgresStore({
    url: database.url,
    poolSize: 3,
    ...(options.withoutEncryptionKey ? {} : { encryptionKey: randomBytes(32) }),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  return {
    store,
    async cleanup() {
      await store.close();
      await database.drop();
    },
    async sql(text: string) {
      return (await store.pool.query(text)).rows as Record<string, unknown>[];
    },
    async tables() {
      const result = await store.pool.query<{ name: string }>(
        "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
      );
      return result.rows.map((r) => r.name);
    },
  };
});
