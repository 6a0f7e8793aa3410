import { openStore } from './open-store';

describe('openStore', () => {
  it('opens the SQLite file when no database URL is set', async () => {
    const store = await openStore({ databasePath: ':memory:' });
    expect(store.description).toEqual({ kind: 'sqlite', location: ':memory:' });
    await store.ping();
    await store.close();
  });

  it('opens PostgreSQL for a postgres:// URL, and an unreachable one is an error naming SE_DATABASE_URL without the password', async () => {
    const error = (await openStore({ databasePath: ':memory:', databaseUrl: 'postgres://se:secret-pw@127.0.0.1:1/se' }).catch(
      (e: unknown) => e,
    )) as { code?: string; message?: string };
    expect(error.code).toBe('STORE.UNAVAILABLE');
    expect(error.message).toContain('SE_DATABASE_URL');
    expect(error.message).toContain('127.0.0.1:1/se');
    expect(error.message).not.toContain('secret-pw');
  });
});
