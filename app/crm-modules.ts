import { SuccessEngineError, type Provider } from '../core';
import { fileSource } from '../connectors/file/file.module';
import { hubspotModule, type HubSpotApp } from '../connectors/hubspot/hubspot.module';
import type { CrmBinding, CrmModule, SourceModule } from '../connectors/shared/crm-module';
import { salesforceModule } from '../connectors/salesforce/salesforce.module';
import type { SalesforceApp } from '../connectors/salesforce/salesforce-session';
import { HUBSPOT_OPTIONAL_SCOPES, HUBSPOT_REQUIRED_SCOPES } from '../manifests/crm-manifests';
import type { AppConfig } from './config/config';

/** The product's own app in each CRM's marketplace, from config; absent when not configured. */
export interface CrmApps {
  hubspot?: HubSpotApp | undefined;
  salesforce?: SalesforceApp | undefined;
}

/** A registered CRM: its module, and where its app settings sit in `CrmApps`. */
export interface RegisteredCrm {
  module: CrmModule<unknown>;
  bind(apps: CrmApps): CrmBinding;
}

function register<App>(module: CrmModule<App>, appOf: (apps: CrmApps) => App | undefined): RegisteredCrm {
  return { module, bind: (apps) => module.bind(appOf(apps)) };
}

/**
 * The only list of CRMs: install, workers, record access, inbound events and the console all read
 * it, so adding a CRM is its folder under connectors/, its sandbox, and one line here.
 */
const CRMS: readonly RegisteredCrm[] = [
  register(hubspotModule, (apps) => apps.hubspot),
  register(salesforceModule, (apps) => apps.salesforce),
];

/** Every source of records (CRMs and file imports), e.g. for field-mapping settings. */
export const SOURCE_MODULES: readonly SourceModule[] = [...CRMS.map((c) => c.module), fileSource];

export const CRM_PROVIDERS: readonly Provider[] = CRMS.map((c) => c.module.provider);

/** The registered CRM for a provider, or a coded error (a file connection, an unknown provider). */
export function registeredCrm(provider: string): RegisteredCrm {
  const crm = CRMS.find((c) => c.module.provider === provider);
  if (!crm) throw new SuccessEngineError('INSTALL.UNSUPPORTED', `${provider} is not a CRM this product connects to over OAuth`);
  return crm;
}

/** Providers reached over OAuth (not file imports). */
export type CrmProvider = Exclude<Provider, 'file'>;

export function isCrmProvider(provider: string): provider is CrmProvider {
  return CRMS.some((c) => c.module.provider === provider);
}

export function sourceModule(provider: Provider): SourceModule {
  const source = SOURCE_MODULES.find((m) => m.provider === provider);
  if (!source) throw new SuccessEngineError('CONFIG.INVALID', `no source module for provider ${provider}`);
  return source;
}

/** The marketplace apps from the process configuration: install and workers use the same ones. */
export function crmAppsFromConfig(
  config: Pick<AppConfig, 'hubspotApiUrl' | 'hubspotAuthorizeUrl' | 'salesforceLoginUrl'> & {
    hubspotClientId?: string | undefined;
    hubspotClientSecret?: string | undefined;
    salesforceClientId?: string | undefined;
    salesforceClientSecret?: string | undefined;
  },
): CrmApps {
  return {
    hubspot:
      config.hubspotClientId && config.hubspotClientSecret
        ? {
            clientId: config.hubspotClientId,
            clientSecret: config.hubspotClientSecret,
            authorizeUrl: config.hubspotAuthorizeUrl,
            apiBaseUrl: config.hubspotApiUrl,
            scopes: Object.keys(HUBSPOT_REQUIRED_SCOPES),
            optionalScopes: Object.keys(HUBSPOT_OPTIONAL_SCOPES),
          }
        : undefined,
    salesforce:
      config.salesforceClientId && config.salesforceClientSecret
        ? { clientId: config.salesforceClientId, clientSecret: config.salesforceClientSecret, loginUrl: config.salesforceLoginUrl }
        : undefined,
  };
}
