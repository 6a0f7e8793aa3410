import { NextBestActionSchema } from '../../core';
import { buildActionCatalog, DEFAULT_ACTION_CATALOG } from './action-catalog';
import type { ActionOutcome } from './action-outcomes';
import { arbitrate, noActionReason, scoreAction } from './arbitration';
import { checkEligibility } from './eligibility';
import { holdoutBucket, isInHoldout } from './holdout';
import type { AccountSignals, ActionDefinition, ActionHistoryEntry } from './nba.types';

const NOW = new Date('2026-06-01T12:00:00Z');

function account(overrides: Partial<AccountSignals> = {}): AccountSignals {
  return {
    tenantId: 't1',
    accountId: 'a1',
    ownerId: 'csm-1',
    churnProbability: 0.7,
    riskBand: 'high',
    clv: 100_000,
    currency: 'USD',
    segment: 'enterprise',
    openTickets: 5,
    daysToRenewal: 60,
    seatUtilization: 0.4,
    tenureDays: 400,
    churned: false,
    ...overrides,
  };
}

function action(id: string, overrides: Partial<ActionDefinition> = {}): ActionDefinition {
  return {
    id,
    title: { en: id, zh: id },
    channel: 'call',
    ownerRole: 'csm',
    cost: 0,
    businessWeight: 1,
    valueBasis: 'retention',
    expectedUplift: 0.1,
    priorPropensity: 0.5,
    cooldownDays: 30,
    eligibility: {},
    enabled: true,
    ...overrides,
  };
}

describe('eligibility', () => {
  it('names every failed condition', () => {
    const a = action('x', { eligibility: { riskBands: ['critical'], clv: { min: 200_000 }, openTickets: { min: 10 }, segments: ['smb'] } });
    const result = checkEligibility(a, account());
    expect(result.eligible).toBe(false);
    expect(result.failures.map((f) => f.condition).sort()).toEqual(['clv', 'openTickets', 'riskBands', 'segments']);
    for (const f of result.failures) expect(f.text.zh.length).toBeGreaterThan(0);
  });

  it('requires a known renewal date when the rule asks for one, and bounds are inclusive', () => {
    const a = action('x', { eligibility: { daysToRenewal: { min: 0, max: 90 } } });
    expect(checkEligibility(a, account({ daysToRenewal: null })).eligible).toBe(false);
    expect(checkEligibility(a, account({ daysToRenewal: 90 })).eligible).toBe(true);
    expect(checkEligibility(a, account({ daysToRenewal: 91 })).eligible).toBe(false);
  });

  it('offers win-back only to churned accounts and nothing else to them', () => {
    const catalog = buildActionCatalog();
    const churned = account({ churned: true, riskBand: 'critical', churnProbability: 0.99 });
    const eligible = catalog.filter((a) => checkEligibility(a, churned).eligible).map((a) => a.id);
    expect(eligible).toEqual(['win-back-offer', 'win-back-email']);
    expect(catalog.filter((a) => eligible.includes(a.id)).every((a) => a.eligibility.churned === true)).toBe(true);
    const winBack = catalog.find((a) => a.id === 'win-back-offer') as ActionDefinition;
    expect(checkEligibility(winBack, account()).eligible).toBe(false);
  });

  it('matches segments case-insensitively and honours disabled actions', () => {
    expect(checkEligibility(action('x', { eligibility: { segments: ['Enterprise'] } }), account()).eligible).toBe(true);
    expect(checkEligibility(action('x', { enabled: false }), account()).eligible).toBe(false);
  });
});

describe('catalog', () => {
  it('has the B2B defaults with bilingual titles', () => {
    const ids = DEFAULT_ACTION_CATALOG.map((a) => a.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'executive-sponsor-call',
        'business-review',
        'training-session',
        'support-escalation',
        'renewal-offer',
        'seat-upsell',
        'win-back-offer',
        'onboarding-check-in',
      ]),
    );
    for (const a of DEFAULT_ACTION_CATALOG) expect(a.title.zh).not.toEqual(a.title.en);
  });

  it('sends high-touch actions to large accounts and tech-touch ones to the long tail', () => {
    const large = account({ accountId: 'large', clv: 100_000, churnProbability: 0.8, riskBand: 'critical' });
    const small = account({
      accountId: 'small',
      clv: 1_500,
      churnProbability: 0.6,
      riskBand: 'high',
      seatUtilization: null,
      daysToRenewal: null,
      openTickets: 0,
    });
    const { decisions } = arbitrate([large, small], DEFAULT_ACTION_CATALOG, { now: NOW, holdoutRate: 0, topK: 2 });
    const top = (id: string) => decisions.find((d) => d.accountId === id)?.actions.map((a) => a.actionId) ?? [];
    expect(top('large')[0]).toBe('executive-sponsor-call');
    expect(top('small')).toEqual(['retention-email']);
    const channels = top('small').map((id) => DEFAULT_ACTION_CATALOG.find((a) => a.id === id)?.channel);
    expect(channels.every((c) => c === 'email' || c === 'in-app')).toBe(true);
  });

  it('patches defaults by id, appends new actions and rejects bad fields by name', () => {
    const custom = action('custom-gift');
    const catalog = buildActionCatalog([{ id: 'renewal-offer', cost: 5, eligibility: { riskBands: ['critical'] } }, custom]);
    const renewal = catalog.find((a) => a.id === 'renewal-offer');
    expect(renewal?.cost).toBe(5);
    expect(renewal?.eligibility).toEqual({ riskBands: ['critical'], daysToRenewal: { min: 0, max: 90 } });
    expect(catalog.at(-1)?.id).toBe('custom-gift');
    expect(() => buildActionCatalog([{ id: 'renewal-offer', expectedUplift: 3 }])).toThrow(/expectedUplift/);
  });
});

describe('arbitration', () => {
  const noHoldout = { now: NOW, holdoutRate: 0 };

  it('orders by propensity × value × uplift × weight − cost, with catalog order breaking ties', () => {
    const catalog = [
      action('cheap-weak', { expectedUplift: 0.05 }),
      action('strong', { expectedUplift: 0.2 }),
      action('strong-but-costly', { expectedUplift: 0.2, cost: 5_000 }),
      action('tie-strong', { expectedUplift: 0.2 }),
    ];
    const { decisions } = arbitrate([account()], catalog, { ...noHoldout, topK: 4 });
    const ids = decisions[0]?.actions.map((a) => a.actionId);
    // strong: 0.5 × 70,000 × 0.2 = 7,000; costly: 2,000; weak: 1,750.
    expect(ids).toEqual(['strong', 'tie-strong', 'strong-but-costly', 'cheap-weak']);
    expect(decisions[0]?.actions.map((a) => a.rank)).toEqual([1, 2, 3, 4]);
    const scores = decisions[0]?.actions.map((a) => a.score) ?? [];
    expect(scores[0]).toBeCloseTo(0.5 * 70_000 * 0.2, 6);
    for (const a of decisions[0]?.actions ?? []) expect(() => NextBestActionSchema.parse(a)).not.toThrow();
  });

  it('drops actions whose expected value does not cover their cost and keeps only the top k', () => {
    const catalog = [
      action('a', { expectedUplift: 0.3 }),
      action('b', { expectedUplift: 0.2 }),
      action('c', { expectedUplift: 0.1 }),
      action('loss', { cost: 1e9 }),
    ];
    const { decisions } = arbitrate([account()], catalog, { ...noHoldout, topK: 2 });
    expect(decisions[0]?.actions.map((a) => a.actionId)).toEqual(['a', 'b']);
    expect(decisions[0]?.skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ actionId: 'c', reason: 'top-k' }),
        expect.objectContaining({ actionId: 'loss', reason: 'not-worth-it' }),
      ]),
    );
  });

  it('leaves out why ineligible actions were skipped when asked, and decides the same', () => {
    const catalog = [action('a'), action('win-back', { eligibility: { churned: true } }), action('b', { expectedUplift: 0.05 })];
    const accounts = [account(), account({ accountId: 'a2', churnProbability: 0.2, riskBand: 'medium' })];
    const full = arbitrate(accounts, catalog, noHoldout);
    const lean = arbitrate(accounts, catalog, { ...noHoldout, explainIneligible: false });
    expect(full.decisions[0]?.skipped.some((s) => s.reason === 'ineligible')).toBe(true);
    expect(lean.decisions.flatMap((d) => d.skipped).some((s) => s.reason === 'ineligible')).toBe(false);
    expect(lean.decisions.map((d) => d.actions)).toEqual(full.decisions.map((d) => d.actions));
    expect(lean.assignments).toEqual(full.assignments);
  });

  it('uses a learned propensity once enough outcomes exist', () => {
    const a = action('x');
    const outcomes: ActionOutcome[] = Array.from({ length: 40 }, (_, i) => ({
      tenantId: 't1',
      accountId: `h${i}`,
      actionId: 'x',
      arm: 'treatment',
      recommendedAt: '2026-01-01T00:00:00Z',
      status: i < 36 ? 'completed' : 'dismissed',
      completedAt: null,
      source: 'crm-task',
      retained: null,
    }));
    const prior = arbitrate([account()], [a], { ...noHoldout, minObservations: 30 });
    const learned = arbitrate([account()], [a], { ...noHoldout, outcomes, minObservations: 30 });
    const p = learned.decisions[0]?.actions[0]?.propensity;
    expect(prior.decisions[0]?.actions[0]?.propensity.source).toBe('prior');
    expect(p?.source).toBe('learned');
    expect(p?.propensity).toBeCloseTo((36 + 0.5 * 10) / (40 + 10), 10);
    expect(learned.decisions[0]?.actions[0]?.score).toBeGreaterThan(prior.decisions[0]?.actions[0]?.score ?? Infinity);
  });

  it('respects cooldowns from history and lets the action back after the cooldown', () => {
    const a = action('x', { cooldownDays: 30 });
    const recent: ActionHistoryEntry = {
      tenantId: 't1',
      accountId: 'a1',
      actionId: 'x',
      ownerId: 'csm-1',
      assignedAt: '2026-05-10T12:00:00Z',
      arm: 'treatment',
    };
    const blocked = arbitrate([account()], [a], { ...noHoldout, history: [recent] });
    expect(blocked.decisions[0]?.actions).toEqual([]);
    expect(blocked.decisions[0]?.skipped[0]).toMatchObject({ actionId: 'x', reason: 'cooldown' });
    const old = { ...recent, assignedAt: '2026-05-01T12:00:00Z' };
    expect(arbitrate([account()], [a], { ...noHoldout, history: [old] }).decisions[0]?.actions).toHaveLength(1);
    // Another account is not affected by a1's cooldown.
    expect(arbitrate([account({ accountId: 'a2' })], [a], { ...noHoldout, history: [recent] }).decisions[0]?.actions).toHaveLength(1);
  });

  it('caps actions per owner per week, giving the capacity to the highest-value accounts', () => {
    const a = action('x');
    const accounts = [
      account({ accountId: 'small', clv: 10_000 }),
      account({ accountId: 'big', clv: 900_000 }),
      account({ accountId: 'mid', clv: 100_000 }),
    ];
    const { decisions, assignments } = arbitrate(accounts, [a], { ...noHoldout, capacityPerOwnerPerWeek: 2 });
    expect(decisions.map((d) => d.actions.length)).toEqual([0, 1, 1]);
    expect(decisions[0]?.skipped[0]).toMatchObject({ reason: 'capacity' });
    expect(assignments.map((h) => h.accountId)).toEqual(['big', 'mid']);

    // Capacity already used this week counts; last week's does not.
    const used: ActionHistoryEntry = {
      tenantId: 't1',
      accountId: 'other',
      actionId: 'y',
      ownerId: 'csm-1',
      assignedAt: '2026-05-30T00:00:00Z',
      arm: 'treatment',
    };
    const lastWeek = { ...used, assignedAt: '2026-05-20T00:00:00Z' };
    expect(arbitrate(accounts, [a], { ...noHoldout, capacityPerOwnerPerWeek: 2, history: [used] }).assignments).toHaveLength(1);
    expect(arbitrate(accounts, [a], { ...noHoldout, capacityPerOwnerPerWeek: 2, history: [lastWeek] }).assignments).toHaveLength(2);
    // Per-owner capacity, and a second owner has their own budget.
    const twoOwners = [...accounts, account({ accountId: 'b2', ownerId: 'csm-2' })];
    const per = arbitrate(twoOwners, [a], { ...noHoldout, capacityPerOwnerPerWeek: { default: 1, byOwner: { 'csm-2': 0 } } });
    expect(per.assignments.map((h) => h.accountId)).toEqual(['big']);
  });

  it('routes actions to the owner of the action role when one is named', () => {
    const a = action('x', { ownerRole: 'support' });
    const { decisions } = arbitrate([account({ owners: { support: 'sup-9' } })], [a], noHoldout);
    expect(decisions[0]?.actions[0]?.ownerId).toBe('sup-9');
  });

  it('withholds held-out actions, records them as the control arm, and does not spend capacity on them', () => {
    const a = action('x');
    const accounts = Array.from({ length: 400 }, (_, i) => account({ accountId: `acc-${i}` }));
    const { decisions, assignments } = arbitrate(accounts, [a], { now: NOW, holdoutRate: 0.1, capacityPerOwnerPerWeek: 1_000 });
    const held = assignments.filter((h) => h.arm === 'holdout').map((h) => h.accountId);
    expect(held.length).toBeGreaterThan(0);
    for (const id of held) {
      expect(isInHoldout('t1', 'x', id, 0.1)).toBe(true);
      expect(decisions.find((d) => d.accountId === id)?.actions).toEqual([]);
    }
    expect(assignments.filter((h) => h.arm === 'treatment')).toHaveLength(400 - held.length);
  });

  it('explains each recommendation in English and Chinese', () => {
    const catalog = buildActionCatalog();
    const { decisions } = arbitrate([account({ openTickets: 4 })], catalog, noHoldout);
    const top = decisions[0]?.actions ?? [];
    expect(top.length).toBeGreaterThan(0);
    for (const a of top) for (const r of a.reasons) expect(r.en.length * r.zh.length).toBeGreaterThan(0);
    const escalation = top.find((a) => a.actionId === 'support-escalation');
    expect(escalation?.reasons.some((r) => r.en.includes('4 open support tickets'))).toBe(true);
  });

  it('scores expansion actions on the value likely to stay', () => {
    const upsell = DEFAULT_ACTION_CATALOG.find((a) => a.id === 'seat-upsell') as ActionDefinition;
    const s = scoreAction(upsell, account({ churnProbability: 0.1 }), { propensity: 0.3, source: 'prior', observations: 0 });
    expect(s.valueAtStake).toBeCloseTo(90_000, 6);
  });

  it('says what is at stake out of the value if retained, so it reads against the lower expected CLV on the card', () => {
    const s = scoreAction(action('call'), account({ churnProbability: 0.7, clv: 100_000 }), {
      propensity: 0.5,
      source: 'prior',
      observations: 0,
    });
    expect(s.reasons[0]?.en).toBe('Churn risk is high: 70,000 USD at stake of the 100,000 USD the account is worth if it stays');
    expect(s.reasons[0]?.zh).toBe('流失风险高：客户若留存价值 100,000 USD，其中 70,000 USD 面临风险');
    expect(s.reasons.map((r) => r.en).join(' ')).not.toMatch(/70%/);
  });
});

describe('stable holdout assignment', () => {
  it('is the same for the same tenant, action and account, and differs across actions', () => {
    expect(holdoutBucket('t1', 'x', 'a1')).toBe(holdoutBucket('t1', 'x', 'a1'));
    const ids = Array.from({ length: 2_000 }, (_, i) => `acc-${i}`);
    const inX = ids.filter((id) => isInHoldout('t1', 'x', id));
    const inY = ids.filter((id) => isInHoldout('t1', 'y', id));
    expect(inX).not.toEqual(inY);
    // Default 10%: a binomial(2000, 0.1) count lies within ±5 sd (±67) of 200.
    expect(Math.abs(inX.length - 200)).toBeLessThan(67);
  });

  it('keeps an account in its arm when other accounts come and go, and nests as the rate grows', () => {
    const before = new Set(Array.from({ length: 500 }, (_, i) => `acc-${i}`).filter((id) => isInHoldout('t1', 'x', id, 0.1)));
    for (const id of before) expect(isInHoldout('t1', 'x', id, 0.2)).toBe(true);
    expect(isInHoldout('t1', 'x', 'acc-1', 0)).toBe(false);
    expect(isInHoldout('t1', 'x', 'acc-1', 1)).toBe(true);
    expect(() => isInHoldout('t1', 'x', 'acc-1', 1.5)).toThrow(/holdoutRate/);
  });
});

describe('no action reason', () => {
  it('says why an account got no action, preferring capacity over cost, and nothing when it got one', () => {
    expect(
      noActionReason({
        accountId: 'a',
        actions: [],
        skipped: [
          { actionId: 'x', reason: 'not-worth-it', text: [] },
          { actionId: 'y', reason: 'capacity', text: [] },
        ],
      })?.en,
    ).toMatch(/capacity/);
    expect(noActionReason({ accountId: 'a', actions: [], skipped: [{ actionId: 'x', reason: 'not-worth-it', text: [] }] })?.zh).toContain(
      '不足以覆盖成本',
    );
    expect(noActionReason({ accountId: 'a', actions: [], skipped: [] })?.en).toMatch(/No action in the catalog fits/);
    const taken = {
      actionId: 'x',
      rank: 1,
      title: { en: 't', zh: 't' },
      ownerId: 'o',
      score: 1,
      propensity: { propensity: 0.5, source: 'prior' as const, observations: 0 },
      valueAtStake: 1,
      reasons: [],
    };
    expect(noActionReason({ accountId: 'a', actions: [taken], skipped: [] })).toBeNull();
  });
});
