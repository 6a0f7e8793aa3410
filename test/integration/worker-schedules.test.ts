import { BullmqJobQueue } from '../../app/queue/bullmq-queue';
import { upsertSchedules } from '../../app/schedules/schedules';
import { SettingsFileSchema } from '../../app/schedules/tenant-settings';
import { runCliWithEnv } from '../helpers/run-cli';
import { redisUrl, uniquePrefix } from '../helpers/redis';

describe('job schedulers in Redis', () => {
  it('upserts one scheduler per schedule however often workers start, drops removed tenants, and lists them', async () => {
    const prefix = uniquePrefix('schedules');
    const queue = new BullmqJobQueue({ redisUrl: redisUrl(), prefix });
    try {
      const two = SettingsFileSchema.parse({
        tenants: [
          { tenantId: 'acme', connections: [{ id: 'hs', incrementalSyncMinutes: 10 }] },
          { tenantId: 'globex', connections: [{ id: 'sf' }] },
        ],
      });
      await upsertSchedules(queue, two);
      await upsertSchedules(queue, two);
      await upsertSchedules(
        queue,
        SettingsFileSchema.parse({ tenants: [{ tenantId: 'acme', connections: [{ id: 'hs', incrementalSyncMinutes: 10 }] }] }),
      );

      const listed = await runCliWithEnv({ REDIS_URL: redisUrl() }, 'worker', '--list-schedules', '--prefix', prefix, '--json');
      expect(listed.code).toBe(0);
      const { schedules } = JSON.parse(listed.stdout) as {
        schedules: { id: string; queue: string; every: number | null; pattern: string | null; next: string | null }[];
      };
      expect(schedules.map((s) => s.id)).toEqual(['score.acme.hs', 'sync.acme.hs', 'train.acme']);
      expect(schedules.find((s) => s.id === 'sync.acme.hs')).toMatchObject({ queue: 'sync.start', every: 600_000 });
      expect(schedules.every((s) => s.next !== null && Date.parse(s.next) > Date.now() - 60_000)).toBe(true);
    } finally {
      await queue.close();
    }
  });

  it('worker without REDIS_URL exits 2 and says what to set', async () => {
    const r = await runCliWithEnv({ REDIS_URL: '' }, 'worker');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/REDIS_URL/);
  });
});
