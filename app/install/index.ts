/** Install, uninstall and access control (#10): what `serve`, the worker and the card routes use. */
export { createInstallRouter, createTenantAdminRouter } from './install.router';
export { authorizeUrl, completeInstall, type InstallResult } from './install.service';
export {
  eraseDueTenants,
  HubSpotUninstallPoller,
  probeSalesforceInstall,
  uninstallTenant,
  type UninstallReason,
  type UninstallResult,
} from './uninstall.service';
export { RecordAccessChecker, recordRefFromCanonicalId, requireRecordAccess, type AccessDecision, type RecordRef } from './record-access';
export { authenticateStaff, requireStaffRole, staffOf } from './staff-auth.middleware';
export { backfillEntities, openConnector } from './connector-factory';
export { createTenantEraser } from './tenant-eraser';
export { DEFAULT_ERASURE_GRACE_MS, type InstallDeps, type InstallSettings } from './install.types';
