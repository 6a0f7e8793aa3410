import { randomUUID } from 'node:crypto';

/** The Redis of this test run (see redis-global-setup.js); fails loudly rather than skipping. */
export function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error(process.env.SE_TEST_REDIS_MISSING ?? 'REDIS_URL is not set');
  return url;
}

/** A key prefix of its own for each test, so tests never see each other's queues. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomUUID().slice(0, 8)}`;
}
