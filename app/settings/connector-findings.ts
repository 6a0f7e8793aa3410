import { z } from 'zod';
import type { ConnectorFinding, EntityName, Store, TenantId } from '../../core';

/** Where the latest findings live: one small setting per tenant, merged page by page. */
export const CONNECTOR_FINDINGS_KEY = 'sync.connector-findings';

/** A finding not seen again for this long is dropped (every sync re-reports what is still wrong). */
export const FINDING_TTL_MS = 7 * 86_400_000;

export interface SeenFinding {
  finding: ConnectorFinding;
  entity: EntityName;
  firstSeenAt: string;
  lastSeenAt: string;
}

const FindingsSchema = z.array(
  z.object({
    finding: z.object({ code: z.string(), object: z.string(), message: z.string() }).passthrough(),
    entity: z.string(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
  }),
);

const keyOf = (f: ConnectorFinding): string => [f.code, f.object, f.field ?? '', f.property ?? '', f.scope ?? ''].join('|');

/** What the CRM would not let us read, newest first: the console's field-mapping page shows it. */
export async function connectorFindings(store: Pick<Store, 'getTenantSetting'>, tenantId: TenantId): Promise<SeenFinding[]> {
  const stored = await store.getTenantSetting(tenantId, CONNECTOR_FINDINGS_KEY);
  const parsed = FindingsSchema.safeParse(stored?.value ?? []);
  // An unreadable setting (an older shape) is not worth failing a page for: it is rebuilt by the next sync.
  return parsed.success ? (parsed.data as SeenFinding[]) : [];
}

/**
 * Merge one page's findings into the tenant's list: known ones get a new `lastSeenAt`, new ones are
 * added, and ones unseen for a week are dropped. Two concurrent pages may each write; the loser's
 * findings come back with the next sync.
 */
export async function recordConnectorFindings(
  store: Pick<Store, 'getTenantSetting' | 'putTenantSetting'>,
  tenantId: TenantId,
  entity: EntityName,
  findings: readonly ConnectorFinding[],
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  const byKey = new Map((await connectorFindings(store, tenantId)).map((s) => [keyOf(s.finding), s]));
  for (const finding of findings) {
    const seen = byKey.get(keyOf(finding));
    byKey.set(keyOf(finding), { finding, entity, firstSeenAt: seen?.firstSeenAt ?? at, lastSeenAt: at });
  }
  const fresh = [...byKey.values()]
    .filter((s) => now.getTime() - Date.parse(s.lastSeenAt) <= FINDING_TTL_MS)
    .sort((a, b) => b.lastSeenAt.localeCompare(a.lastSeenAt) || keyOf(a.finding).localeCompare(keyOf(b.finding)));
  await store.putTenantSetting(tenantId, CONNECTOR_FINDINGS_KEY, fresh, 'sync');
}
