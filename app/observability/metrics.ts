import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The Prometheus metrics of one process. Each process builds its own registry, so tests and
 * several servers in one process never share counters.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'se_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'se_http_request_duration_seconds',
      help: 'HTTP request duration by route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobs: new Counter({ name: 'se_jobs_total', help: 'Queue jobs by queue and outcome.', labelNames: ['queue', 'outcome'] as const, registers: [registry] }),
    jobDuration: new Histogram({ name: 'se_job_duration_seconds', help: 'Queue job duration by queue.', labelNames: ['queue'] as const, buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60], registers: [registry] }),
    crmCalls: new Counter({ name: 'se_crm_calls_total', help: 'CRM API calls by provider and outcome.', labelNames: ['provider', 'outcome'] as const, registers: [registry] }),
    crmBudgetUsed: new Gauge({ name: 'se_crm_budget_used_ratio', help: 'Share of the CRM API allowance used, by tenant and provider.', labelNames: ['tenant', 'provider'] as const, registers: [registry] }),
    churnProbability: new Histogram({ name: 'se_churn_probability', help: 'Distribution of scored churn probabilities.', labelNames: ['tenant'] as const, buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9], registers: [registry] }),
    featureDrift: new Gauge({ name: 'se_feature_psi', help: 'Population stability index per feature between the active and previous model version.', labelNames: ['tenant', 'feature'] as const, registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
