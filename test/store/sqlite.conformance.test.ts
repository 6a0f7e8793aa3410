/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; \`async\` turns its throws into the rejections the suite expects. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../../store';
import { describeStoreConformance, type OpenStoreOptions } from './store-conformance';

// A file database (WAL, as in production) in a temp folder of its own per test.
describeStoreConformance('sqlite', async (options: OpenStoreOptions = {}) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-store-conformance-'));
  const store = new SqliteStore({
    path: path.join(dir, 'store.sqlite'),
    ...(options.withoutEncryptionKey ? {} : { encryptionKey: randomBytes(32) }),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  });
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async sql(text: string) {
      const statement = store.db.prepare(text);
      if (statement.reader) return statement.all() as Record<string, unknown>[];
      statement.run();
      return [];
    },
    async tables() {
      return (
        store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]
      ).map((r) => r.name);
    },
  };
});
