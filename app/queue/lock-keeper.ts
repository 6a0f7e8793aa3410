import { Worker as Thread } from 'node:worker_threads';

/**
 * Keeps the locks of running CPU-bound jobs alive from a thread of its own. Training and scoring a
 * book block the worker's event loop, which is where BullMQ renews job locks; without this their
 * lock had to outlast the longest step (10 minutes), and so did the wait before a killed worker's
 * job was taken back. The thread renews while the process lives and dies with it (SIGKILL), so the
 * lock can stay short and a restart picks the work up within a minute.
 */
export interface HeldLock {
  /** BullMQ's lock key (`<prefix>:<queue>:<jobId>:lock`) and the worker token it holds. */
  lockKey: string;
  stalledKey: string;
  jobId: string;
  token: string;
  lockMs: number;
  /** Our per-job claim (see startWorkers), renewed the same way. */
  claimKey: string;
  claimToken: string;
  claimMs: number;
}

// Plain JS evaluated in the thread: it runs the same under dist/ and the tests' TypeScript hook.
// The renewal is BullMQ's own extendLock script (commands/extendLock-2.lua), plus our claim.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const IORedis = require('ioredis');
const redis = new IORedis(workerData.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
redis.on('error', () => undefined);
const held = new Map();
const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]); redis.call('SREM', KEYS[2], ARGV[3]) end " +
  "if redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('PEXPIRE', KEYS[3], ARGV[5]) end return 1";
const renew = () => {
  for (const h of held.values()) redis.eval(RENEW, 3, h.lockKey, h.stalledKey, h.claimKey, h.token, h.lockMs, h.jobId, h.claimToken, h.claimMs).catch(() => undefined);
};
const timer = setInterval(renew, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m.op === 'hold') held.set(m.id, m.lock);
  else if (m.op === 'release') held.delete(m.id);
  else if (m.op === 'close') { clearInterval(timer); redis.disconnect(); parentPort.close(); }
});
`;

export class LockKeeper {
  private readonly thread: Thread;
  private next = 0;

  constructor(redisUrl: string, everyMs: number) {
    this.thread = new Thread(THREAD_SOURCE, { eval: true, workerData: { redisUrl, everyMs } });
    this.thread.unref();
    this.thread.on('error', () => undefined);
  }

  /** Renew `lock` from the thread until `release` is called. */
  hold(lock: HeldLock): () => void {
    const id = ++this.next;
    this.thread.postMessage({ op: 'hold', id, lock });
    return () => this.thread.postMessage({ op: 'release', id });
  }

  async close(): Promise<void> {
    this.thread.postMessage({ op: 'close' });
    await Promise.race([
      new Promise((resolve) => this.thread.once('exit', resolve)),
      new Promise((resolve) => setTimeout(resolve, 1_000).unref()),
    ]);
    await this.thread.terminate();
  }
}
