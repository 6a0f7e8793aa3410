import type { CrmConnector, Store, ScoreSet, TenantId, WriteBackResult } from '../../core';

export interface WriteBackSummary {
  written: number;
  unchanged: number;
  failed: { accountExternalId: string; code: string; message: string }[];
}

/** Write scores back to the CRM in the connector's batch size; per-record results, never all-or-nothing. */
export async function writeBackStep(
  store: Store,
  connector: CrmConnector,
  tenantId: TenantId,
  scores: readonly ScoreSet[],
  batchSize = 2000,
): Promise<WriteBackSummary> {
  const summary: WriteBackSummary = { written: 0, unchanged: 0, failed: [] };
  const mine = scores.filter((s) => s.accountId.startsWith(`${connector.provider}:`));
  for (let i = 0; i < mine.length; i += batchSize) {
    const results: WriteBackResult[] = await connector.writeBack(mine.slice(i, i + batchSize));
    for (const r of results) {
      if (r.status === 'failed') summary.failed.push({ accountExternalId: r.accountExternalId, code: r.code, message: r.message });
      else if (r.status === 'written') summary.written++;
      else summary.unchanged++;
    }
  }
  await store.appendAudit({
    tenantId,
    at: new Date().toISOString(),
    actor: 'system',
    action: 'writeback.completed',
    target: connector.provider,
    details: { written: summary.written, unchanged: summary.unchanged, failed: summary.failed.length },
  });
  return summary;
}
