import { SuccessEngineError, type ConnectionId, type EntityName, type TenantId } from '../../core';
import type { EnqueueEvents, InboundEvent } from '../../webhooks/inbound/inbound.types';
import { isCrmProvider, registeredCrm } from '../crm-modules';
import type { Logger } from '../log/logger';
import type { Metrics } from '../observability/metrics';
import type { JobQueue } from '../queue/job-queue';
import type { ConnectionDirectory } from './connection-directory';

/** The entity an inbound event's object type syncs, as its CRM's module maps it; null for types we do not sync. */
export function entityForEvent(event: Pick<InboundEvent, 'provider' | 'objectType'>): EntityName | null {
  if (!isCrmProvider(event.provider)) return null;
  return registeredCrm(event.provider).module.inboundEntities[event.objectType.toLowerCase()] ?? null;
}

export interface InboundSyncOptions {
  queue: JobQueue;
  directory: ConnectionDirectory;
  metrics: Metrics;
  log: Logger;
  /**
   * Events received in the same window share one incremental sync per connection and entity,
   * which starts `marginMs` after the window closes: every event of the window arrived before its
   * job can start, so the job's cursor read sees the change. Default 5 s.
   */
  windowMs?: number;
  marginMs?: number;
  /** Fail fast (so the CRM gets 503 and retries) when the queue is known to be down. */
  queueUp?: () => boolean;
  /** An enqueue that has not answered by then counts as failed (503). Default 2 s. */
  timeoutMs?: number;
  now?: () => number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new SuccessEngineError('QUEUE.UNAVAILABLE', `enqueue did not answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * The inbound events → incremental sync port: groups a batch's events by tenant connection and
 * entity, and adds one delayed `sync.page` (mode `incremental`) per group and window. The job id
 * is a hash of the payload (tenant, connection, entity, window), so every process, every retry
 * and every event of the window adds the same job once. Jobs this process has already added are
 * remembered until their window's job starts, sparing a Redis round trip per request. Resolves
 * only once every job is in Redis; the handler answers 2xx after that, 503 if it rejects.
 */
export function createInboundSyncEnqueuer(options: InboundSyncOptions): EnqueueEvents {
  const windowMs = options.windowMs ?? 5_000;
  const marginMs = options.marginMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const now = options.now ?? Date.now;
  /** job key → time its job becomes due; entries past due are dropped. */
  const added = new Map<string, number>();
  let lastSweep = 0;

  return async (events: InboundEvent[]) => {
    const t = now();
    const windowStart = t - (t % windowMs);
    const due = windowStart + windowMs + marginMs;
    if (t - lastSweep > windowMs) {
      for (const [key, at] of added) if (at <= t) added.delete(key);
      lastSweep = t;
    }
    const groups = new Map<
      string,
      { tenantId: TenantId; connectionId: ConnectionId; entity: EntityName; provider: string; count: number }
    >();
    for (const event of events) {
      const entity = entityForEvent(event);
      if (!entity) {
        options.metrics.recordInbound(event.provider, 'ignored-type');
        continue;
      }
      let refs;
      try {
        refs = await options.directory.resolve(event.provider, event.orgId);
      } catch (error) {
        // The store is unreadable: the CRM must retry (503), not lose the event.
        options.log.error(
          { err: error, provider: event.provider, orgId: event.orgId },
          'could not look up the connection for inbound events',
        );
        throw error;
      }
      if (refs.length === 0) {
        options.metrics.recordInbound(event.provider, 'unknown-org');
        options.log.debug(
          { provider: event.provider, orgId: event.orgId, eventId: event.eventId },
          'inbound event for an org with no connection',
        );
        continue;
      }
      for (const ref of refs) {
        const key = `${ref.tenantId}\u0000${ref.connectionId}\u0000${entity}\u0000${windowStart}`;
        const group = groups.get(key);
        if (group) group.count++;
        else groups.set(key, { tenantId: ref.tenantId, connectionId: ref.connectionId, entity, provider: event.provider, count: 1 });
      }
    }
    // Even when this window's jobs are already queued, a known-down Redis gets a 503: the job
    // may not have survived it, and the CRM's retry costs nothing (same event ids, same job ids).
    if (groups.size > 0 && options.queueUp && !options.queueUp()) {
      for (const [, g] of groups) options.metrics.recordInbound(g.provider, 'queue-down', g.count);
      throw new SuccessEngineError('QUEUE.UNAVAILABLE', 'Redis is not connected');
    }
    const pending = [...groups].filter(([key]) => !added.has(key));
    if (pending.length > 0) {
      try {
        await withTimeout(
          Promise.all(
            pending.map(async ([key, g]) => {
              const jobId = await options.queue.enqueue(
                'sync.page',
                {
                  tenantId: g.tenantId,
                  connectionId: g.connectionId,
                  entity: g.entity,
                  mode: 'incremental',
                  runId: `inbound.${windowStart}`,
                  page: 0,
                },
                { lane: 'interactive', delayMs: Math.max(0, due - now()) },
              );
              added.set(key, due);
              options.log.debug(
                { tenantId: g.tenantId, jobId, entity: g.entity, events: g.count },
                'incremental sync queued for inbound events',
              );
            }),
          ),
          timeoutMs,
        );
      } catch (error) {
        for (const [, g] of groups) options.metrics.recordInbound(g.provider, 'queue-down', g.count);
        options.log.warn({ err: error }, 'could not queue incremental sync for inbound events; answering 503 so the CRM retries');
        throw error;
      }
    }
    for (const [, g] of groups) options.metrics.recordInbound(g.provider, 'enqueued', g.count);
  };
}
