import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** How a queue job ended: `completed`, `failed` (will retry), `dead-lettered`, `rate-limited`. */
export type JobOutcome = 'completed' | 'failed' | 'dead-lettered' | 'rate-limited';

/** How one CRM API call ended, as the connectors' retry policy sees it. */
export type CrmCallOutcome = 'ok' | 'rate-limited' | 'error' | 'auth-expired';

/** What happened to one inbound CRM event. */
export type InboundOutcome = 'enqueued' | 'duplicate' | 'unknown-org' | 'ignored-type' | 'queue-down';

/**
 * The Prometheus metrics of one process. Each process builds its own registry, so tests and
 * several servers in one process never share counters. Tenant ids are labels: a deployment has
 * tens to hundreds of tenants, not millions, so the cardinality stays bounded.
 */
export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'se_' });
  const driftSeries = new Map<string, Set<string>>();
  const m = {
    registry,
    httpDuration: new Histogram({
      name: 'se_http_request_duration_seconds',
      help: 'HTTP request duration by route and status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobs: new Counter({
      name: 'se_jobs_total',
      help: 'Queue jobs by queue and outcome.',
      labelNames: ['queue', 'outcome'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'se_job_duration_seconds',
      help: 'Queue job duration by queue and outcome.',
      labelNames: ['queue', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    crmCalls: new Counter({
      name: 'se_crm_calls_total',
      help: 'CRM API calls by provider and outcome.',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),
    crmCallDuration: new Histogram({
      name: 'se_crm_call_duration_seconds',
      help: 'CRM API call latency by provider.',
      labelNames: ['provider'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    crmBudgetUsed: new Gauge({
      name: 'se_crm_budget_used_ratio',
      help: 'Share of the CRM API allowance used, by tenant and provider.',
      labelNames: ['tenant', 'provider'] as const,
      registers: [registry],
    }),
    churnProbability: new Histogram({
      name: 'se_churn_probability',
      help: 'Distribution of scored churn probabilities.',
      labelNames: ['tenant'] as const,
      buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
      registers: [registry],
    }),
    featureDrift: new Gauge({
      name: 'se_feature_psi',
      help: 'Population stability index per feature between the active model’s training data and the newest scoring batch.',
      labelNames: ['tenant', 'feature'] as const,
      registers: [registry],
    }),
    inboundEvents: new Counter({
      name: 'se_inbound_events_total',
      help: 'Inbound CRM events by provider and outcome.',
      labelNames: ['provider', 'outcome'] as const,
      registers: [registry],
    }),

    /** One finished job attempt: the worker calls this from its completed/failed handlers. */
    recordJob(queue: string, outcome: JobOutcome, seconds: number): void {
      m.jobs.inc({ queue, outcome });
      if (Number.isFinite(seconds) && seconds >= 0) m.jobDuration.observe({ queue, outcome }, seconds);
    },
    /** One CRM API call; `seconds` when known. */
    recordCrmCall(provider: string, outcome: CrmCallOutcome, seconds?: number): void {
      m.crmCalls.inc({ provider, outcome });
      if (seconds !== undefined && Number.isFinite(seconds) && seconds >= 0) m.crmCallDuration.observe({ provider }, seconds);
    },
    /** Share (0–1) of the tenant's CRM allowance used in the current window. */
    setCrmBudgetUsed(tenant: string, provider: string, ratio: number): void {
      if (Number.isFinite(ratio)) m.crmBudgetUsed.set({ tenant, provider }, Math.max(0, ratio));
    },
    /** A scoring batch: every churn probability goes into the tenant's histogram. */
    observeChurnScores(tenant: string, probabilities: Iterable<number>): void {
      const child = m.churnProbability.labels({ tenant });
      for (const p of probabilities) if (Number.isFinite(p)) child.observe(p);
    },
    /** PSI per feature for one tenant; features no longer reported are removed. */
    setFeatureDrift(tenant: string, psiByFeature: Readonly<Record<string, number>>): void {
      // Drop the tenant's old series first, so a feature the model no longer uses disappears.
      for (const feature of driftSeries.get(tenant) ?? []) m.featureDrift.remove({ tenant, feature });
      const now = new Set<string>();
      for (const [feature, psi] of Object.entries(psiByFeature)) {
        if (!Number.isFinite(psi)) continue;
        m.featureDrift.set({ tenant, feature }, psi);
        now.add(feature);
      }
      driftSeries.set(tenant, now);
    },
    recordInbound(provider: string, outcome: InboundOutcome, count = 1): void {
      if (count > 0) m.inboundEvents.inc({ provider, outcome }, count);
    },
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

let processMetrics: Metrics | undefined;

/**
 * The metrics of this process, for code far from the composition root (a worker's job
 * handlers, a connector hook). `serve` and `worker` expose this registry on /metrics.
 */
export function defaultMetrics(): Metrics {
  processMetrics ??= createMetrics();
  return processMetrics;
}

/** `recordJob(queue, outcome, seconds)` on the process metrics: for the worker's job events. */
export function recordJob(queue: string, outcome: JobOutcome, seconds: number, metrics: Metrics = defaultMetrics()): void {
  metrics.recordJob(queue, outcome, seconds);
}

export function recordCrmCall(provider: string, outcome: CrmCallOutcome, seconds?: number, metrics: Metrics = defaultMetrics()): void {
  metrics.recordCrmCall(provider, outcome, seconds);
}

export function observeChurnScores(tenant: string, probabilities: Iterable<number>, metrics: Metrics = defaultMetrics()): void {
  metrics.observeChurnScores(tenant, probabilities);
}
