import { randomBytes } from 'node:crypto';
import { authorizeUrl, completeInstall } from '../../app/install/install.service';
import type { InstallDeps } from '../../app/install/install.types';
import { BullmqJobQueue } from '../../app/queue/bullmq-queue';
import { entityNames, systemClock, type Store } from '../../core';
import { startHubSpotSandbox, type HubSpotSandbox } from '../../sandbox';
import { openTestStore, type TestStore } from '../helpers/test-store';
import { redisUrl, uniquePrefix } from '../helpers/redis';
import { smallBook } from './install-harness';
import { HUBSPOT_REQUIRED_SCOPES } from '../../manifests/crm-manifests';

const CLIENT = { clientId: 'se-hubspot-client', clientSecret: 'se-hubspot-secret' };

/** The same install, with the backfill going to BullMQ on real Redis (what `serve` + workers use). */
describe('install enqueues its backfill on BullMQ', () => {
  let sandbox: HubSpotSandbox;
  let store: Store;
  let opened: TestStore;
  let queue: BullmqJobQueue;

  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({ book: smallBook(8, 2), tier: 'api-add-on', oauthClient: CLIENT });
    opened = await openTestStore({ encryptionKey: randomBytes(32) });
    store = opened.store;
    queue = new BullmqJobQueue({ redisUrl: redisUrl(), prefix: uniquePrefix('install') });
  });
  afterAll(async () => {
    await queue.close();
    await opened.close();
    await sandbox.close();
  });

  it('adds one backfill run (sync.start: pages → train → score → write-back) with the tenant and connection', async () => {
    const deps: InstallDeps = {
      store,
      queue,
      clock: systemClock,
      settings: {
        stateSecret: randomBytes(32),
        publicBaseUrl: 'http://127.0.0.1:9',
        hubspot: {
          ...CLIENT,
          authorizeUrl: `${sandbox.url}/oauth/authorize`,
          apiBaseUrl: sandbox.url,
          scopes: Object.keys(HUBSPOT_REQUIRED_SCOPES),
        },
      },
    };
    const consent = await fetch(authorizeUrl(deps, 'hubspot'), { redirect: 'manual' });
    const back = new URL(consent.headers.get('location') as string);
    const result = await completeInstall(
      deps,
      'hubspot',
      back.searchParams.get('code') as string,
      back.searchParams.get('state') as string,
    );
    const job = await queue.queue('sync.start').getJob(result.backfillJob);
    expect(job?.data).toMatchObject({
      tenantId: result.tenantId,
      connectionId: 'hubspot',
      mode: 'backfill',
      train: true,
      entities: [...entityNames],
    });
    expect(await queue.queue('sync.start').getJobCountByTypes('waiting', 'prioritized', 'delayed')).toBe(1);
    // Nothing else was queued: the pages come from the run, not one by one.
    expect(await queue.queue('sync.page').getJobCountByTypes('waiting', 'prioritized', 'delayed')).toBe(0);
  }, 60_000);
});
