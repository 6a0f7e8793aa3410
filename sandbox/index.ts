/** The sandbox's public surface: in-process CRM stand-ins, the seeded book, fault plans. */
export {
  ALL_SANDBOX_SCOPES,
  startHubSpotSandbox,
  type HubSpotSandbox,
  type HubSpotSandboxOptions,
  type HubSpotSandboxState,
} from './hubspot/hubspot-sandbox.server';
export { HUBSPOT_TIERS, type HubSpotTier } from './hubspot/hubspot-rate-limiter';
export type { WebhookOptions, WebhookEvent } from './hubspot/hubspot-webhooks';
export {
  startSalesforceSandbox,
  type SalesforceSandbox,
  type SalesforceSandboxOptions,
  type SalesforceSandboxState,
} from './salesforce/salesforce-sandbox.server';
export { generateBook, generateBundles, hashBundles, type BookOptions } from './seed/book.generator';
export type * from './seed/book.types';
export { readTelcoCsv, type TelcoRow } from './seed/telco.reader';
export { mulberry32, deriveSeed, type Rng } from './seed/prng';
export type { FaultPlan } from './faults';
export type { PortalProfile } from './hubspot/hubspot-catalogue';
