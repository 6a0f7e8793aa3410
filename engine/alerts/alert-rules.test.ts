import {
  alertIdempotencyKey,
  DEFAULT_ALERT_RULES,
  evaluateAlerts,
  matchRules,
  toHistory,
  type AlertRulesConfig,
  type AlertSignals,
} from './alert-rules';

const NOW = new Date('2026-06-01T12:00:00Z');
const quiet: AlertRulesConfig = {
  ...DEFAULT_ALERT_RULES,
  riskThreshold: { enabled: false, threshold: 0.6 },
  riskJump: { enabled: false, points: 15 },
  clvAtRisk: { enabled: false, minAmount: 50_000 },
  sentimentSpike: { enabled: false, minNegative: 3, ratio: 2 },
};

type Overrides = { [K in keyof AlertSignals]?: AlertSignals[K] | undefined };

function signals(overrides: Overrides = {}, p = 0.5, prev = 0.5): AlertSignals {
  const out: Record<string, unknown> = {
    tenantId: 't1',
    accountId: 'a1',
    accountName: 'Acme',
    ownerId: 'u1',
    current: {
      churnProbability: p,
      band: p >= 0.8 ? 'critical' : p >= 0.5 ? 'high' : 'low',
      clv: 10_000,
      currency: 'USD',
      scoredAt: '2026-06-01T00:00:00Z',
    },
    previous: { churnProbability: prev, clv: 10_000, scoredAt: '2026-05-25T00:00:00Z' },
    ...overrides,
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out as unknown as AlertSignals;
}

describe('alert rules', () => {
  it('fires risk-threshold when risk crosses upward, or on a first score already above it', () => {
    const cfg = { ...quiet, riskThreshold: { enabled: true, threshold: 0.6 } };
    expect(matchRules(signals({}, 0.65, 0.55), cfg).map((c) => c.rule)).toEqual(['risk-threshold']);
    expect(matchRules(signals({}, 0.7, 0.65), cfg)).toEqual([]);
    expect(matchRules(signals({}, 0.55, 0.65), cfg)).toEqual([]);
    const first = matchRules(signals({ previous: undefined }, 0.9), cfg);
    expect(first.map((c) => c.rule)).toEqual(['risk-threshold']);
    expect(first[0]?.reasons[0]?.en).toBe('First score: churn risk is 90%');
    expect(matchRules(signals({ previous: undefined }, 0.5), cfg)).toEqual([]);
  });

  it('fires risk-jump at X points or more', () => {
    const cfg = { ...quiet, riskJump: { enabled: true, points: 15 } };
    expect(matchRules(signals({}, 0.35, 0.2), cfg).map((c) => c.rule)).toEqual(['risk-jump']);
    expect(matchRules(signals({}, 0.34, 0.2), cfg)).toEqual([]);
  });

  it('fires clv-at-risk above Y with severity by size', () => {
    const cfg = { ...quiet, clvAtRisk: { enabled: true, minAmount: 50_000 } };
    const big = signals({ current: { churnProbability: 0.5, band: 'high', clv: 120_000, scoredAt: '2026-06-01T00:00:00Z' } });
    const huge = signals({ current: { churnProbability: 0.5, band: 'high', clv: 500_000, scoredAt: '2026-06-01T00:00:00Z' } });
    expect(matchRules(big, cfg)[0]).toMatchObject({ rule: 'clv-at-risk', severity: 'warning' });
    expect(matchRules(huge, cfg)[0]).toMatchObject({ rule: 'clv-at-risk', severity: 'critical' });
    expect(matchRules(signals(), cfg)).toEqual([]);
  });

  it('fires a sentiment spike against the weekly baseline', () => {
    const cfg = { ...quiet, sentimentSpike: { enabled: true, minNegative: 3, ratio: 2 } };
    expect(matchRules(signals({ sentiment: { negativeLast7Days: 6, totalLast7Days: 10, negativeWeeklyBaseline: 2 } }), cfg)[0]?.rule).toBe(
      'sentiment-spike',
    );
    expect(matchRules(signals({ sentiment: { negativeLast7Days: 5, totalLast7Days: 10, negativeWeeklyBaseline: 3 } }), cfg)).toEqual([]);
    expect(matchRules(signals({ sentiment: { negativeLast7Days: 2, totalLast7Days: 2, negativeWeeklyBaseline: 0 } }), cfg)).toEqual([]);
  });
});

describe('evaluateAlerts', () => {
  const cfg = { ...quiet, riskJump: { enabled: true, points: 15 } };

  it('builds bilingual alerts routed to the owner, or the team without one', () => {
    const { alerts } = evaluateAlerts(
      [signals({}, 0.9, 0.5), signals({ accountId: 'a2', ownerId: undefined, team: 'emea' }, 0.9, 0.5)],
      [],
      cfg,
      NOW,
    );
    expect(alerts.map((a) => a.target)).toEqual(expect.arrayContaining(['owner:u1', 'team:emea']));
    const a = alerts.find((r) => r.target === 'owner:u1')?.alert;
    expect(a?.title.en).toContain('jumped 40 points');
    expect(a?.title.zh).toContain('40 个百分点');
    expect(a?.severity).toBe('critical');
    expect(a?.idempotencyKey).toBe(alertIdempotencyKey('t1', 'a1', 'risk-jump', '2026-06-01T00:00:00Z'));
    const teamOnly = evaluateAlerts([signals({}, 0.9, 0.5)], [], { ...cfg, routing: { mode: 'team', defaultTeam: 'cs' } }, NOW);
    expect(teamOnly.alerts[0]?.target).toBe('team:cs');
  });

  it('dedupes a re-run of the same score and holds the rule in cooldown for the next scores', () => {
    const first = evaluateAlerts([signals({}, 0.9, 0.5)], [], cfg, NOW);
    expect(first.alerts).toHaveLength(1);
    const history = toHistory(first.alerts);
    const again = evaluateAlerts([signals({}, 0.9, 0.5)], history, cfg, NOW);
    expect(again.alerts).toEqual([]);
    expect(again.suppressed[0]?.reason).toBe('duplicate');

    const nextScore = signals(
      { current: { churnProbability: 0.95, band: 'critical', clv: 1, scoredAt: '2026-06-03T00:00:00Z' } },
      0.95,
      0.7,
    );
    const inCooldown = evaluateAlerts([nextScore], history, cfg, new Date('2026-06-03T12:00:00Z'));
    expect(inCooldown.suppressed[0]?.reason).toBe('cooldown');
    const later = evaluateAlerts([nextScore], history, cfg, new Date('2026-06-09T12:00:00Z'));
    expect(later.alerts).toHaveLength(1);
  });

  it('spends the weekly budget per owner on the most important alerts first', () => {
    const accounts = [
      signals(
        { accountId: 'small', current: { churnProbability: 0.6, band: 'high', clv: 1_000, scoredAt: '2026-06-01T00:00:00Z' } },
        0.6,
        0.3,
      ),
      signals(
        { accountId: 'crit', current: { churnProbability: 0.9, band: 'critical', clv: 1_000, scoredAt: '2026-06-01T00:00:00Z' } },
        0.9,
        0.3,
      ),
      signals(
        { accountId: 'big', current: { churnProbability: 0.6, band: 'high', clv: 900_000, scoredAt: '2026-06-01T00:00:00Z' } },
        0.6,
        0.3,
      ),
      signals({ accountId: 'other-owner', ownerId: 'u2' }, 0.6, 0.3),
    ];
    const { alerts, suppressed } = evaluateAlerts(accounts, [], { ...cfg, weeklyBudgetPerOwner: 2 }, NOW);
    expect(alerts.map((a) => a.alert.accountId)).toEqual(['crit', 'big', 'other-owner']);
    expect(suppressed).toEqual([expect.objectContaining({ accountId: 'small', reason: 'budget', target: 'owner:u1' })]);

    const earlier = [
      { tenantId: 't1', accountId: 'x', rule: 'risk-jump', target: 'owner:u1', raisedAt: '2026-05-30T00:00:00Z', idempotencyKey: 'old' },
    ];
    const limited = evaluateAlerts(accounts, earlier, { ...cfg, weeklyBudgetPerOwner: 2 }, NOW);
    expect(limited.alerts.filter((a) => a.target === 'owner:u1').map((a) => a.alert.accountId)).toEqual(['crit']);
  });

  it('counts the alerts an interrupted attempt already raised against the budget, so its retry raises no more', () => {
    const accounts = [
      signals(
        { accountId: 'a', current: { churnProbability: 0.9, band: 'critical', clv: 1_000, scoredAt: '2026-06-01T00:00:00Z' } },
        0.9,
        0.3,
      ),
      signals({ accountId: 'b', current: { churnProbability: 0.6, band: 'high', clv: 1_000, scoredAt: '2026-06-01T00:00:00Z' } }, 0.6, 0.3),
    ];
    const budget = { ...cfg, weeklyBudgetPerOwner: 1 };
    const first = evaluateAlerts(accounts, [], budget, NOW);
    expect(first.alerts.map((a) => a.alert.accountId)).toEqual(['a']);
    // Recorded on the real clock, after the run's as-of instant.
    const recorded = toHistory(first.alerts).map((h) => ({ ...h, raisedAt: '2026-06-01T12:05:00Z' }));
    const retry = evaluateAlerts(accounts, recorded, budget, NOW);
    expect(retry.alerts).toEqual([]);
    expect(retry.suppressed.map((s) => [s.accountId, s.reason])).toEqual([
      ['a', 'duplicate'],
      ['b', 'budget'],
    ]);
  });
});
