import type { ScoreSet, TenantId } from '../../core';
import { syntheticAccountId, syntheticRecords, SYNTHETIC_NOW } from '../../test/helpers/synthetic-book';
import { churnModelRef } from '../churn/churn-registry';
import type { AccountRecords, AnalysedRecordText } from '../features/account-features';
import { DEFAULT_ACTION_CATALOG } from '../nba/action-catalog';
import type { AlertSignals } from '../alerts/alert-rules';
import {
  prepareBookInPages,
  scoreBook,
  type BookPage,
  type BookScoringResult,
  type BookScoringSettings,
  type ChurnScorer,
  type PageNeeds,
} from './book-scorer';
import { trainTenantChurn } from './tenant-churn.trainer';

const tenantId = 'tenant-1' as TenantId;
const N = 300;
const book = syntheticRecords(tenantId, 0, N);

// A few texts, so the card's "What customers say" and sentiment alerts take part.
const texts: AnalysedRecordText[] = Array.from({ length: N / 9 }, (_, k) => ({
  accountId: syntheticAccountId(k * 9),
  at: '2026-05-20T10:00:00.000Z',
  kind: 'ticket',
  score: k % 2 ? -0.8 : 0.6,
  label: k % 2 ? 'negative' : 'positive',
  topics: k % 2 ? ['billing'] : [],
  maskedText: k % 2 ? 'The invoice is wrong again' : 'Great support, thanks',
}));
const records: AccountRecords = { ...book, texts };

// Earlier scores for some accounts, so jump alerts have a "before".
const previous = new Map<string, ScoreSet>();

function settings(churn: ChurnScorer): BookScoringSettings {
  return {
    tenantId,
    now: SYNTHETIC_NOW,
    churn,
    currency: 'USD',
    clv: { horizonMonths: 36, monthlyDiscountRate: 0.01, draws: 20, seed: 1, modelVersion: '2026-06-01' },
    catalog: DEFAULT_ACTION_CATALOG,
    // Scarce owner time: 40 owners × 3 actions a week for 300 accounts, so the book-wide ranking decides.
    nba: {
      capacityPerOwnerPerWeek: 3,
      history: [
        {
          tenantId,
          accountId: syntheticAccountId(3),
          actionId: 'executive-sponsor-call',
          assignedAt: '2026-05-30T00:00:00.000Z',
          arm: 'treatment',
        },
      ],
    },
    runVersion: 'test',
  };
}

/**
 * The same book split into pages of `size` accounts, each with its own records and earlier scores,
 * and only what the pass asks for (so a pass that reads more than it says fails here).
 */
function pagesOf(size: number): (needs: PageNeeds) => AsyncIterable<BookPage> {
  const ids = records.accounts.map((a) => a.id as string).sort();
  return async function* (needs) {
    for (let k = 0; k < ids.length; k += size) {
      const mine = new Set(ids.slice(k, k + size));
      const own = <R extends { accountId: string }>(list: readonly R[] | undefined) => (list ?? []).filter((r) => mine.has(r.accountId));
      yield {
        records: {
          accounts: records.accounts.filter((a) => mine.has(a.id)),
          subscriptions: own(records.subscriptions),
          transactions: own(records.transactions),
          ...(needs.activity ? { tickets: own(records.tickets), activities: own(records.activities), texts: own(records.texts) } : {}),
        },
        ...(needs.previous ? { previous: new Map([...previous].filter(([id]) => mine.has(id))) } : {}),
        accounts: { ...(k > 0 ? { after: ids[k - 1] as string } : {}), through: ids[Math.min(k + size, ids.length) - 1] as string },
      };
      await Promise.resolve();
    }
  };
}

/** Scores the book in pages of `size`, twice over the prepared book (chunks may be read again). */
async function scoreInPages(churn: ChurnScorer, size: number) {
  const alertSignals: AlertSignals[] = [];
  const prepared = await prepareBookInPages({
    ...settings(churn),
    pages: pagesOf(size),
    onAlertSignals: (s) => void alertSignals.push(...s),
  });
  const read = async () => {
    const out = { scoreSets: [] as BookScoringResult['scoreSets'], assignments: [] as BookScoringResult['assignments'], pages: 0 };
    for await (const c of prepared.chunks()) {
      out.scoreSets.push(...c.scoreSets);
      out.assignments.push(...c.assignments);
      out.pages++;
    }
    return out;
  };
  const first = await read();
  expect(await read()).toEqual(first);
  return { ...first, alertSignals };
}

const byAccount = <T extends { accountId: string }>(list: readonly T[]) => [...list].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
const assignmentKey = (a: BookScoringResult['assignments'][number]) => `${a.accountId}/${a.actionId}/${a.arm}`;

describe('scoring a book in pages', () => {
  beforeAll(() => {
    const whole = scoreBook({ ...settings({ kind: 'health-score', ref: { name: 'health-score', version: 'default-1' } }), records });
    for (const s of whole.scoreSets.slice(0, 100))
      previous.set(s.accountId, { ...s, computedAt: '2026-05-01T00:00:00.000Z', churn: { ...s.churn, probability: 0.05 } });
  });

  const scorers: [string, () => ChurnScorer][] = [
    ['the health score', () => ({ kind: 'health-score', ref: { name: 'health-score', version: 'default-1' } })],
    [
      'a learned churn model',
      () => {
        const trained = trainTenantChurn(records, SYNTHETIC_NOW, { coldStart: { minPositives: 5, minNegatives: 20 } });
        if (!trained.model) throw new Error(`expected a learned model: ${trained.reason.en}`);
        return { kind: 'learned', model: trained.model, ref: churnModelRef({ version: 'test-1' }) };
      },
    ],
  ];

  it.each(scorers)('with %s, pages of any size give the scores, actions and alert inputs one page gives', async (_, churn) => {
    const scorer = churn();
    const whole = scoreBook({ ...settings(scorer), records, previous });
    const live = records.accounts.filter((a) => a.status === 'active').length;
    expect(whole.scoreSets).toHaveLength(live);
    // The scenario exercises what paging could break: CLV from both families, actions held back
    // by capacity, accounts without actions saying why, jump alerts with a before, voices.
    expect(new Set(whole.scoreSets.map((s) => s.clv?.method))).toEqual(new Set(['contractual', 'non-contractual']));
    expect(whole.assignments.some((a) => a.arm === 'treatment')).toBe(true);
    expect(whole.scoreSets.filter((s) => s.nextBestActions.length === 0 && s.noActionReason).length).toBeGreaterThan(0);
    expect(whole.alertSignals.filter((s) => s.previous).length).toBeGreaterThan(0);
    expect(whole.scoreSets.filter((s) => s.voice).length).toBeGreaterThan(0);

    for (const size of [1, 37]) {
      const paged = await scoreInPages(scorer, size);
      expect(paged.pages).toBe(Math.ceil(N / size));
      expect(byAccount(paged.scoreSets)).toEqual(byAccount(whole.scoreSets));
      expect(byAccount(paged.alertSignals)).toEqual(byAccount(whole.alertSignals));
      expect(paged.assignments.map(assignmentKey).sort()).toEqual(whole.assignments.map(assignmentKey).sort());
    }
  });

  it('places every scored account in a named segment, sums the segments over the whole book and forecasts its renewals', async () => {
    const prepared = await prepareBookInPages({
      ...settings({ kind: 'health-score', ref: { name: 'health-score', version: 'default-1' } }),
      pages: pagesOf(37),
    });
    const scoreSets: BookScoringResult['scoreSets'] = [];
    for await (const chunk of prepared.chunks()) scoreSets.push(...chunk.scoreSets);
    const insights = prepared.insights();
    const summaries = insights.segments?.summaries ?? [];
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    expect(new Set(summaries.map((x) => x.name.zh)).size).toBe(summaries.length);
    expect(scoreSets.every((s) => s.segment && summaries.some((x) => x.id === s.segment?.id))).toBe(true);
    for (const summary of summaries) {
      const members = scoreSets.filter((s) => s.segment?.id === summary.id);
      expect(summary.accounts).toBe(members.length);
      expect(summary.meanRisk).toBeCloseTo(members.reduce((t, s) => t + s.churn.probability, 0) / members.length, 9);
      expect(summary.name.zh).toMatch(/价值/);
    }
    // The riskiest segment on average is named for its risk.
    const riskiest = [...summaries].sort((a, b) => b.meanRisk - a.meanRisk)[0];
    expect(riskiest?.name.en).toMatch(/high risk|rising risk/);
    expect(insights.forecast.months).toHaveLength(6);
    expect(insights.forecast.arrAtRisk.expected).toBeLessThanOrEqual(insights.forecast.arrAtRisk.arrDue);
    // Reading the scores again counts each account once.
    for await (const _ of prepared.chunks());
    expect(prepared.insights().segments?.summaries.reduce((t, x) => t + x.accounts, 0)).toBe(scoreSets.length);
  });

  it('gives each page the assignments of its own accounts, and names its range', async () => {
    const prepared = await prepareBookInPages({
      ...settings({ kind: 'health-score', ref: { name: 'health-score', version: 'default-1' } }),
      pages: pagesOf(100),
    });
    let pages = 0;
    for await (const chunk of prepared.chunks()) {
      const scored = new Set(chunk.scoreSets.map((s) => s.accountId as string));
      for (const a of chunk.assignments) expect(scored.has(a.accountId)).toBe(true);
      for (const id of scored) expect(id > (chunk.accounts?.after ?? '') && id <= (chunk.accounts?.through ?? '')).toBe(true);
      pages++;
    }
    expect(pages).toBe(3);
  });

  it('keeps a past recommendation on its owner: the cooldown holds and the owner has one action fewer this week', () => {
    const whole = scoreBook({ ...settings({ kind: 'health-score', ref: { name: 'health-score', version: 'default-1' } }), records });
    const cooled = whole.scoreSets.find((s) => s.accountId === syntheticAccountId(3));
    expect(cooled?.nextBestActions.map((a) => a.actionId)).not.toContain('executive-sponsor-call');
    const owner3 = whole.assignments.filter((a) => a.ownerId === 'owner-3' && a.arm === 'treatment');
    const owner4 = whole.assignments.filter((a) => a.ownerId === 'owner-4' && a.arm === 'treatment');
    expect(owner3).toHaveLength(2);
    expect(owner4).toHaveLength(3);
  });
});
