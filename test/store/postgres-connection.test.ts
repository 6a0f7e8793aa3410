import { errorCodeInfo, SuccessEngineError, type TenantId } from '../../core';
import { openPostgresStore } from '../../store/postgres/postgres-store';
import { makeAccount } from '../helpers/records';
import { freePort } from '../helpers/redis';
import { startOwnTestPostgres, type TestPostgres } from './postgres-server';
import { failure } from './store-conformance';

// Stopping and starting the server needs a cluster of this file's own (never SE_TEST_DATABASE_URL's).
let server: Required<TestPostgres>;
beforeAll(async () => {
  server = await startOwnTestPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const tenant = 'tenant-1' as TenantId;
const withPassword = (url: string, password: string): string => {
  const u = new URL(url);
  u.password = password;
  return u.toString();
};

describe('opening a PostgreSQL store', () => {
  it('names SE_DATABASE_URL and host:port/database when nothing listens, without the password or a stack', async () => {
    const port = await freePort();
    const error = await failure(openPostgresStore({ url: `postgres://se:s3cret-pw@127.0.0.1:${port}/se_db` }));
    expect(error).toBeInstanceOf(SuccessEngineError);
    expect(error).toMatchObject({ code: 'STORE.UNAVAILABLE' });
    expect(error.message).toContain('SE_DATABASE_URL');
    expect(error.message).toContain(`127.0.0.1:${port}/se_db`);
    expect(error.message).toMatch(/ECONNREFUSED|connect/);
    expect(error.message).not.toContain('s3cret-pw');
    expect(error.message).not.toMatch(/\n\s+at /);
  });

  it('calls wrong credentials and an unknown database configuration errors, naming SE_DATABASE_URL', async () => {
    const database = await server.createDatabase();
    try {
      const wrongPassword = await failure(openPostgresStore({ url: withPassword(database.url, 'not-the-password') }));
      expect(wrongPassword).toMatchObject({
        code: 'CONFIG.INVALID',
        message: expect.stringMatching(/password authentication failed.*SE_DATABASE_URL/),
      });
      expect(wrongPassword.message).not.toContain('not-the-password');

      const unknown = new URL(database.url);
      unknown.pathname = '/no_such_database';
      const noDatabase = await failure(openPostgresStore({ url: unknown.toString() }));
      expect(noDatabase).toMatchObject({ code: 'CONFIG.INVALID' });
      expect(noDatabase.message).toMatch(/no_such_database/);
      expect(noDatabase.message).toContain('SE_DATABASE_URL');
      expect(noDatabase.message).toContain(`${unknown.hostname}:${unknown.port}/no_such_database`);

      expect(await failure(openPostgresStore({ url: 'mysql://x@localhost/db' }))).toMatchObject({ code: 'CONFIG.INVALID' });
    } finally {
      await database.drop();
    }
  });

  it('describes itself by its URL without the password', async () => {
    const database = await server.createDatabase();
    const store = await openPostgresStore({ url: database.url });
    try {
      const password = new URL(database.url).password;
      expect(password.length).toBeGreaterThan(0);
      expect(store.description.kind).toBe('postgres');
      expect(store.description.location).not.toContain(password);
      expect(store.description.location).toContain(`/${database.name}`);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

describe('a PostgreSQL restart mid-run', () => {
  it('fails the call in flight with a retryable code, then the pool reconnects and a retry lands everything', async () => {
    const database = await server.createDatabase();
    const store = await openPostgresStore({ url: database.url, poolSize: 2, batchSize: 500 });
    try {
      await store.upsertTenant({ id: tenant, name: 't', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
      const many = Array.from({ length: 20_000 }, (_, i) => makeAccount(String(i).padStart(6, '0')));
      const inFlight = store.upsertRecords('account', many);
      await new Promise((resolve) => setTimeout(resolve, 200));
      server.halt();

      const interrupted = await failure(inFlight);
      expect(interrupted).toMatchObject({ code: 'STORE.UNAVAILABLE' });
      expect(errorCodeInfo('STORE.UNAVAILABLE').retry).toBe('retry');
      expect(interrupted.message).toContain('SE_DATABASE_URL');
      // While the server is down, every call says so with the same code.
      expect(await failure(store.ping())).toMatchObject({ code: 'STORE.UNAVAILABLE' });

      server.start();
      await expect(store.ping()).resolves.toBeUndefined();
      const landed = await store.countRecords(tenant, 'account');
      // Whole batches only: the one in flight rolled back.
      expect(landed % 500).toBe(0);
      expect(landed).toBeLessThan(many.length);
      const retried = await store.upsertRecords('account', many);
      expect(retried).toMatchObject({ inserted: many.length - landed, unchanged: landed });
      expect(await store.countRecords(tenant, 'account')).toBe(many.length);
    } finally {
      await store.close();
      await database.drop();
    }
  }, 60_000);
});
