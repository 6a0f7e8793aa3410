import { fixedClock, type TenantId } from '../../core';
import { FileConnector, type ExportedScore } from '../../connectors/file/file.connector';
import { SCORE_FIELDS, type ScoreFieldKey } from '../../manifests/field-map';
import { connectorContract } from './connector-contract.suite';

connectorContract('file imports', () => {
  const tenantId = 'tenant-contract-files' as TenantId;
  const ids: string[] = [];
  const lines = ['account_id,name,arr,renewal_date,plan,status'];
  for (let i = 1; i <= 230; i++) {
    ids.push(`F${String(i).padStart(4, '0')}`);
    lines.push(
      `F${String(i).padStart(4, '0')},Customer ${i},${i * 1000},2027-01-${String((i % 28) + 1).padStart(2, '0')},${i % 2 ? 'Pro' : 'Team'},active`,
    );
  }
  const text = lines.join('\n');
  const scoreExport = new Map<string, ExportedScore>();
  const clock = fixedClock('2026-10-01T00:00:00.000Z');
  return Promise.resolve({
    tenantId,
    grant: { kind: 'private-app-token', token: 'upload-key' },
    connector: () =>
      new FileConnector({
        tenantId,
        clock,
        pageSize: 50,
        scoreExport,
        sources: [{ kind: 'accounts', format: 'csv', name: 'accounts.csv', text }],
      }),
    accountIds: () => ids.map((id) => `accounts:${id}`),
    touchAccount: () => Promise.resolve(false),
    deleteAccount: () => Promise.resolve(false),
    readScores: (accountId: string) => {
      const values = scoreExport.get(accountId)?.values;
      if (!values) return undefined;
      return Object.fromEntries(SCORE_FIELDS.map((f) => [f.key, values[f.key] === null ? null : String(values[f.key])])) as Record<
        ScoreFieldKey,
        string | null
      >;
    },
    close: () => Promise.resolve(),
  });
});
