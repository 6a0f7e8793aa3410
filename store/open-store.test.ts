import { openStore } from './open-store';

describe('openStore', () => {
  it('opens the SQLite file when no database URL is set', async () => {
    const store = await openStore({ databaseUrl: undefined, sqlitePath: ':memory:' });
    expect(store.description).toEqual({ kind: 'sqlite', location: ':memory:' });
    await store.ping();
    await store.close();
  });

  it('opens PostgreSQL for a postgres:// URL (and says where it could not connect)', async () => {
    const error = (await openStore({ databaseUrl: 'postgres://se:pw@127.0.0.1:1/se', sqlitePath: ':memory:' }).catch(
      (e: unknown) => e,
    )) as {
      code?: string;
      message?: string;
    };
    expect(error.code).toBe('STORE.UNAVAILABLE');
    expect(error.message).toContain('SE_DATABASE_URL');
    expect(error.message).toContain('127.0.0.1:1/se');
  });
});
