import { SuccessEngineError, type TenantId } from '../../core';
import { InProcessJobQueue } from './in-process-queue';
import type { QueuePayload } from './queue-map';

const score = (tenant: string, account: string): QueuePayload<'score.batch'> => ({
  tenantId: tenant as TenantId,
  accountIds: [account],
  reason: 'sync',
  runId: 'r',
});
const noSleep = () => Promise.resolve();

describe('InProcessJobQueue', () => {
  it('dedupes by job id and runs steps that enqueue further steps', async () => {
    const seen: string[] = [];
    const queue = new InProcessJobQueue(
      {
        'score.batch': async (p, ctx) => {
          seen.push(`score ${p.accountIds[0]}`);
          await ctx.queue.enqueue('writeback.batch', {
            tenantId: p.tenantId,
            connectionId: 'c' as never,
            accountIds: p.accountIds,
            runId: p.runId,
          });
        },
        'writeback.batch': (p) => Promise.resolve(seen.push(`write ${p.accountIds[0]}`)),
      },
      noSleep,
    );
    await queue.enqueue('score.batch', score('t', 'a'));
    await queue.enqueue('score.batch', score('t', 'a'));
    await queue.drain();
    expect(seen).toEqual(['score a', 'write a']);
  });

  it('orders interactive first, then tenants round-robin', async () => {
    const order: string[] = [];
    const queue = new InProcessJobQueue({ 'score.batch': (p) => Promise.resolve(order.push(p.accountIds[0] ?? '')) }, noSleep);
    for (const a of ['a0', 'a1', 'a2']) await queue.enqueue('score.batch', score('big', a));
    await queue.enqueue('score.batch', score('small', 'b0'));
    await queue.enqueue('score.batch', score('x', 'urgent'), { lane: 'interactive' });
    await queue.drain();
    expect(order).toEqual(['urgent', 'a0', 'b0', 'a1', 'a2']);
  });

  it('retries, waits out rate limits, and dead-letters what cannot succeed', async () => {
    const waits: number[] = [];
    let flaky = 0;
    const queue = new InProcessJobQueue(
      {
        'score.batch': (p) => {
          if (p.accountIds[0] === 'bad') throw new SuccessEngineError('CORE.VALIDATION_FAILED', 'no name');
          if (p.accountIds[0] === 'limited' && waits.length === 0)
            throw new SuccessEngineError('CONNECTOR.RATE_LIMITED', 'slow down', { waitMs: 1234 });
          if (p.accountIds[0] === 'flaky' && flaky++ < 2) throw new Error('reset');
          return Promise.resolve();
        },
      },
      (ms) => Promise.resolve(void waits.push(ms)),
    );
    for (const a of ['bad', 'limited', 'flaky']) await queue.enqueue('score.batch', score('t', a));
    await queue.drain();
    expect(queue.deadLetters).toEqual([expect.objectContaining({ queue: 'score.batch', error: 'no name' })]);
    expect(waits).toEqual([1234, 1000, 2000]);
    expect(queue.completed.get('score.batch')).toBe(2);
  });

  it('rejects bad payloads naming the field', async () => {
    const queue = new InProcessJobQueue({}, noSleep);
    await expect(
      queue.enqueue('sync.page', { tenantId: 't', connectionId: 'c', entity: 'planet', mode: 'backfill', runId: 'r', page: 0 } as never),
    ).rejects.toThrow(/sync\.page: entity/);
    expect(queue.size).toBe(0);
  });

  it('runs a flow parent only after every child, including children added while it waits, and hands it their values', async () => {
    const order: string[] = [];
    const page = (entity: 'account' | 'contact', n: number): QueuePayload<'sync.page'> => ({
      tenantId: 't' as TenantId,
      connectionId: 'c' as never,
      entity,
      mode: 'backfill',
      runId: 'r',
      page: n,
    });
    const queue = new InProcessJobQueue(
      {
        'sync.page': async (p, ctx) => {
          order.push(`${p.entity}${p.page}`);
          if (p.entity === 'account' && p.page < 2)
            await ctx.queue.enqueue('sync.page', { ...p, page: p.page + 1 }, ctx.parent ? { parent: ctx.parent } : {});
          return { changedAccountIds: [`${p.entity}${p.page}`] };
        },
        'score.tenant': async (_p, ctx) => {
          const values = (await ctx.childValues()) as { changedAccountIds: string[] }[];
          order.push(
            `score[${values
              .flatMap((v) => v.changedAccountIds)
              .sort()
              .join(',')}]`,
          );
        },
      },
      noSleep,
    );
    await queue.enqueueFlow({
      queue: 'score.tenant',
      payload: { tenantId: 't' as TenantId, scope: 'changed', reason: 'sync', runId: 'r' },
      children: [
        { queue: 'sync.page', payload: page('account', 0) },
        { queue: 'sync.page', payload: page('contact', 0) },
      ],
    });
    await queue.drain();
    expect(order.at(-1)).toBe('score[account0,account1,account2,contact0]');
    expect(order).toHaveLength(5);
  });
});
