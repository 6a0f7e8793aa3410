import { randomBytes } from 'node:crypto';
import { buildRecord, type CanonicalTicket, type SentimentResult, type TextModel } from '../../core';
import { openTextModel } from '../../engine/text/text-model.factory';
import { TopicTagger } from '../../engine/text/topics/topic-tagger';
import { SqliteStore } from '../../store/sqlite/sqlite-store';
import { makeAccount, TEST_TENANT } from '../../test/helpers/records';
import { loadTenantRecords } from './tenant-records';
import { analyzeTextsStep } from './text-analysis.step';

/** The shipped model (the real transformers.js path), counting what it is asked to read. */
class CountingModel implements TextModel {
  constructor(readonly inner: TextModel) {}
  get ref(): TextModel['ref'] {
    return this.inner.ref;
  }
  readonly seen: string[] = [];
  sentiment(texts: readonly string[]): Promise<SentimentResult[]> {
    this.seen.push(...texts);
    return this.inner.sentiment(texts);
  }
  topics: TextModel['topics'] = (t, l) => this.inner.topics(t, l);
  embed: TextModel['embed'] = (t) => this.inner.embed(t);
  close = (): Promise<void> => this.inner.close();
}

function ticket(externalId: string, subject: string, description: string, createdAt = '2026-03-01T00:00:00Z'): CanonicalTicket {
  return buildRecord('ticket', {
    tenantId: TEST_TENANT,
    id: `hubspot:t-${externalId}`,
    source: { provider: 'hubspot', externalId: `t-${externalId}`, modstamp: createdAt },
    accountId: 'hubspot:a1',
    subject,
    description,
    status: 'open',
    priority: 'high',
    createdAt,
    attributes: {},
  });
}

const options = { now: '2026-03-10T00:00:00Z', topics: new TopicTagger(), batchSize: 2 };

async function openStore(): Promise<SqliteStore> {
  const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
  await store.upsertTenant({ id: TEST_TENANT, name: 't', locale: 'en', createdAt: '2026-01-01T00:00:00Z' });
  await store.upsertRecords('account', [makeAccount('a1')]);
  return store;
}

describe('analyzeTextsStep', () => {
  it('masks PII before the model reads, tags topics, and reads each distinct text once', async () => {
    const store = await openStore();
    await store.upsertRecords('ticket', [
      ticket('1', 'Billing error', 'We were double charged on the last invoice, call me at +1 415 555 0100. Terrible.'),
      ticket('2', '账单问题', '发票重复扣费，太差了，请联系 13800138000'),
      ticket('3', 'Billing error', 'We were double charged on the last invoice, call me at +1 415 555 0100. Terrible.'),
    ]);
    const model = new CountingModel(
      await openTextModel({ backend: 'shipped', modelsDir: undefined, allowRemoteModels: false, workers: 1 }),
    );
    const first = await analyzeTextsStep(store, model, TEST_TENANT, options);
    expect(first.read).toBe(2);
    expect(first.reused).toBe(1);
    expect(first.changedAccountIds).toEqual(['hubspot:a1']);
    expect(model.seen.join(' ')).not.toMatch(/555 0100|13800138000/);
    const texts = await store.listAnalysedTexts(TEST_TENANT);
    expect(texts).toHaveLength(3);
    for (const t of texts) expect(t.topics).toContain('billing');
    expect(texts.every((t) => t.label === 'negative')).toBe(true);

    const again = await analyzeTextsStep(store, model, TEST_TENANT, options);
    expect(again).toMatchObject({ read: 0, unchanged: 3, changedAccountIds: [] });
    expect(model.seen).toHaveLength(2);

    // An edited ticket is read again; the features see its texts through the tenant's records.
    await store.upsertRecords('ticket', [ticket('2', '账单问题', '已经解决了，非常感谢，很满意')]);
    const edited = await analyzeTextsStep(store, model, TEST_TENANT, options);
    expect(edited).toMatchObject({ read: 1, unchanged: 2 });
    const records = await loadTenantRecords(store, TEST_TENANT);
    expect(records.texts?.map((t) => t.label).sort()).toEqual(['negative', 'negative', 'positive']);
    await store.close();
    await model.close();
  }, 60_000);
});
