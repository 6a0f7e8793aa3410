import type { LocalizedText, TenantId } from '../../core';
import { uninstallTenant } from './uninstall.service';
import type { InstallDeps } from './install.types';

/**
 * The console's "Delete all data" (it takes any object of this shape as its `eraser`): revoke our
 * CRM access, then erase every row of the tenant at once, keeping only the tenant-free receipt
 * (docs/install.md). The confirmation is the console's job.
 */
export function createTenantEraser(deps: InstallDeps): {
  describe(): LocalizedText;
  erase(tenantId: TenantId, request: { actor: string; reason: string }): Promise<{ done: boolean; message: LocalizedText }>;
} {
  return {
    describe: () => ({
      en: 'Revokes Success Engine’s access to your CRM, then deletes every row of this tenant at once: records, scores, models, settings, tokens and the audit log. Only a receipt without your tenant id is kept. Download the export first.',
      zh: '撤销 Success Engine 对您 CRM 的访问权限，然后立即删除此租户的全部数据：记录、评分、模型、设置、令牌和审计日志。仅保留一份不含租户 ID 的删除凭证。请先下载导出文件。',
    }),
    async erase(tenantId, request) {
      // With no grace period configured, the uninstall has erased already; never erase twice.
      const uninstalled =
        (await deps.store.listConnections(tenantId)).length > 0
          ? await uninstallTenant(deps, tenantId, 'admin-uninstall', { actor: request.actor, revokeAtCrm: true })
          : null;
      const receipt = uninstalled?.receipt ?? (await deps.store.eraseTenant(tenantId, 'admin-erase'));
      const rows = Object.values(receipt.rowCounts).reduce((a, b) => a + b, 0);
      return {
        done: true,
        message: {
          en: `Deleted ${rows} rows. Erasure receipt ${receipt.tenantHash.slice(0, 12)}… kept without your tenant id.`,
          zh: `已删除 ${rows} 行数据。删除凭证 ${receipt.tenantHash.slice(0, 12)}… 已保留（不含租户 ID）。`,
        },
      };
    },
  };
}
