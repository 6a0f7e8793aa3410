import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDemo, type DemoResult } from '../../app/demo/demo-run';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');

/** The demo end to end on a HubSpot portal with default properties only (no Telco custom properties). */
describe('demo on a vanilla HubSpot portal', () => {
  let dir: string;
  let result: DemoResult;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'se-demo-vanilla-'));
    result = await runDemo({ csvPath: CSV, databasePath: path.join(dir, 'demo.sqlite'), accounts: 200, seed: 11, tier: 'api-add-on', portal: 'vanilla', onStage: () => undefined, onProgress: () => undefined });
  }, 300_000);
  afterAll(async () => {
    await result.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs every company and its records, trains, scores and writes back every account', () => {
    expect(result.synced.account).toBe(200);
    expect(result.synced.contact).toBe(result.sandbox.state.portal.table('contacts').size);
    expect(result.synced.transaction).toBe(0); // a vanilla portal does not invoice through HubSpot
    expect(result.scores).toHaveLength(200);
    expect(result.writeBack.failed).toEqual([]);
    expect(result.writeBack.written).toBe(200);
    const companies = [...result.sandbox.state.portal.table('companies').values()];
    expect(companies.every((c) => typeof c.properties.se_churn_probability === 'string')).toBe(true);
  });

  it('names what the portal lacks for the admin in the audit log, once per pass', () => {
    const entries = result.store.listAudit(result.tenantId, { limit: 1000 }).filter((e) => e.action === 'sync.connector-findings');
    const findings = entries.flatMap((e) => (e.details as { findings: { code: string; object: string; property?: string }[] }).findings);
    expect(findings).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'CONNECTOR.PROPERTY_MISSING', object: 'companies', property: 'contract_type' })]));
    expect(findings.filter((f) => f.property === 'contract_type')).toHaveLength(1);
  });
});
