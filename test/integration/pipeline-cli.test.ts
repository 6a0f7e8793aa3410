import { DEFAULT_ALERT_RULES } from '../../engine/alerts/alert-rules';
import { SETTING_KEYS } from '../../app/settings/tenant-settings';
import { runCliWithEnv } from '../helpers/run-cli';
import { CONNECTION, TENANT, startHarness, type Harness } from './pipeline-harness';

/** `success-engine sync` and `score` without REDIS_URL: the same processors, run in the calling process. */
describe('sync and score commands in-process', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ accounts: 150, seed: 5, companiesOnly: true, tier: 'api-add-on' });
  }, 120_000);
  afterAll(() => h.close());

  it('sync --mode backfill pulls, scores and writes back every live company once; score re-writes nothing unchanged', async () => {
    const env = { ...h.workerEnv, REDIS_URL: '' };
    const sync = await runCliWithEnv(
      env,
      'sync',
      CONNECTION,
      '--tenant',
      TENANT,
      '--mode',
      'backfill',
      '--entities',
      'account',
      '--settings',
      h.settingsPath,
      '--json',
    );
    expect(sync.code).toBe(0);
    const outcome = JSON.parse(sync.stdout) as { mode: string; completed: Record<string, number>; deadLetters: unknown[] };
    expect(outcome.mode).toBe('in-process');
    expect(outcome.deadLetters).toEqual([]);
    expect(outcome.completed['sync.page']).toBe(2);
    expect(sync.stderr).toMatch(/No REDIS_URL/);
    const scored = (await h.store.latestScores(TENANT)).map((s) => s.accountId.replace(/^hubspot:/, ''));
    expect(scored.length).toBeGreaterThan(0);
    expect([...h.writes.keys()].sort()).toEqual([...scored].sort());
    expect([...h.writes.values()].every((n) => n === 1)).toBe(true);

    const score = await runCliWithEnv(
      env,
      'score',
      TENANT,
      '--connection',
      CONNECTION,
      '--as-of',
      (await h.store.latestScores(TENANT))[0]?.computedAt ?? '',
      '--json',
    );
    expect(score.code).toBe(0);
    expect((JSON.parse(score.stdout) as { completed: Record<string, number> }).completed['writeback.batch']).toBeGreaterThan(0);
    expect([...h.writes.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);

  it('names what the portal lacks after an admin maps ARR to a property it does not have, and the sync still succeeds', async () => {
    const env = { ...h.workerEnv, REDIS_URL: '' };
    await h.store.putTenantSetting(TENANT, SETTING_KEYS.fieldMapping, { hubspot: { arr: { field: 'contract_value_eur' } } }, 'test');
    try {
      const args = ['sync', CONNECTION, '--tenant', TENANT, '--mode', 'incremental', '--entities', 'account', '--settings', h.settingsPath];
      const json = await runCliWithEnv(env, ...args, '--json');
      expect(json.code).toBe(0);
      const outcome = JSON.parse(json.stdout) as {
        deadLetters: unknown[];
        findings: { finding: { code: string; object: string; property?: string } }[];
      };
      expect(outcome.deadLetters).toEqual([]);
      expect(outcome.findings.map((s) => s.finding)).toContainEqual(
        expect.objectContaining({ code: 'CONNECTOR.PROPERTY_MISSING', object: 'companies', property: 'contract_value_eur' }),
      );
      const text = await runCliWithEnv(env, ...args);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/did not let this run read \d+ item\(s\)/);
      expect(text.stdout).toMatch(/CRM 未允许本次运行读取 \d+ 项内容/);
      expect(text.stdout).toContain('CONNECTOR.PROPERTY_MISSING companies.contract_value_eur');
    } finally {
      await h.store.putTenantSetting(TENANT, SETTING_KEYS.fieldMapping, {}, 'test');
    }
  }, 180_000);

  it('score on an unknown tenant names the store it looked in, by the variable that chose it', async () => {
    const r = await runCliWithEnv({ ...h.workerEnv, REDIS_URL: '' }, 'score', 'no-such-tenant');
    expect(r.code).toBe(1);
    const [variable, location] = h.workerEnv.SE_DATABASE_URL
      ? ['SE_DATABASE_URL', new URL(h.workerEnv.SE_DATABASE_URL).pathname.slice(1)]
      : ['SE_DATABASE_PATH', String(h.workerEnv.SE_DATABASE_PATH)];
    expect(r.stderr).toContain(`(${variable})`);
    expect(r.stderr).toContain(location);
    expect(r.stderr).toContain(TENANT);
  });

  it('rejects a bad --mode with exit 2', async () => {
    const r = await runCliWithEnv({ ...h.workerEnv, REDIS_URL: '' }, 'sync', CONNECTION, '--tenant', TENANT, '--mode', 'sometimes');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--mode/);
  });
});

/** Alerts nobody can receive are failures the command shows, not a success with an empty dead-letter list. */
describe('sync without an alert webhook for the tenant', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ accounts: 300, seed: 6, companiesOnly: true, tier: 'api-add-on' });
  }, 120_000);
  afterAll(() => h.close());

  it('exits 1 and prints each undeliverable alert with what to configure', async () => {
    // The admin set a low risk threshold (as the console would), so the first scores raise alerts; no --settings names a webhook.
    await h.store.putTenantSetting(
      TENANT,
      SETTING_KEYS.alertRules,
      { ...DEFAULT_ALERT_RULES, riskThreshold: { enabled: true, threshold: 0.05 } },
      'test-admin',
    );
    // Each dead letter is also logged at warn; the test reads the command's own report.
    const env = { ...h.workerEnv, REDIS_URL: '', LOG_LEVEL: 'error' };
    const sync = await runCliWithEnv(env, 'sync', CONNECTION, '--tenant', TENANT, '--mode', 'backfill', '--entities', 'account', '--train');
    expect(sync.code).toBe(1);
    const alerts = await h.store.listAlerts(TENANT);
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.filter((a) => a.status === 'delivered')).toEqual([]);
    expect(sync.stdout).toContain(`${alerts.length} job(s) failed for good`);
    const failed = sync.stdout.split('\n').filter((l) => l.startsWith('  alert.deliver '));
    expect(failed).toHaveLength(alerts.length);
    for (const line of failed) {
      expect(line).toMatch(/was not delivered: no webhook endpoint/);
      expect(line).toMatch(/configure alertWebhooks for tenant pipeline-test/);
    }
    // Only the alerts failed: the scores were written back.
    expect(h.writes.size).toBeGreaterThan(0);
  }, 180_000);
});
