import { randomBytes } from 'node:crypto';
import { buildRecord, type AccountId, type CanonicalTicket } from '../../core';
import { SqliteStore } from '../../store/sqlite/sqlite-store';
import { makeAccount, TEST_TENANT } from '../../test/helpers/records';
import { buildCardView } from '../../ui-extension/shared/card.view-model';
import { InProcessJobQueue } from '../queue/in-process-queue';
import { createPipelineAdapters } from './pipeline-adapters';
import { createProcessors } from './processors';

// score.batch scores as of the time it was enqueued, so the tickets are dated relative to now.
const NOW = new Date().toISOString();
const DAY = 86_400_000;

function ticket(n: number, daysAgo: number, subject: string, description: string): CanonicalTicket {
  const at = new Date(Date.parse(NOW) - daysAgo * DAY).toISOString();
  return buildRecord('ticket', {
    tenantId: TEST_TENANT,
    id: `hubspot:t${n}`,
    source: { provider: 'hubspot', externalId: `t${n}`, modstamp: at },
    accountId: 'hubspot:a1',
    subject,
    description,
    status: 'open',
    priority: 'high',
    createdAt: at,
    attributes: {},
  });
}

// The on-change path without a CRM (the sync hop itself is covered by the pipeline tests):
// text.analyze → score.batch → alerts → card, in-process with the real processors and store.
describe('negative tickets in Chinese and English, text queue to card', () => {
  it('become a text reason, a negative-topic alert and the card section', async () => {
    const store = new SqliteStore({ path: ':memory:', encryptionKey: randomBytes(32) });
    await store.upsertTenant({ id: TEST_TENANT, name: 't', locale: 'zh', createdAt: '2026-01-01T00:00:00Z' });
    await store.upsertRecords('account', [makeAccount('a1', { name: 'Acme', customerSince: '2025-01-01T00:00:00Z' })]);
    await store.upsertRecords('ticket', [
      ticket(1, 12, '账单错误', '发票重复扣费，太差了，请退款。联系 13800138000'),
      ticket(2, 5, 'Billing error', 'We were double charged on the invoice again. Terrible, please refund. Call +1 415 555 0100'),
      ticket(3, 2, 'Invoice wrong', 'The invoice is wrong and the refund never came. Very disappointed.'),
    ]);
    const clock = { now: () => new Date(NOW) };
    const queue = new InProcessJobQueue(createProcessors(createPipelineAdapters({ store, clock })), () => Promise.resolve());
    await queue.enqueue('text.analyze', { tenantId: TEST_TENANT, runId: 'r1', accountIds: ['hubspot:a1'] });
    await queue.drain();
    expect(queue.completed.get('text.analyze')).toBe(1);
    expect(queue.completed.get('score.batch')).toBe(1);

    const [score] = await store.scoreHistory(TEST_TENANT, 'hubspot:a1' as AccountId, { limit: 1 });
    expect(score?.voice?.reasons[0]).toEqual({
      en: '3 negative tickets about billing in the last 30 days',
      zh: '近 30 天 3 张负面工单，主题：账单',
    });
    const alert = (await store.listAlerts(TEST_TENANT)).find((a) => a.rule === 'negative-topic');
    expect(alert?.accountId).toBe('hubspot:a1');

    const card = buildCardView({
      account: makeAccount('a1', { name: 'Acme' }),
      history: await store.scoreHistory(TEST_TENANT, 'hubspot:a1' as AccountId),
      now: new Date(NOW),
    });
    expect(card.voice?.topics[0]?.text).toEqual({ en: 'billing: 3 mentions, 3 negative', zh: '账单：提及 3 次，负面 3 次' });
    expect(card.voice?.example?.text).toMatch(/invoice/);
    expect(JSON.stringify(card.voice)).not.toMatch(/13800138000|555 0100/);
    await store.close();
  });
});
