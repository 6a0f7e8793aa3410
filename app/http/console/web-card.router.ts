import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { parseOrThrow, SuccessEngineError, type AccountId, type Store } from '../../../core';
import { buildCardView, CARD_LABELS } from '../../../ui-extension/shared/card.view-model';
import { authenticate, principalOf } from '../auth.middleware';
import { recordCardFeedback } from './action-feedback';
import { defaultWebAssetsDir, pageSecurityHeaders, pageShell, webAssetsRouter } from './web-assets';

export interface WebCardDeps {
  store: Store;
  /** Built bundles (default: dist/ui-extension/web/static next to the compiled server). */
  assetsDir?: string;
  /** Who may frame the card (CSP frame-ancestors), e.g. the CRM origins; default same origin only. */
  frameAncestors?: readonly string[];
  now?: () => Date;
  /**
   * Record visibility per CRM user (e.g. app/install `requireRecordAccess(checker)`), run after the
   * token check on every account route. Without it any token of the tenant reads any of its cards.
   */
  recordAccess?: RequestHandler;
}

const FeedbackSchema = z.object({ status: z.enum(['completed', 'dismissed']) }).strict();

/**
 * The embeddable web card, mounted at `/card`:
 * - `GET /card/accounts/:accountId` the page (an empty shell; no token, no CRM data in it);
 * - `GET /card/api/accounts/:accountId` card.v1 JSON, `Authorization: Bearer <reader or admin token>`;
 * - `POST /card/api/accounts/:accountId/actions/:actionId/feedback` `{status: completed|dismissed}`.
 * The page takes its token from the URL fragment (`#token=…`), which browsers never send to a
 * server, so it stays out of access logs and Referer headers (see docs/console.md).
 */
export function createWebCardRouter(deps: WebCardDeps): Router {
  const now = deps.now ?? (() => new Date());
  const router = Router();
  const headers = pageSecurityHeaders({ frameAncestors: deps.frameAncestors ?? ["'self'"] });

  router.use('/assets', headers, webAssetsRouter(deps.assetsDir ?? defaultWebAssetsDir()));

  router.get('/accounts/:accountId', headers, (req, res) => {
    res.set('Cache-Control', 'no-store');
    res
      .type('html')
      .send(pageShell({ title: 'Success Engine', base: req.baseUrl, script: 'card.js', style: 'card.css', bodyClass: 'se-card-page' }));
  });

  const api = Router();
  api.use(headers, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  api.use(express.json({ limit: '16kb' }));
  api.use(authenticate(deps.store));
  const access: RequestHandler = deps.recordAccess ?? ((_req, _res, next) => next());

  api.get('/accounts/:accountId', access, async (req, res) => {
    const { tenantId } = principalOf(res);
    const accountId = req.params.accountId as AccountId;
    const account = await deps.store.getRecord(tenantId, 'account', accountId);
    if (!account) throw new SuccessEngineError('HTTP.NOT_FOUND', `no account ${accountId}`);
    const history = await deps.store.scoreHistory(tenantId, accountId, { limit: 30 });
    res.json({ card: buildCardView({ account, history, now: now() }), labels: CARD_LABELS });
  });

  api.post('/accounts/:accountId/actions/:actionId/feedback', access, async (req, res) => {
    const principal = principalOf(res);
    const accountId = req.params.accountId as AccountId;
    if (!(await deps.store.getRecord(principal.tenantId, 'account', accountId)))
      throw new SuccessEngineError('HTTP.NOT_FOUND', `no account ${accountId}`);
    const { status } = parseOrThrow(FeedbackSchema, req.body, 'feedback');
    const outcome = await recordCardFeedback(deps.store, {
      tenantId: principal.tenantId,
      accountId,
      actionId: String(req.params.actionId),
      status,
      actor: `token:${principal.label}`,
      now: now(),
    });
    res.status(201).json({ outcome });
  });

  router.use('/api', api);
  return router;
}
