import { schedulesFor } from './schedules';
import { SettingsFileSchema } from './tenant-settings';

describe('schedules from tenant settings', () => {
  it('fills the defaults: incremental sync every 15 min per connection, nightly re-score, weekly retraining', () => {
    const settings = SettingsFileSchema.parse({
      tenants: [{ tenantId: 'acme', connections: [{ id: 'hs' }, { id: 'sf', incrementalSyncMinutes: 5 }] }],
    });
    const byId = new Map(schedulesFor(settings).map((s) => [s.id, s]));
    expect([...byId.keys()].sort()).toEqual(['score.acme.hs', 'score.acme.sf', 'sync.acme.hs', 'sync.acme.sf', 'train.acme']);
    expect(byId.get('sync.acme.hs')).toMatchObject({
      queue: 'sync.start',
      every: 15 * 60_000,
      payload: { mode: 'incremental', connectionId: 'hs' },
    });
    expect(byId.get('sync.acme.sf')?.every).toBe(5 * 60_000);
    expect(byId.get('score.acme.hs')).toMatchObject({
      queue: 'score.tenant',
      pattern: '0 2 * * *',
      tz: 'UTC',
      payload: { scope: 'all', reason: 'nightly' },
    });
    expect(byId.get('train.acme')).toMatchObject({ queue: 'model.train', pattern: '0 3 * * 0', payload: { task: 'churn' } });
  });

  it('turns schedules off with 0 minutes or an empty cron', () => {
    const settings = SettingsFileSchema.parse({
      tenants: [{ tenantId: 'acme', connections: [{ id: 'hs', incrementalSyncMinutes: 0 }], nightlyScoreCron: '', weeklyTrainCron: '' }],
    });
    expect(schedulesFor(settings)).toEqual([]);
  });

  it('names the field at fault', () => {
    const parsed = SettingsFileSchema.safeParse({
      tenants: [{ tenantId: 'acme', connections: [{ id: 'hs', incrementalSyncMinutes: -1 }] }],
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path.join('.')).toBe('tenants.0.connections.0.incrementalSyncMinutes');
  });
});
