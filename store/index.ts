export * from './sqlite/sqlite-store';
export { migrations } from './sqlite/migrations';
export { TokenCipher } from './shared/token-cipher';
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store';
export { postgresMigrations } from './postgres/migrations';
