import path from 'node:path';
import type { Store, ScoreSet, TenantId } from '../../core';
import { createTasksStep, taskForTopAction } from '../../app/pipeline/tasks.step';
import { SalesforceConnector } from '../../connectors/salesforce/salesforce.connector';
import { startSalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { makeScore } from './connector-contract.suite';

const rows = readTelcoCsv(path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv'));
const tenantId = 't-tasks' as TenantId;

describe('tasks step: the top next-best-action as an owner task', () => {
  it('builds one bilingual task per account, action and week, only for the bands asked', () => {
    const high = makeScore(tenantId, 'salesforce:001A', 0.8);
    const task = taskForTopAction(high);
    expect(task).toMatchObject({
      accountId: 'salesforce:001A',
      subject: 'Book an executive call / 安排高层通话',
      dueDate: '2026-10-04',
      priority: 'high',
    });
    expect(task?.body).toContain('30 天后续约');
    // Same week → same key; next week or another action → another key.
    expect(taskForTopAction({ ...high, computedAt: '2026-10-02T10:00:00.000Z' })?.key).toBe(task?.key);
    expect(taskForTopAction({ ...high, computedAt: '2026-10-08T10:00:00.000Z' })?.key).not.toBe(task?.key);
    const other: ScoreSet = {
      ...high,
      nextBestActions: [{ ...(high.nextBestActions[0] as ScoreSet['nextBestActions'][number]), actionId: 'training' }],
    };
    expect(taskForTopAction(other)?.key).not.toBe(task?.key);
    expect(taskForTopAction(makeScore(tenantId, 'salesforce:001A', 0.1))).toBeUndefined();
    expect(taskForTopAction(makeScore(tenantId, 'salesforce:001A', 0.1), { bands: ['low'] })?.priority).toBe('low');
    expect(taskForTopAction({ ...high, nextBestActions: [] })).toBeUndefined();
  });

  it('creates tasks in the CRM once, however often the step runs', async () => {
    const sandbox = await startSalesforceSandbox({ seed: 15, accounts: 12, rows, packageInstalled: true });
    try {
      const audits: unknown[] = [];
      const links: { accountId: string; taskId: string }[] = [];
      const store = {
        appendAudit: (a: unknown) => audits.push(a),
        linkActionTask: (_t: TenantId, r: { accountId: string }, taskId: string) => links.push({ accountId: r.accountId, taskId }),
      } as unknown as Store;
      const connector = new SalesforceConnector({
        tenantId,
        orgKey: 'tasks-step',
        instanceUrl: sandbox.url,
        accessToken: '00D8d0000000SBX!sandbox-static-token',
        namespace: null,
      });
      const ids = [...sandbox.state.org.table('Account').keys()];
      const scores = ids.map((id, i) => makeScore(tenantId, `salesforce:${id}`, i % 2 === 0 ? 0.9 : 0.1));
      const first = await createTasksStep(store, connector, tenantId, [...scores, makeScore(tenantId, 'hubspot:1', 0.9)]);
      expect(first).toEqual({ created: 6, exists: 0, skipped: 6, failed: [], unsupported: false });
      const again = await createTasksStep(store, connector, tenantId, scores);
      expect(again).toMatchObject({ created: 0, exists: 6 });
      // Each recommendation is linked to its task, found again (same task) on the second run.
      expect(links).toHaveLength(12);
      expect(links.slice(6)).toEqual(links.slice(0, 6));
      expect([...sandbox.state.org.table('Task').values()].filter((t) => typeof t.SE_Action_Key__c === 'string')).toHaveLength(6);
      expect(audits).toHaveLength(2);
      const { createTasks: _none, ...withoutTasks } = { provider: 'file' as const, createTasks: undefined };
      expect(await createTasksStep(store, withoutTasks as never, tenantId, [makeScore(tenantId, 'file:1', 0.9)])).toMatchObject({
        unsupported: true,
        skipped: 1,
      });
    } finally {
      await sandbox.close();
    }
  });
});
