import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core';
import type { QueueName, QueuePayload } from './queue-map';

/**
 * The same work always gets the same job id, so adding it twice (a retried webhook, a restarted
 * scheduler) queues it once. BullMQ ids may not contain ':', which our account ids do, so the
 * payload is hashed.
 */
export function jobIdFor<Q extends QueueName>(queue: Q, payload: QueuePayload<Q>): string {
  const digest = createHash('sha256').update(canonicalJson(payload)).digest('hex').slice(0, 40);
  return `${queue}.${digest}`;
}
