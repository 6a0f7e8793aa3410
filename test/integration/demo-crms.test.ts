import { connectorFindings } from '../../app/settings/connector-findings';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDemo, type DemoCrmName, type DemoOrgProfile, type DemoResult } from '../../app/demo/demo-run';
import { storedBookInsights } from '../../app/pipeline/score.step';
import { buildCardView } from '../../ui-extension/shared/card.view-model';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');

/**
 * The whole pipeline (install → sync → texts → train → score → write-back → card) on both sandbox
 * CRMs, each as a vanilla org (the vendor's standard schema only) and as a customised one.
 */
describe.each<[DemoCrmName, DemoOrgProfile]>([
  ['hubspot', 'vanilla'],
  ['hubspot', 'customised'],
  ['salesforce', 'vanilla'],
  ['salesforce', 'customised'],
])('demo on a %s %s org', (crm, org) => {
  let dir: string;
  let result: DemoResult;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), `se-demo-${crm}-${org}-`));
    result = await runDemo({
      csvPath: CSV,
      databasePath: path.join(dir, 'demo.sqlite'),
      accounts: 200,
      seed: 11,
      tier: 'api-add-on',
      crm,
      org,
      onStage: () => undefined,
      onProgress: () => undefined,
    });
  }, 300_000);
  afterAll(async () => {
    await result.close();
    await result.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs every account, learns churn from the org’s own history, scores and writes back every live account', async () => {
    expect(result.synced.account).toBe(200);
    // A vanilla org has no churn field: lost renewals carry the label.
    expect(result.training.training.kind).toBe('learned');
    const live = (await result.store.listRecords(result.tenantId, 'account')).filter((a) => a.status === 'active');
    expect(result.scores.length).toBeGreaterThan(100);
    expect(new Set(result.scores.map((s) => s.accountId)).size).toBe(result.scores.length);
    expect(result.writeBack.failed).toEqual([]);
    expect(result.writeBack.written).toBe(result.scores.length);
    expect(live.length).toBeGreaterThanOrEqual(result.scores.length);
  });

  it('writes the scores into the CRM’s own records', () => {
    if (crm === 'hubspot') {
      const written = [...result.crm.hubspot!.state.portal.table('companies').values()].filter(
        (c) => typeof c.properties.se_churn_probability === 'string',
      );
      expect(written).toHaveLength(result.scores.length);
    } else {
      const accounts = [...result.crm.salesforce!.state.org.table('Account').values()];
      const written = accounts.filter((a) => Object.entries(a).some(([k, v]) => /Churn_Probability__c$/.test(k) && typeof v === 'number'));
      expect(written).toHaveLength(result.scores.length);
    }
  });

  it('places every scored account in a segment, writes it to the CRM, and keeps segment totals and the renewal forecast for the console', async () => {
    const insights = await storedBookInsights(result.store, result.tenantId);
    const summaries = insights?.segments?.summaries ?? [];
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    expect(summaries.reduce((n, s) => n + s.accounts, 0)).toBe(result.scores.length);
    // A rep tells segments apart by name.
    expect(new Set(summaries.map((s) => s.name.en)).size).toBe(summaries.length);
    expect(insights?.forecast.months).toHaveLength(6);
    const sample = result.scores[0]!;
    expect(summaries.map((s) => s.id)).toContain(sample.segment?.id);
    const label = `${sample.segment!.name.en} / ${sample.segment!.name.zh}`;
    if (crm === 'hubspot') {
      const company = result.crm.hubspot!.state.portal.table('companies').get(sample.accountId.replace(/^hubspot:/, ''));
      expect(company?.properties.se_segment).toBe(label);
    } else {
      const account = result.crm.salesforce!.state.org.table('Account').get(sample.accountId.replace(/^salesforce:/, ''));
      expect(Object.entries(account ?? {}).find(([k]) => /SE_Segment__c$/.test(k))?.[1]).toBe(label);
    }
  });

  it('builds a card for the riskiest account with its reasons and value, no 0 % or 100 %', async () => {
    const top = [...result.scores].sort((a, b) => b.churn.probability - a.churn.probability)[0]!;
    const account = (await result.store.getRecord(result.tenantId, 'account', top.accountId))!;
    const card = buildCardView({ account, history: await result.store.scoreHistory(result.tenantId, top.accountId), now: new Date() });
    expect(top.churn.probability).toBeGreaterThan(0);
    expect(top.churn.probability).toBeLessThan(1);
    expect(card.churn?.percentText).toMatch(/^(\d{1,2}%|<1%|>99%)$/);
    expect(card.churn?.drivers.length).toBeGreaterThan(0);
    // A vanilla org keeps no invoices: its won deals stand in as purchases, so value is claimed there too.
    expect(card.clv).not.toBeNull();
    expect(card.account.provider).toBe(crm);
  });

  it('values accounts from what they paid: invoices in a customised org, won deals in a vanilla one', async () => {
    const valued = result.scores.filter((s) => s.clv && s.clv.point > 0);
    expect(valued.length / result.scores.length).toBeGreaterThan(0.5);
    const transactions = await result.store.countRecords(result.tenantId, 'transaction');
    if (org === 'vanilla') expect(transactions).toBe(0);
    else expect(transactions).toBeGreaterThan(0);
  });

  it('names what the org lacks for the admin in the audit log (vanilla only)', async () => {
    const findings = (await result.store.listAudit(result.tenantId, { limit: 1000 }))
      .filter((e) => e.action === 'sync.connector-findings')
      .flatMap((e) => (e.details as { findings: { code: string; object: string }[] }).findings);
    if (org === 'vanilla') expect(findings.length).toBeGreaterThan(0);
    else expect(findings).toEqual([]);
    // The console's field-mapping page lists the same findings, once each.
    const listed = (await connectorFindings(result.store, result.tenantId)).map((s) => s.finding);
    const key = (f: { code: string; object: string; field?: string; property?: string; scope?: string }) =>
      [f.code, f.object, f.field ?? f.property ?? f.scope ?? ''].join('|');
    expect(listed.map(key).sort()).toEqual([...new Set(findings.map(key))].sort());
  });
});
