import {
  buildRecord,
  isSuccessEngineError,
  type AccountId,
  type CanonicalRecordByEntity,
  type ScoreSet,
  type TenantId,
} from '../../../core';
import { SqliteStore } from '../../../store';
import { loadCard, recordFeedback, type CrmCardDeps } from './crm-card.service';
import { salesforceId18 } from './salesforce-card.router';

const T = 't1' as TenantId;

function account(externalId: string, deletedAt?: string): CanonicalRecordByEntity['account'] {
  return buildRecord('account', {
    tenantId: T,
    id: `hubspot:${externalId}`,
    source: { provider: 'hubspot', externalId, modstamp: '2026-01-01T00:00:00.000Z' },
    name: 'Acme',
    status: 'active',
    ...(deletedAt ? { deletedAt } : {}),
  });
}

const latest: ScoreSet = {
  tenantId: T,
  accountId: 'hubspot:1' as AccountId,
  computedAt: '2026-11-01T00:00:00Z',
  modelVersion: 'run-2',
  churn: { probability: 0.3, band: 'medium', drivers: [], model: { name: 'm', version: '1', kind: 'rules' } },
  nextBestActions: [{ actionId: 'a', rank: 1, score: 1, title: { en: 'A', zh: '甲' }, reasons: [{ en: 'r', zh: '理' }] }],
};

/** A real (in-memory SQLite) store holding the given accounts and one score for hubspot:1. */
async function deps(accounts: CanonicalRecordByEntity['account'][], allowed = true): Promise<CrmCardDeps & { store: SqliteStore }> {
  const store = new SqliteStore({ path: ':memory:' });
  await store.upsertTenant({ id: T, name: 'T', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
  await store.upsertRecords('account', accounts);
  await store.appendScoreSets([latest]);
  return { store, canUserSeeRecord: () => Promise.resolve(allowed), now: () => new Date('2026-11-01T01:00:00Z') };
}

const request = { tenantId: T, provider: 'hubspot' as const, crmUserId: '7', objectType: 'account' as const, externalId: '1' };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    return isSuccessEngineError(error) ? error.code : 'other';
  }
}

describe('card service', () => {
  it('treats a deleted account as not found, before asking about access', async () => {
    const d = await deps([account('1', '2026-10-01T00:00:00.000Z')]);
    expect(await codeOf(loadCard(d, request))).toBe('HTTP.NOT_FOUND');
  });

  it('answers forbidden when the CRM hides the record', async () => {
    expect(await codeOf(loadCard(await deps([account('1')], false), request))).toBe('HTTP.FORBIDDEN');
  });

  it('keeps feedback per score run: an answered action returns when a new score recommends it again', async () => {
    const d = await deps([account('1')]);
    expect((await recordFeedback(d, { ...request, actionId: 'a', outcome: 'done' })).actions).toEqual([]);
    expect(await d.store.listActionOutcomes(T)).toEqual([
      expect.objectContaining({
        accountId: 'hubspot:1',
        actionId: 'a',
        status: 'completed',
        recommendedAt: '2026-11-01T00:00:00.000Z',
        source: 'card',
      }),
    ]);
    expect((await d.store.listAudit(T))[0]).toMatchObject({ actor: 'hubspot:7', action: 'nba.completed' });
    await d.store.appendScoreSets([{ ...latest, computedAt: '2026-11-02T00:00:00Z' }]);
    expect((await loadCard(d, request)).actions.map((a) => a.actionId)).toEqual(['a']);
  });
});

describe('salesforceId18', () => {
  it('adds the case-safe suffix to a 15-character id and leaves 18-character ids alone', () => {
    expect(salesforceId18('0015000000Gv7qJ')).toBe('0015000000Gv7qJAAR');
    expect(salesforceId18('0015000000Gv7qJAAR')).toBe('0015000000Gv7qJAAR');
  });
});
