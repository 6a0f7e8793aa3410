import IORedis, { type Redis } from 'ioredis';
import type { ReadinessCheck } from './server';

/**
 * A small Redis connection of its own for readiness and the webhook fast path: it fails commands
 * at once while disconnected (no offline queue), so `/readyz` and `isUp()` tell the truth within
 * a reconnect interval instead of hanging like the workers' blocking connection does.
 */
export class RedisHealth {
  private readonly client: Redis;

  constructor(url: string) {
    this.client = new IORedis(url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(100 * times, 1_000),
      lazyConnect: false,
    });
    // Connection errors are reported by readiness, not thrown at the process.
    this.client.on('error', () => undefined);
  }

  isUp(): boolean {
    return this.client.status === 'ready';
  }

  /** ioredis' connection state (`ready`, `connecting`, `reconnecting`, …), for messages. */
  status(): string {
    return this.client.status;
  }

  readiness(name = 'redis'): ReadinessCheck {
    return {
      name,
      check: async () => {
        if (!this.isUp()) throw new Error(`redis is ${this.client.status}`);
        const pong = await Promise.race([
          this.client.ping(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error('redis PING timed out after 1 s')), 1_000).unref()),
        ]);
        if (pong !== 'PONG') throw new Error(`redis answered ${String(pong)}`);
      },
    };
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
