import path from 'node:path';
import { Client } from '@hubspot/api-client';
import { runCli } from '../helpers/run-cli';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');

describe('success-engine sandbox', () => {
  it('starts a HubSpot sandbox, reports one JSON object with the port it chose, and stops', async () => {
    const { code, stdout } = await runCli(
      'sandbox',
      '--crm',
      'hubspot',
      '--accounts',
      '7',
      '--seed',
      '3',
      '--csv',
      CSV,
      '--exit-after-start',
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { url: string; port: number; companies: number; accessToken: string };
    expect(result).toMatchObject({ crm: 'hubspot', companies: 7, seed: 3 });
    expect(result.port).toBeGreaterThan(0);
    expect(result.url).toBe(`http://127.0.0.1:${result.port}`);
    // Closed after start: the port no longer answers.
    await expect(new Client({ accessToken: result.accessToken, basePath: result.url }).crm.companies.basicApi.getPage(1)).rejects.toThrow();
  });

  it('starts a Salesforce sandbox with bilingual human output', async () => {
    const { code, stdout } = await runCli('sandbox', '--crm', 'salesforce', '--accounts', '4', '--csv', CSV, '--exit-after-start');
    expect(code).toBe(0);
    expect(stdout).toContain('Salesforce sandbox ready / Salesforce 沙箱已就绪');
    const url = /instanceUrl\s+(\S+)/.exec(stdout)?.[1] as string;
    // Closed after start (plain fetch: jsforce would spend 15 s retrying the refused connection).
    await expect(fetch(`${url}/services/data/v62.0/limits`)).rejects.toThrow();
  });

  it('exits 2 on a bad --crm or --port', async () => {
    expect((await runCli('sandbox', '--crm', 'dynamics', '--exit-after-start')).code).toBe(2);
    expect((await runCli('sandbox', '--crm', 'hubspot', '--port', '70000', '--exit-after-start')).code).toBe(2);
    expect(
      (await runCli('sandbox', '--crm', 'hubspot', '--accounts', '2', '--csv', CSV, '--webhook-url', 'ftp://x', '--exit-after-start')).code,
    ).toBe(2);
    const missing = await runCli('sandbox', '--crm', 'hubspot', '--csv', '/nonexistent.csv', '--exit-after-start', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'SANDBOX.SEED_FILE_MISSING' } });
  });
});
