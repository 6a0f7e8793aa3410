import type { LocalizedText, TenantId } from '../../../core';

/**
 * What the console's "Delete all data" button calls. Install/uninstall (app/install) implements the
 * real erasure; until the lead connects it, the console runs on `notConnectedEraser`, which says so.
 */
export interface TenantEraser {
  /** What pressing the button will do, shown before the typed confirmation. */
  describe(): LocalizedText;
  erase(tenantId: TenantId, request: { actor: string; reason: string }): Promise<{ done: boolean; message: LocalizedText }>;
}

export const notConnectedEraser: TenantEraser = {
  describe: () => ({
    en: 'Tenant erasure is not connected in this server yet: confirming records the request in the audit log but deletes nothing.',
    zh: '此服务器尚未接入租户数据删除功能：确认后只会在审计日志中记录请求，不会删除任何数据。',
  }),
  erase: () =>
    Promise.resolve({
      done: false,
      message: {
        en: 'Not connected: nothing was deleted. The request is in the audit log.',
        zh: '未接入：没有删除任何数据。请求已记录在审计日志中。',
      },
    }),
};
