import path from 'node:path';
import { fixedClock, type ConnectionId, type TenantId } from '../../core';
import { syncEntity } from '../../app/pipeline/sync.step';
import { createTasksStep } from '../../app/pipeline/tasks.step';
import { HubSpotConnector } from '../../connectors/hubspot/hubspot.connector';
import { SalesforceConnector } from '../../connectors/salesforce/salesforce.connector';
import { startHubSpotSandbox } from '../../sandbox/hubspot/hubspot-sandbox.server';
import { generateBook } from '../../sandbox/seed/book.generator';
import { startSalesforceSandbox } from '../../sandbox/salesforce/salesforce-sandbox.server';
import { sfDateTime } from '../../sandbox/salesforce/salesforce-state';
import { readTelcoCsv } from '../../sandbox/seed/telco.reader';
import { openTestStore } from '../helpers/test-store';
import { makeScore } from '../contract/connector-contract.suite';

const CSV = path.resolve(__dirname, '../../../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv');
const tenantId = 'tenant-task-outcomes' as TenantId;
const connectionId = 'sf-main' as ConnectionId;

/**
 * Reps work in their CRM, not on our card: a recommendation whose task they complete (or defer)
 * there counts as done (or dismissed) once the next activity sync sees it, and feeds the learned
 * propensities like a card answer.
 */
describe('CRM task completion answers the recommendation it was made for', () => {
  it('marks the outcome completed or dismissed from the synced task, once, and leaves the others open', async () => {
    const clock = fixedClock('2026-10-01T00:00:00.000Z');
    const sandbox = await startSalesforceSandbox({ seed: 15, accounts: 8, rows: readTelcoCsv(CSV), clock, packageInstalled: true });
    const opened = await openTestStore({ now: () => clock.now() });
    const store = opened.store;
    try {
      await store.upsertTenant({ id: tenantId, name: 'Tasks', locale: 'en', createdAt: clock.now().toISOString() });
      const connector = new SalesforceConnector({
        tenantId,
        orgKey: 'task-outcomes',
        instanceUrl: sandbox.url,
        accessToken: '00D8d0000000SBX!sandbox-static-token',
        namespace: null,
        clock,
        sleep: (ms) => {
          clock.advance(ms);
          return Promise.resolve();
        },
      });
      const target = { tenantId, connectionId, entity: 'activity' as const };
      await syncEntity(store, connector, target);

      // Three high-risk accounts get a recommendation (the pipeline's recordRecommendations) and a task.
      const scores = [...sandbox.state.org.table('Account').keys()].slice(0, 3).map((id) => makeScore(tenantId, `salesforce:${id}`, 0.9));
      for (const s of scores) {
        const top = s.nextBestActions[0];
        if (!top) throw new Error('makeScore gives one action');
        await store.recordActionOutcome(
          {
            tenantId,
            accountId: s.accountId,
            actionId: top.actionId,
            arm: 'treatment',
            recommendedAt: s.computedAt,
            status: 'open',
            completedAt: null,
            source: 'system',
            retained: null,
          },
          'pipeline',
        );
      }
      expect(await createTasksStep(store, connector, tenantId, scores)).toMatchObject({ created: 3, failed: [] });
      const ours = [...sandbox.state.org.table('Task').values()].filter((t) => typeof t.SE_Action_Key__c === 'string');
      expect(ours).toHaveLength(3);

      // The owner completes one task and defers another in Salesforce.
      clock.advance(2 * 86_400_000);
      const [done, deferred] = ours;
      if (!done || !deferred) throw new Error('three tasks were created');
      for (const [task, status] of [
        [done, 'Completed'],
        [deferred, 'Deferred'],
      ] as const) {
        clock.advance(1_000);
        task.Status = status;
        task.SystemModstamp = sfDateTime(clock.now().getTime());
        task.LastModifiedDate = task.SystemModstamp;
      }
      clock.advance(5 * 60_000);
      await syncEntity(store, connector, target);

      const outcomes = new Map((await store.listActionOutcomes(tenantId)).map((o) => [o.accountId, o]));
      expect(outcomes.get(`salesforce:${String(done.WhatId)}`)).toMatchObject({
        status: 'completed',
        source: 'crm-task',
        completedAt: new Date(Date.parse(String(done.SystemModstamp).replace(/\+0000$/, 'Z'))).toISOString(),
      });
      expect(outcomes.get(`salesforce:${String(deferred.WhatId)}`)).toMatchObject({
        status: 'dismissed',
        source: 'crm-task',
        completedAt: null,
      });
      expect([...outcomes.values()].filter((o) => o.status === 'open')).toHaveLength(1);

      // A card answer given afterwards still wins; a later sync of the same task does not undo it.
      const card = outcomes.get(`salesforce:${String(deferred.WhatId)}`);
      if (!card) throw new Error('outcome exists');
      await store.recordActionOutcome({ ...card, status: 'completed', completedAt: clock.now().toISOString(), source: 'card' }, 'rep');
      clock.advance(1_000);
      deferred.Subject = `${String(deferred.Subject)} (edited)`;
      deferred.SystemModstamp = sfDateTime(clock.now().getTime());
      clock.advance(5 * 60_000);
      await syncEntity(store, connector, target);
      expect((await store.listActionOutcomes(tenantId, { accountId: card.accountId }))[0]).toMatchObject({
        status: 'completed',
        source: 'card',
      });
    } finally {
      await opened.close();
      await sandbox.close();
    }
  });

  it('does the same for HubSpot tasks marked completed or deferred', async () => {
    const clock = fixedClock('2026-10-01T00:00:00.000Z');
    const sandbox = await startHubSpotSandbox({
      book: generateBook({ seed: 7, accounts: 6, rows: readTelcoCsv(CSV) }),
      tier: 'free',
      clock,
      privateAppTokens: ['pat-na1-task-outcomes'],
    });
    const opened = await openTestStore({ now: () => clock.now() });
    const store = opened.store;
    try {
      await store.upsertTenant({ id: tenantId, name: 'Tasks', locale: 'en', createdAt: clock.now().toISOString() });
      const connector = new HubSpotConnector({
        tenantId,
        portalKey: 'task-outcomes',
        basePath: sandbox.url,
        accessToken: 'pat-na1-task-outcomes',
        clock,
        sleep: (ms) => {
          clock.advance(ms);
          return Promise.resolve();
        },
      });
      const target = { tenantId, connectionId: 'hubspot-main' as ConnectionId, entity: 'activity' as const };
      await syncEntity(store, connector, target);
      const scores = [...sandbox.state.portal.table('companies').keys()].slice(0, 2).map((id) => makeScore(tenantId, `hubspot:${id}`, 0.9));
      for (const s of scores)
        await store.recordActionOutcome(
          {
            tenantId,
            accountId: s.accountId,
            actionId: 'exec-call',
            arm: 'treatment',
            recommendedAt: s.computedAt,
            status: 'open',
            completedAt: null,
            source: 'system',
            retained: null,
          },
          'pipeline',
        );
      expect(await createTasksStep(store, connector, tenantId, scores)).toMatchObject({ created: 2, failed: [] });

      const ourTask = (accountId: string | undefined) => {
        const companyId = (accountId ?? '').replace(/^hubspot:/, '');
        const [taskId] = sandbox.state.portal
          .associationsOf('companies', companyId, 'tasks')
          .map(([id]) => id)
          .filter((id) => typeof sandbox.state.portal.table('tasks').get(id)?.properties.se_action_key === 'string');
        const task = taskId ? sandbox.state.portal.table('tasks').get(taskId) : undefined;
        if (!task) throw new Error('the task was created on the company');
        return task;
      };
      clock.advance(86_400_000);
      const now = clock.now().toISOString();
      for (const [accountId, status] of [
        [scores[0]?.accountId, 'COMPLETED'],
        [scores[1]?.accountId, 'DEFERRED'],
      ] as const) {
        const task = ourTask(accountId);
        Object.assign(task.properties, { hs_task_status: status, hs_lastmodifieddate: now });
        task.updatedAt = now;
      }
      clock.advance(5 * 60_000);
      await syncEntity(store, connector, target);

      const outcomes = await store.listActionOutcomes(tenantId);
      expect(outcomes.find((o) => o.accountId === scores[0]?.accountId)).toMatchObject({
        status: 'completed',
        source: 'crm-task',
        completedAt: now,
      });
      expect(outcomes.find((o) => o.accountId === scores[1]?.accountId)).toMatchObject({
        status: 'dismissed',
        source: 'crm-task',
        completedAt: null,
      });
    } finally {
      await opened.close();
      await sandbox.close();
    }
  });
});
