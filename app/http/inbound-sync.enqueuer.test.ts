import pino from 'pino';
import type { ConnectionId, TenantId } from '../../core';
import type { InboundEvent } from '../../webhooks/inbound/inbound.types';
import { createMetrics } from '../observability/metrics';
import type { JobQueue } from '../queue/job-queue';
import { StaticConnectionDirectory } from './connection-directory';
import { createInboundSyncEnqueuer, entityForEvent } from './inbound-sync.enqueuer';

const T = 'tenant-a' as TenantId;
const C = 'hs-1' as ConnectionId;
const event = (id: string, objectType = 'company', orgId = '42', provider: 'hubspot' | 'salesforce' = 'hubspot'): InboundEvent => ({
  provider,
  orgId,
  eventId: `${orgId}:${id}`,
  objectType,
  objectIds: ['7'],
  changeType: 'propertyChange',
  occurredAt: '2026-11-28T00:00:00.000Z',
});

function fakeQueue(fail: () => Error | null = () => null, hang = false) {
  const added: { queue: string; payload: Record<string, unknown>; options: Record<string, unknown> }[] = [];
  const queue: JobQueue = {
    enqueue: (name, payload, options) => {
      if (hang) return new Promise<string>(() => undefined);
      const error = fail();
      if (error) return Promise.reject(error);
      added.push({ queue: name, payload: payload, options: (options ?? {}) as Record<string, unknown> });
      return Promise.resolve(`job-${added.length}`);
    },
    close: () => Promise.resolve(),
  };
  return { queue, added };
}

describe('inbound events → incremental sync', () => {
  const directory = new StaticConnectionDirectory({
    'hubspot:42': [{ tenantId: T, connectionId: C }],
    'salesforce:00D5g000004SbXz': [{ tenantId: 'tenant-b' as TenantId, connectionId: 'sf' as ConnectionId }],
  });
  const log = pino({ level: 'silent' });

  it('maps CRM object types to our entities and ignores the rest', () => {
    expect(entityForEvent({ provider: 'hubspot', objectType: 'company' })).toBe('account');
    expect(entityForEvent({ provider: 'hubspot', objectType: '0-3' })).toBe('opportunity');
    expect(entityForEvent({ provider: 'salesforce', objectType: 'Case' })).toBe('ticket');
    expect(entityForEvent({ provider: 'salesforce', objectType: 'Lead' })).toBeNull();
  });

  it('adds one delayed job per connection, entity and window, and none again from this process in that window', async () => {
    let now = 1_000_000;
    const { queue, added } = fakeQueue();
    const metrics = createMetrics({ defaultMetrics: false });
    const enqueue = createInboundSyncEnqueuer({ queue, directory, metrics, log, windowMs: 5_000, marginMs: 2_000, now: () => now });
    await enqueue([event('1'), event('2'), event('3', 'deal')]);
    expect(added).toEqual([
      {
        queue: 'sync.page',
        payload: { tenantId: T, connectionId: C, entity: 'account', mode: 'incremental', runId: 'inbound.1000000', page: 0 },
        options: { lane: 'interactive', delayMs: 7_000 },
      },
      {
        queue: 'sync.page',
        payload: { tenantId: T, connectionId: C, entity: 'opportunity', mode: 'incremental', runId: 'inbound.1000000', page: 0 },
        options: { lane: 'interactive', delayMs: 7_000 },
      },
    ]);
    now += 4_000;
    await enqueue([event('4')]);
    expect(added).toHaveLength(2);
    // Next window: its own job, due after that window closes.
    now += 1_500;
    await enqueue([event('5')]);
    expect(added).toHaveLength(3);
    expect(added[2]?.payload.runId).toBe('inbound.1005000');
    expect(added[2]?.options.delayMs).toBe(6_500);
    expect(await metrics.registry.getSingleMetricAsString('se_inbound_events_total')).toContain(
      'se_inbound_events_total{provider="hubspot",outcome="enqueued"} 5',
    );
  });

  it('accepts events of unknown orgs and object types without queuing anything', async () => {
    const { queue, added } = fakeQueue();
    const metrics = createMetrics({ defaultMetrics: false });
    const enqueue = createInboundSyncEnqueuer({ queue, directory, metrics, log });
    await enqueue([event('1', 'company', '999'), event('2', 'line_item')]);
    expect(added).toHaveLength(0);
    const text = await metrics.registry.getSingleMetricAsString('se_inbound_events_total');
    expect(text).toContain('outcome="unknown-org"} 1');
    expect(text).toContain('outcome="ignored-type"} 1');
  });

  it('matches Salesforce orgs on the 15-character id', async () => {
    const { queue, added } = fakeQueue();
    await createInboundSyncEnqueuer({ queue, directory, metrics: createMetrics({ defaultMetrics: false }), log })([
      event('1', 'Account', '00D5g000004SbXzEAK', 'salesforce'),
    ]);
    expect(added[0]?.payload).toMatchObject({ tenantId: 'tenant-b', connectionId: 'sf', entity: 'account' });
  });

  it('rejects (so the handler answers 503) when the queue is down, fails, or hangs, and retries next time', async () => {
    let down = true;
    const { queue, added } = fakeQueue(() => (down ? new Error('ECONNREFUSED') : null));
    const enqueue = createInboundSyncEnqueuer({ queue, directory, metrics: createMetrics({ defaultMetrics: false }), log });
    await expect(enqueue([event('1')])).rejects.toThrow('ECONNREFUSED');
    down = false;
    await enqueue([event('1')]);
    expect(added).toHaveLength(1);

    const fast = createInboundSyncEnqueuer({
      queue,
      directory,
      metrics: createMetrics({ defaultMetrics: false }),
      log,
      queueUp: () => false,
    });
    await expect(fast([event('9')])).rejects.toThrow(/Redis is not connected/);

    const hanging = createInboundSyncEnqueuer({
      queue: fakeQueue(() => null, true).queue,
      directory,
      metrics: createMetrics({ defaultMetrics: false }),
      log,
      timeoutMs: 50,
    });
    await expect(hanging([event('1')])).rejects.toThrow(/did not answer within 50 ms/);
  });
});
