import type { Clock } from '../../core';
import type { Store } from '../../core';
import type { CrmApps } from '../crm-modules';
import type { JobQueue } from '../queue/job-queue';

/** The OAuth apps we are in each marketplace (`CrmApps`), and what install/uninstall promise. */
export interface InstallSettings extends CrmApps {
  /** Signs the OAuth `state` parameter (32 random bytes; keep it stable across restarts). */
  stateSecret: Buffer;
  /** Our public URL; the CRMs send the user back to `${publicBaseUrl}/install/<provider>/callback`. */
  publicBaseUrl: string;
  /** How long after an uninstall signal the tenant's data is erased (default 24 h; 0 = at once). */
  erasureGraceMs?: number;
}

export interface InstallDeps {
  /** Install reads and writes tenants, connections, tokens, records, settings, audit and erasure. */
  store: Store;
  queue: JobQueue;
  settings: InstallSettings;
  clock: Clock;
}

export const DEFAULT_ERASURE_GRACE_MS = 24 * 3_600_000;
