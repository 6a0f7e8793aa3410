// The `integration:postgres` jest project: the same integration tests, each store a fresh PostgreSQL database.
process.env.SE_TEST_STORE = 'postgres';
