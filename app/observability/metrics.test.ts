import { createMetrics } from './metrics';
import { startMetricsServer } from './metrics-server';

describe('process metrics', () => {
  it('records jobs by queue and outcome, with durations', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.recordJob('sync.page', 'completed', 0.2);
    m.recordJob('sync.page', 'completed', 3);
    m.recordJob('sync.page', 'failed', 1);
    m.recordJob('score.batch', 'dead-lettered', Number.NaN);
    const text = await m.registry.metrics();
    expect(text).toContain('se_jobs_total{queue="sync.page",outcome="completed"} 2');
    expect(text).toContain('se_jobs_total{queue="score.batch",outcome="dead-lettered"} 1');
    expect(text).toContain('se_job_duration_seconds_sum{queue="sync.page",outcome="completed"} 3.2');
    expect(text).toContain('se_job_duration_seconds_count{queue="sync.page",outcome="failed"} 1');
    expect(text).not.toContain('se_job_duration_seconds_count{queue="score.batch"');
  });

  it('records CRM calls and budget, and the churn distribution per tenant', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.recordCrmCall('hubspot', 'ok', 0.12);
    m.recordCrmCall('hubspot', 'rate-limited');
    m.setCrmBudgetUsed('t1', 'hubspot', 0.42);
    m.observeChurnScores('t1', [0.03, 0.55, 0.95, Number.NaN]);
    const text = await m.registry.metrics();
    expect(text).toContain('se_crm_calls_total{provider="hubspot",outcome="rate-limited"} 1');
    expect(text).toContain('se_crm_call_duration_seconds_count{provider="hubspot"} 1');
    expect(text).toContain('se_crm_budget_used_ratio{tenant="t1",provider="hubspot"} 0.42');
    expect(text).toContain('se_churn_probability_bucket{le="0.05",tenant="t1"} 1');
    expect(text).toContain('se_churn_probability_bucket{le="0.6",tenant="t1"} 2');
    expect(text).toContain('se_churn_probability_count{tenant="t1"} 3');
  });

  it('replaces a tenant’s drift series, dropping features no longer reported', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setFeatureDrift('t1', { seats: 0.3, arr: 0.01 });
    m.setFeatureDrift('t2', { seats: 0.05 });
    m.setFeatureDrift('t1', { seats: 0.12 });
    const text = await m.registry.getSingleMetricAsString('se_feature_psi');
    expect(text).toContain('se_feature_psi{tenant="t1",feature="seats"} 0.12');
    expect(text).not.toContain('feature="arr"');
    expect(text).toContain('se_feature_psi{tenant="t2",feature="seats"} 0.05');
  });
});

describe('metrics server for workers', () => {
  it('serves the registry on /metrics and 404 elsewhere', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.recordJob('alert.deliver', 'completed', 0.01);
    const server = await startMetricsServer(m, '127.0.0.1', 0);
    try {
      expect(await (await fetch(server.url)).text()).toContain('se_jobs_total{queue="alert.deliver",outcome="completed"} 1');
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
