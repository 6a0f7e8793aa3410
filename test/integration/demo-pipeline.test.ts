import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDemo, type DemoResult } from '../../app/demo/demo-run';
import { storedModelEvaluation } from '../../app/pipeline/model-evaluation';
import { writeBackStep } from '../../app/pipeline/writeback.step';
import { CHURN_TASK } from '../../engine/churn/churn-registry';
import { summarizeBook } from '../../engine/scoring/book-summary';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');

/** sync → train → score → write-back → alert, over the HubSpot sandbox, in one process. */
describe('the pipeline end to end (in-process, HubSpot sandbox)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'se-demo-'));
  let result: DemoResult;

  beforeAll(async () => {
    result = await runDemo({
      csvPath: CSV,
      databasePath: path.join(dir, 'demo.sqlite'),
      accounts: 300,
      seed: 11,
      tier: 'api-add-on',
      onStage: () => undefined,
      onProgress: () => undefined,
    });
  }, 240_000);
  afterAll(async () => {
    await result.close();
    await result.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs every company and learns from the tenant’s own outcomes', async () => {
    expect(result.synced.account).toBe(300);
    expect(await result.store.countRecords(result.tenantId, 'account')).toBe(300);
    expect(result.training.training.kind).toBe('learned');
    expect(result.training.training.positives + result.training.training.negatives).toBe(300);
    const active = await result.store.activeModel(result.tenantId, CHURN_TASK);
    expect(active?.version).toBe(result.training.version);
    // The training job also left the console's model metrics, current, for serve to read.
    expect(await storedModelEvaluation(result.store, result.tenantId)).toMatchObject({
      stale: false,
      evaluation: { activeVersion: result.training.version, accounts: 300 },
    });
  });

  it('reads the seeded tickets and activities with the shipped model, in both languages, and churning accounts sound angrier', async () => {
    const texts = await result.store.listAnalysedTexts(result.tenantId);
    expect(texts.length).toBeGreaterThan(300);
    expect(new Set(texts.map((t) => t.entity))).toEqual(new Set(['ticket', 'activity']));
    expect(texts.every((t) => t.modelId.startsWith('sentiment-bilingual@'))).toBe(true);
    expect(texts.some((t) => /[\u4e00-\u9fff]/.test(t.maskedText))).toBe(true);
    expect(texts.some((t) => /^[\x20-\x7e]+$/.test(t.maskedText))).toBe(true);
    // The seed's voice follows each account's fate (docs/sandbox.md); the model must hear it.
    const churned = new Set(
      (await result.store.listRecords(result.tenantId, 'account')).filter((a) => a.status === 'churned').map((a) => a.id as string),
    );
    const share = (list: typeof texts): number => list.filter((t) => t.label === 'negative').length / Math.max(1, list.length);
    const mean = (list: typeof texts): number => list.reduce((sum, t) => sum + t.score, 0) / Math.max(1, list.length);
    const [gone, kept] = [texts.filter((t) => churned.has(t.accountId)), texts.filter((t) => !churned.has(t.accountId))];
    // The shipped model hears the seeded difference only faintly (docs/text-models.md), but it must hear it.
    expect(share(gone)).toBeGreaterThan(share(kept));
    expect(mean(gone)).toBeLessThan(mean(kept));
  });

  it('scores every live account with the active model version and keeps the history', async () => {
    const live = (await result.store.listRecords(result.tenantId, 'account')).filter((a) => a.status === 'active');
    expect(result.scores.map((s) => s.accountId).sort()).toEqual(live.map((a) => a.id).sort());
    for (const s of result.scores) {
      expect(s.churn.model).toEqual({ name: CHURN_TASK, version: result.training.version, kind: 'learned' });
      expect(s.churn.drivers.length).toBeGreaterThan(0);
      expect(s.churn.drivers[0]?.text.zh).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await result.store.latestScores(result.tenantId)).toHaveLength(result.scores.length);
  });

  it('reads like a real book: ranked probabilities, every risky account explained and given an action or a reason, Chinese in Chinese', () => {
    const summary = summarizeBook(result.scores);
    expect(result.summary).toEqual(summary);
    expect(summary.accounts).toBeGreaterThan(150);
    // A smooth calibration: nearly every account has its own probability (a step function gave ~30).
    expect(summary.distinctProbabilities).toBeGreaterThanOrEqual(0.9 * summary.accounts);
    expect(summary.certain).toBe(0);
    expect(summary.aboveLow).toBeGreaterThan(20);
    expect(summary.aboveLowWithReasons).toBe(1);
    expect(summary.aboveLowWithActionOrReason).toBe(1);
    expect(summary.unknownReasons).toBe(0);
    expect(summary.zeroWidthIntervals).toBe(0);
    expect(summary.chineseTexts).toBeGreaterThan(summary.accounts);
    expect(summary.englishExamples).toEqual([]);
    expect(summary.chineseWithEnglish).toBe(0);
    // The demo is as of the day it runs, so its scores are fresh.
    expect(Math.abs(Date.parse(result.asOf) - Date.now())).toBeLessThan(3_600_000);
  });

  it('writes the scores into the CRM, and a second write-back changes nothing', async () => {
    expect(result.writeBack).toEqual({ written: result.scores.length, unchanged: 0, failed: [] });
    const companies = result.crm.hubspot!.state.portal.table('companies');
    for (const s of result.scores.slice(0, 50)) {
      const company = companies.get(s.accountId.replace('hubspot:', ''));
      expect(Number(company?.properties.se_churn_probability)).toBeCloseTo(s.churn.probability, 4);
      expect(company?.properties.se_risk_band).toBe(s.churn.band);
    }
    const again = await writeBackStep(result.store, result.connector, result.tenantId, result.scores, 100);
    expect(again).toEqual({ written: 0, unchanged: result.scores.length, failed: [] });
  });

  it('delivers each alert once, signed, and records it', async () => {
    expect(result.alerts.delivered).toBe(result.alerts.raised.length);
    expect(result.alerts.receivedVerified).toBe(result.alerts.raised.length);
    expect(await result.store.listAlerts(result.tenantId, 'delivered')).toHaveLength(result.alerts.raised.length);
    // First run: every account at or above the 60% threshold is raised or held back by a budget.
    const atRisk: string[] = result.scores.filter((s) => s.churn.probability >= 0.6).map((s) => s.accountId as string);
    const thresholdAlerts = result.alerts.raised.filter((a) => a.alert.rule === 'risk-threshold').map((a) => a.alert.accountId as string);
    expect(thresholdAlerts.every((id) => atRisk.includes(id))).toBe(true);
    expect(thresholdAlerts.length + result.alerts.suppressed).toBeGreaterThanOrEqual(atRisk.length);
  });
});
