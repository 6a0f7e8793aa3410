import { createHmac } from 'node:crypto';
import type { Router } from 'express';
import { systemClock, type LocalizedText, type TenantId } from '../../core';
import { crmAppsFromConfig } from '../crm-modules';
import type { Store } from '../../core';
import {
  createInstallRouter,
  createTenantAdminRouter,
  createTenantEraser,
  RecordAccessChecker,
  requireRecordAccess,
  type InstallDeps,
  type InstallSettings,
} from '../install';
import type { Metrics } from '../observability/metrics';
import type { JobQueue } from '../queue/job-queue';
import { StoreConnectionDirectory } from './connection-directory';
import { createConsoleRouter } from './console/console.router';
import { createWebCardRouter } from './console/web-card.router';
import type { CardObjectType, CardProvider } from './crm/crm-card.service';
import { createHubSpotCardRouter } from './crm/hubspot-card.router';
import { createSalesforceCardRouter } from './crm/salesforce-card.router';

/** What the product surfaces need from config (app/config settings of the same names). */
export interface ProductSettings {
  encryptionKey: Buffer;
  publicUrl?: string | undefined;
  hubspotClientId?: string | undefined;
  hubspotClientSecret?: string | undefined;
  hubspotApiUrl: string;
  hubspotAuthorizeUrl: string;
  salesforceClientId?: string | undefined;
  salesforceClientSecret?: string | undefined;
  salesforceLoginUrl: string;
  /** Secrets that may sign hubspot.fetch card requests: the app's client secret, plus any during a rotation. */
  hubspotCardSecrets?: readonly string[];
  /** Origins allowed to frame the web card (CSP frame-ancestors), e.g. the CRM's. */
  frameAncestors?: readonly string[];
}

export interface ProductRouter {
  name: 'web-card' | 'console' | 'hubspot-card' | 'salesforce-card' | 'install';
  path: string;
  router?: Router;
  detail: LocalizedText;
}

/** Install and the OAuth state key are separate uses of the one secret; derive, never reuse. */
function derivedKey(key: Buffer, purpose: string): Buffer {
  return createHmac('sha256', key).update(`success-engine:${purpose}`).digest();
}

/** Install needs a queue for the backfill; without Redis it is refused with a clear reason. */
const noQueue: JobQueue = {
  enqueue: () => Promise.reject(new Error('install needs REDIS_URL: the backfill is queued for the workers')),
  close: () => Promise.resolve(),
};

function installSettings(settings: ProductSettings): InstallSettings | null {
  if (!settings.publicUrl) return null;
  const apps = crmAppsFromConfig(settings);
  if (!Object.values(apps).some(Boolean)) return null;
  return { stateSecret: derivedKey(settings.encryptionKey, 'oauth-state'), publicBaseUrl: settings.publicUrl, ...apps };
}

/**
 * The routers people and CRMs reach: the web card and console (API tokens), the HubSpot card
 * (hubspot.fetch, v3-signed), the Salesforce card (Named Credential token) and the marketplace
 * install. Each is on when its settings are present; the detail says why when it is off.
 */
export function productRouters(deps: {
  store: Store;
  metrics: Metrics;
  queue: JobQueue | null;
  settings: ProductSettings;
  webAssetsDir?: string;
}): ProductRouter[] {
  const { store, metrics, settings } = deps;
  const install = installSettings(settings);
  const installDeps: InstallDeps = {
    store,
    queue: deps.queue ?? noQueue,
    clock: systemClock,
    settings: install ?? {
      stateSecret: derivedKey(settings.encryptionKey, 'oauth-state'),
      publicBaseUrl: settings.publicUrl ?? 'http://127.0.0.1',
    },
  };
  const checker = new RecordAccessChecker(installDeps);
  const canUserSeeRecord = async (
    tenantId: TenantId,
    provider: CardProvider,
    crmUserId: string,
    objectType: CardObjectType,
    externalId: string,
  ) => (await checker.canUserSeeRecord(tenantId, crmUserId, { provider, objectType, externalId })).allowed;
  const directory = new StoreConnectionDirectory(store);

  const routers: ProductRouter[] = [
    {
      name: 'web-card',
      path: '/card',
      router: createWebCardRouter({
        store,
        recordAccess: requireRecordAccess(checker),
        ...(deps.webAssetsDir ? { assetsDir: deps.webAssetsDir } : {}),
        ...(settings.frameAncestors ? { frameAncestors: settings.frameAncestors } : {}),
      }),
      detail: { en: '/card/accounts/:id (reader token in the URL fragment)', zh: '/card/accounts/:id（读者令牌放在 URL 片段中）' },
    },
    {
      name: 'console',
      path: '/console',
      router: createConsoleRouter({
        store,
        metrics,
        eraser: createTenantEraser(installDeps),
        queue: deps.queue,
        ...(deps.webAssetsDir ? { assetsDir: deps.webAssetsDir } : {}),
      }),
      detail: { en: '/console/ (admin token)', zh: '/console/（需管理员令牌）' },
    },
    {
      name: 'salesforce-card',
      path: '/crm/salesforce',
      router: createSalesforceCardRouter({ store, tokens: store, canUserSeeRecord }),
      detail: { en: '/crm/salesforce/card (Named Credential token)', zh: '/crm/salesforce/card（具名凭据令牌）' },
    },
  ];
  const cardSecrets = settings.hubspotCardSecrets ?? (settings.hubspotClientSecret ? [settings.hubspotClientSecret] : []);
  routers.push(
    cardSecrets.length > 0
      ? {
          name: 'hubspot-card',
          path: '/crm/hubspot',
          router: createHubSpotCardRouter({
            store,
            canUserSeeRecord,
            clientSecrets: cardSecrets,
            resolveTenant: async (_provider, portalId) => (await directory.resolve('hubspot', portalId))[0]?.tenantId ?? null,
            ...(settings.publicUrl ? { publicBaseUrl: settings.publicUrl } : {}),
          }),
          detail: { en: '/crm/hubspot/card (hubspot.fetch, v3 signature)', zh: '/crm/hubspot/card（hubspot.fetch，v3 签名）' },
        }
      : {
          name: 'hubspot-card',
          path: '/crm/hubspot',
          detail: {
            en: 'off: no SE_HUBSPOT_CLIENT_SECRET to check hubspot.fetch signatures',
            zh: '未启用：缺少 SE_HUBSPOT_CLIENT_SECRET，无法校验 hubspot.fetch 签名',
          },
        },
  );
  if (!install) {
    routers.push({
      name: 'install',
      path: '/install',
      detail: {
        en: 'off: needs SE_PUBLIC_URL and a HubSpot or Salesforce app (client id and secret)',
        zh: '未启用：需要 SE_PUBLIC_URL 以及 HubSpot 或 Salesforce 应用（客户端 ID 和密钥）',
      },
    });
  } else if (!deps.queue) {
    routers.push({
      name: 'install',
      path: '/install',
      detail: { en: 'off: needs REDIS_URL (the backfill is queued for the workers)', zh: '未启用：需要 REDIS_URL（回填任务交给工作进程）' },
    });
  } else {
    routers.push({
      name: 'install',
      path: '/install',
      router: createInstallRouter(installDeps),
      detail: {
        en: `/install/<crm> → OAuth → ${install.publicBaseUrl}/install/<crm>/callback`,
        zh: `/install/<crm> → OAuth → ${install.publicBaseUrl}/install/<crm>/callback`,
      },
    });
    routers.push({
      name: 'install',
      path: '/api/v1/tenant',
      router: createTenantAdminRouter(installDeps),
      detail: { en: '/api/v1/tenant (admin: export, uninstall)', zh: '/api/v1/tenant（管理员：导出、卸载）' },
    });
  }
  return routers;
}
