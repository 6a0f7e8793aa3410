import { writeFileSync } from 'node:fs';

/**
 * A `--settings` file for worker processes of one tenant and connection: no schedules (the test or
 * bench enqueues the run itself) and every alert to one receiver.
 */
export function writeWorkerSettings(file: string, tenantId: string, connectionId: string, alerts: { url: string; secret: string }): string {
  const tenant = {
    tenantId,
    connections: [{ id: connectionId, incrementalSyncMinutes: 0 }],
    nightlyScoreCron: '',
    weeklyTrainCron: '',
    alertWebhooks: { default: alerts },
  };
  writeFileSync(file, JSON.stringify({ tenants: [tenant] }));
  return file;
}
