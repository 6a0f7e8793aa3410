import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BullmqJobQueue } from '../../app/queue/bullmq-queue';
import { SETTING_KEYS } from '../../app/settings/tenant-settings';
import { DEFAULT_ALERT_RULES } from '../../engine/alerts/alert-rules';
import { redisUrl, uniquePrefix } from '../helpers/redis';
import { CONNECTION, SANDBOX_OAUTH, TENANT, exited, spawnWorker, startHarness, type Harness } from './pipeline-harness';

/**
 * The serve side is checked over the isolation matrix (http-isolation-matrix.test.ts); this is the
 * worker side: a whole pipeline run at debug level, through token refreshes, retried CRM faults and
 * signed alert deliveries, and not one credential in what the worker printed.
 */
describe('a worker’s logs at debug level', () => {
  let h: Harness;
  let worker: (ChildProcess & { output: () => string }) | undefined;
  afterAll(async () => {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await h?.close();
  });

  it('hold no access or refresh token, client secret, webhook secret, encryption key or bearer header', async () => {
    h = await startHarness({
      accounts: 400,
      seed: 12,
      companiesOnly: true,
      tier: 'api-add-on',
      oauth: true,
      // After the install (19 requests), a burst of 5xx longer than one call's retries fails a job (logged with its error).
      faults: {
        seed: 12,
        serverErrorRate: 0.05,
        dropRate: 0.03,
        answerLostRate: 0.03,
        expireTokensRate: 0.15,
        serverErrorBursts: [{ afterRequest: 20, count: 14 }],
      },
    });
    // A low risk threshold, so the run raises (and signs) alerts.
    await h.store.putTenantSetting(
      TENANT,
      SETTING_KEYS.alertRules,
      { ...DEFAULT_ALERT_RULES, riskThreshold: { enabled: true, threshold: 0.05 } },
      'test-admin',
    );
    h.workerEnv.LOG_LEVEL = 'debug';
    const prefix = uniquePrefix('logs');
    const producer = new BullmqJobQueue({ redisUrl: redisUrl(), prefix });
    try {
      worker = spawnWorker(h, redisUrl(), prefix);
      await producer.enqueue('sync.start', {
        tenantId: TENANT,
        connectionId: CONNECTION,
        mode: 'backfill',
        entities: ['account'],
        train: true,
        asOf: h.asOf,
        runId: 'logs',
      });
      await producer.waitForIdle({ timeoutMs: 240_000, pollMs: 250 });
      worker.kill('SIGTERM');
      await exited(worker);
    } finally {
      await producer.close();
    }

    // The run went through what puts credentials at risk of being logged.
    const injected = h.sandbox.state.faults.injected;
    expect(injected['expired-tokens']).toBeGreaterThan(0);
    expect(injected['server-error'] + injected.drop + injected['answer-lost']).toBeGreaterThan(0);
    expect(h.alertPosts.size).toBeGreaterThan(0);
    const logs = worker.output();
    expect(logs).toMatch(/"level":20,.*"msg":"job completed"/); // debug lines were written
    expect(logs).toMatch(/"level":40,.*"msg":"job failed"/); // and a failed job with its error

    const settings = JSON.parse(readFileSync(h.settingsPath, 'utf8')) as {
      tenants: { alertWebhooks: { default: { secret: string } } }[];
    };
    const secrets = [SANDBOX_OAUTH.clientSecret, settings.tenants[0]?.alertWebhooks.default.secret ?? '', h.keyHex];
    expect(secrets.filter((s) => s.length < 16)).toEqual([]);
    expect(secrets.filter((s) => logs.includes(s))).toEqual([]);
    // Every access and refresh token the sandbox issues has this shape.
    expect(logs.match(/sbx-(at|rt)-[\w-]+/g) ?? []).toEqual([]);
    expect(logs.match(/bearer\s+\S{8,}/gi) ?? []).toEqual([]);
  }, 300_000);
});
