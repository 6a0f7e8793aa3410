#!/usr/bin/env node
// Runs jsforce's own tests (query, connection-crud, sobject, bulk2) from a jsforce checkout OUTSIDE
// this project against the Salesforce sandbox. None of jsforce's test code lives here: this script
// starts the sandbox, writes a jest config into a temp dir, and points jest at the checkout's test/
// folder with SF_LOGIN_URL and SF_ACCESS_TOKEN, as jsforce's CI does with a scratch org.
//
//   node scripts/run-jsforce-suite.js /tmp/jsforce [--org vanilla|customised] [--files query,sobject] [--json out.json]
//
// The checkout needs `through2` (a jsforce devDependency the query tests import): `npm i through2@3`
// inside the checkout. jsforce itself comes from this project's node_modules (3.10.16).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

require('../test/helpers/ts-register.js');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const checkout = args[0] && !args[0].startsWith('--') ? path.resolve(args[0]) : undefined;
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
if (!checkout || !fs.existsSync(path.join(checkout, 'test', 'query.test.ts'))) {
  process.stderr.write(
    'usage: node scripts/run-jsforce-suite.js <jsforce checkout with test/> [--org vanilla|customised] [--files a,b] [--json out.json]\n',
  );
  process.exit(2);
}
const files = flag('--files', 'query,connection-crud,sobject,bulk2').split(',');
const org = flag('--org', 'customised');
const jsonOut = flag('--json', undefined);

/** A CustomObject metadata file (.object XML) as the sandbox's custom object definition. */
function readCustomObject(file, name) {
  const xml = fs.readFileSync(file, 'utf8');
  const tag = (block, t) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(block)?.[1];
  const nameBlock = /<nameField>([\s\S]*?)<\/nameField>/.exec(xml)?.[1] ?? '';
  const fields = [...xml.matchAll(/<fields>([\s\S]*?)<\/fields>/g)]
    .map((m) => m[1])
    .map((b) => ({
      name: tag(b, 'fullName'),
      label: tag(b, 'label') ?? tag(b, 'fullName'),
      type: tag(b, 'type'),
      ...(tag(b, 'length') ? { length: Number(tag(b, 'length')) } : {}),
      ...(tag(b, 'precision') ? { precision: Number(tag(b, 'precision')), scale: Number(tag(b, 'scale') ?? 0) } : {}),
      externalId: tag(b, 'externalId') === 'true',
      unique: tag(b, 'unique') === 'true',
      required: tag(b, 'required') === 'true',
    }));
  const outer = xml.replace(/<fields>[\s\S]*?<\/fields>/g, '').replace(/<nameField>[\s\S]*?<\/nameField>/, '');
  return {
    name,
    label: tag(outer, 'label') ?? name,
    pluralLabel: tag(outer, 'pluralLabel') ?? name,
    nameField: {
      type: tag(nameBlock, 'type') === 'AutoNumber' ? 'AutoNumber' : 'Text',
      label: tag(nameBlock, 'label') ?? 'Name',
      ...(tag(nameBlock, 'displayFormat') ? { displayFormat: tag(nameBlock, 'displayFormat') } : {}),
    },
    fields,
  };
}

async function main() {
  const { startSalesforceSandbox } = require('../sandbox/salesforce/salesforce-sandbox.server.ts');
  // What jsforce's org setup (test/bin/org-setup) deploys and loads: its package's custom objects,
  // read from the checkout's metadata, and 4 × 550 BigTable__c rows. Plus a small seeded book.
  const { readTelcoCsv } = require('../sandbox/seed/telco.reader.ts');
  const csv = path.resolve(root, '../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
  const customObjects = ['BigTable__c', 'UpsertTable__c'].map((name) =>
    readCustomObject(path.join(checkout, 'test/package/JSforceTestSuite/objects', `${name}.object`), name),
  );
  const sandbox = await startSalesforceSandbox({
    org,
    seed: 7,
    accounts: 30,
    rows: readTelcoCsv(csv),
    customObjects,
    usernames: ['integration@sandbox.example.com'],
  });
  for (let i = 0; i < 2200; i++) sandbox.state.org.insert('BigTable__c', {}, '2026-01-01T00:00:00.000Z');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jsforce-suite-'));
  const config = {
    rootDir: checkout,
    testMatch: files.map((f) => `<rootDir>/test/${f}.test.ts`),
    testEnvironment: 'node',
    transform: {
      '^.+\\.ts$': [
        require.resolve('@swc/jest'),
        { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
      ],
    },
    moduleNameMapper: {
      '^jsforce$': path.join(root, 'node_modules/jsforce'),
      '^jsforce/(.+)$': path.join(root, 'node_modules/jsforce/$1'),
    },
    modulePaths: [path.join(checkout, 'node_modules'), path.join(root, 'node_modules')],
    setupFilesAfterEnv: [path.join(dir, 'setup.js')],
  };
  fs.writeFileSync(path.join(dir, 'setup.js'), 'jest.setTimeout(60000);\n');
  fs.writeFileSync(path.join(dir, 'jest.config.json'), JSON.stringify(config));
  const result = path.join(dir, 'result.json');
  const env = {
    ...process.env,
    SF_LOGIN_URL: sandbox.url,
    SF_ACCESS_TOKEN: '00D8d0000000SBX!sandbox-static-token',
    SF_USERNAME: 'integration@sandbox.example.com',
    SF_PASSWORD: 'sandbox-password',
    SF_OAUTH2_CLIENT_ID: 'sandbox-consumer-key',
    SF_OAUTH2_CLIENT_SECRET: 'sandbox-consumer-secret',
  };
  // jest runs in a child so the sandbox (this process) keeps answering.
  const child = require('node:child_process').spawn(
    process.execPath,
    [require.resolve('jest/bin/jest'), '--config', path.join(dir, 'jest.config.json'), '--runInBand', '--json', '--outputFile', result],
    { env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const code = await new Promise((resolve) => child.on('exit', resolve));
  await sandbox.close();
  const report = JSON.parse(fs.readFileSync(result, 'utf8'));
  const perFile = report.testResults.map((t) => ({
    file: path.basename(t.name),
    passed: t.assertionResults.filter((a) => a.status === 'passed').length,
    failed: t.assertionResults.filter((a) => a.status === 'failed').length,
    failures: t.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName),
  }));
  for (const f of perFile) process.stdout.write(`${f.file}: ${f.passed} passed, ${f.failed} failed\n`);
  process.stdout.write(`${report.numPassedTests} passed, ${report.numFailedTests} failed\n`);
  if (jsonOut)
    fs.writeFileSync(jsonOut, JSON.stringify({ org, passed: report.numPassedTests, failed: report.numFailedTests, perFile }, null, 2));
  fs.rmSync(dir, { recursive: true, force: true });

  process.exitCode = code === 0 ? 0 : 1;
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
