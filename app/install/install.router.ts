import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { isSuccessEngineError, SuccessEngineError } from '../../core';
import { isCrmProvider } from '../crm-modules';
import { authorizeUrl, completeInstall } from './install.service';
import type { InstallDeps } from './install.types';
import type { InstallProvider } from './oauth-state';
import { authenticateStaff, requireStaffRole, staffOf } from './staff-auth.middleware';
import { uninstallTenant } from './uninstall.service';

const STATUS: Record<string, number> = {
  'INSTALL.BAD_STATE': 400,
  'INSTALL.CODE_REJECTED': 400,
  'INSTALL.NOT_CONFIGURED': 404,
  'HTTP.BAD_REQUEST': 400,
  'STORE.NOT_FOUND': 404,
  'CONNECTOR.SCHEMA_MISSING': 409,
};

const MESSAGES: Record<string, { en: string; zh: string }> = {
  'INSTALL.BAD_STATE': {
    en: 'This install link is invalid or has expired. Start the install again from the marketplace.',
    zh: '此安装链接无效或已过期，请从应用市场重新开始安装。',
  },
  'INSTALL.CODE_REJECTED': {
    en: 'The CRM did not accept the authorization. Start the install again.',
    zh: 'CRM 未接受此次授权，请重新开始安装。',
  },
  'INSTALL.NOT_CONFIGURED': { en: 'This CRM is not enabled on this server.', zh: '此服务器未启用该 CRM。' },
  'CONNECTOR.SCHEMA_MISSING': {
    en: 'Install the Success Engine package in this Salesforce org first, then connect again.',
    zh: '请先在此 Salesforce 组织中安装 Success Engine 软件包，然后重新连接。',
  },
  'INSTALL.DENIED': { en: 'The install was cancelled in the CRM; nothing was connected.', zh: '已在 CRM 中取消安装，未建立任何连接。' },
};

function provider(req: Request): InstallProvider {
  const p = String(req.params.provider);
  if (!isCrmProvider(p)) throw new SuccessEngineError('INSTALL.NOT_CONFIGURED', `unknown CRM ${p}`);
  return p;
}

/** Our codes become 4xx with an English and Chinese message; anything else goes to the server's handler. */
function answer(error: unknown, res: Response, next: NextFunction): void {
  if (isSuccessEngineError(error) && STATUS[error.code] !== undefined) {
    res
      .status(STATUS[error.code] as number)
      .json({ error: { code: error.code, message: error.message, ...(MESSAGES[error.code] ? { text: MESSAGES[error.code] } : {}) } });
    return;
  }
  next(error);
}

/**
 * Marketplace install, mounted at `/install` (before API authentication: the installing user has
 * no token yet):
 * - `GET /install/:provider` → 302 to the CRM's consent page with a signed one-time state;
 * - `GET /install/:provider/callback?code&state` → 201 `{tenantId, adminToken, schema, backfillJob}`.
 */
export function createInstallRouter(deps: InstallDeps): Router {
  const router = express.Router();
  router.get('/:provider', (req, res, next) => {
    try {
      res.redirect(302, authorizeUrl(deps, provider(req)));
    } catch (error) {
      answer(error, res, next);
    }
  });
  router.get('/:provider/callback', async (req, res, next) => {
    try {
      const p = provider(req);
      if (typeof req.query.error === 'string') {
        res
          .status(400)
          .json({ error: { code: 'INSTALL.DENIED', message: `the CRM answered ${req.query.error}`, text: MESSAGES['INSTALL.DENIED'] } });
        return;
      }
      const { code, state } = req.query;
      if (typeof code !== 'string' || typeof state !== 'string')
        throw new SuccessEngineError('HTTP.BAD_REQUEST', 'the callback needs both "code" and "state" query parameters');
      const result = await completeInstall(deps, p, code, state);
      res.status(201).json(result);
    } catch (error) {
      answer(error, res, next);
    }
  });
  return router;
}

/**
 * The tenant's own lifecycle, for its admins; mount at `/api/v1/tenant` (it authenticates itself):
 * - `GET /export` streams every row of every tenant table as NDJSON (secrets left out);
 * - `GET /lifecycle` install state and, after an uninstall, when the data will be erased;
 * - `POST /uninstall` revokes the CRM tokens and schedules erasure (grace period, see docs/install.md);
 * - `DELETE /?confirm=<tenantId>` erases now; the response is the tenant-free receipt.
 */
export function createTenantAdminRouter(deps: InstallDeps): Router {
  const router = express.Router();
  router.use(authenticateStaff(deps.store), requireStaffRole('admin'));

  router.get('/export', async (_req, res) => {
    const { tenantId } = staffOf(res);
    res.status(200).set({
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${tenantId}-export.ndjson"`,
      'cache-control': 'no-store',
    });
    const write = (line: unknown): Promise<void> =>
      new Promise((resolve) => {
        if (res.write(`${JSON.stringify(line)}\n`)) resolve();
        else res.once('drain', () => resolve());
      });
    await write({ format: 'success-engine.export.v1', tenantId, exportedAt: deps.clock.now().toISOString() });
    let rows = 0;
    for await (const { table, row } of deps.store.exportTenant(tenantId)) {
      await write({ table, row });
      rows++;
    }
    await deps.store.appendAudit({
      tenantId,
      at: deps.clock.now().toISOString(),
      actor: `api:${staffOf(res).label}`,
      action: 'tenant.exported',
      target: tenantId,
      details: { rows },
    });
    res.end();
  });

  router.get('/lifecycle', async (_req, res) => {
    res.json({ lifecycle: await deps.store.tenantLifecycle(staffOf(res).tenantId) });
  });

  router.post('/uninstall', async (_req, res, next) => {
    try {
      const principal = staffOf(res);
      const result = await uninstallTenant(deps, principal.tenantId, 'admin-uninstall', {
        actor: `api:${principal.label}`,
        revokeAtCrm: true,
      });
      res.status(202).json(result);
    } catch (error) {
      answer(error, res, next);
    }
  });

  router.delete('/', async (req, res, next) => {
    try {
      const { tenantId } = staffOf(res);
      if (req.query.confirm !== tenantId)
        throw new SuccessEngineError(
          'HTTP.BAD_REQUEST',
          `erasing deletes every row of the tenant; repeat the tenant id as ?confirm=${tenantId}`,
        );
      res.json({ receipt: await deps.store.eraseTenant(tenantId, 'admin-erase') });
    } catch (error) {
      answer(error, res, next);
    }
  });
  return router;
}
