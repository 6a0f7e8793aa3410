// Tiers: unit tests sit beside the code (*.test.ts); integration tests in test/integration;
// connector contract tests in test/contract; browser tests in test/e2e. `npm test` runs every tier this machine can run.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
};
// Every tier may run the shipped ONNX model in-process (the pipeline reads texts with it): see the environment's comment.
const common = {
  transform,
  testEnvironment: '<rootDir>/test/helpers/tiny-bert/onnx-test.environment.ts',
  moduleFileExtensions: ['ts', 'js', 'json'],
};
const ignored = ['/node_modules/', '/dist/'];
const storeMatrix = require('./test/helpers/store-matrix');

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{app,core,connectors,engine,store,webhooks,sandbox,ui-extension}/**/*.test.ts'],
      testPathIgnorePatterns: ignored,
    },
    // The store conformance suite, run on every adapter (PostgreSQL: a throwaway cluster, or SE_TEST_DATABASE_URL).
    { ...common, displayName: 'store', testMatch: ['<rootDir>/test/store/**/*.test.ts'], testPathIgnorePatterns: ignored },
    { ...common, displayName: 'contract', testMatch: ['<rootDir>/test/contract/**/*.test.ts'], testPathIgnorePatterns: ignored },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testPathIgnorePatterns: ignored,
      globalSetup: '<rootDir>/test/helpers/redis-global-setup.js',
      globalTeardown: '<rootDir>/test/helpers/redis-global-teardown.js',
    },
    // The integration tests that read or write the store, again on PostgreSQL (SE_TEST_DATABASE_URL, else a
    // throwaway cluster per file); test/helpers/store-matrix.js says why the others are SQLite's only.
    {
      ...common,
      displayName: 'integration:postgres',
      testMatch: storeMatrix.bothStores.map((name) => `<rootDir>/test/integration/${name}.test.ts`),
      testPathIgnorePatterns: ignored,
      setupFiles: ['<rootDir>/test/helpers/store-postgres.setup.js'],
      globalSetup: '<rootDir>/test/helpers/redis-global-setup.js',
      globalTeardown: '<rootDir>/test/helpers/redis-global-teardown.js',
    },
    // The HubSpot app card (React, @hubspot/ui-extensions testing utilities); the library ships ESM, so swc compiles it too.
    {
      displayName: 'hubspot-card',
      testMatch: ['<rootDir>/ui-extension/hubspot/**/*.test.tsx'],
      testPathIgnorePatterns: ignored,
      testEnvironment: 'node',
      moduleFileExtensions: ['tsx', 'ts', 'js', 'json'],
      transform: {
        '^.+\\.(tsx?|jsx?)$': [
          '@swc/jest',
          {
            jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } },
            module: { type: 'commonjs' },
          },
        ],
      },
      transformIgnorePatterns: ['/node_modules/(?!(@hubspot/ui-extensions|tinyspy)/)'],
    },
    // Real headless Chromium (Debian's `chromium`, driven by playwright-core); screenshots go to artifacts/.
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], testPathIgnorePatterns: ignored },
  ],
};
