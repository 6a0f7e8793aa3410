import { Router } from 'express';
import { z } from 'zod';
import { RiskBandSchema, SuccessEngineError, type AccountId } from '../../core';
import type { Store } from '../../core/ports/store.port';
import { principalOf, requireRole } from './auth.middleware';

const limitQuery = z.coerce.number().int().min(1).max(1000);

function parseQuery<S extends z.ZodType>(schema: S, value: unknown, name: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new SuccessEngineError('HTTP.BAD_REQUEST', `query parameter "${name}": ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data;
}

/**
 * The score API read by cards and the console. Reads only: scoring happens in workers.
 * Every read is scoped to the tenant of the caller's token.
 */
export function scoreApiRouter(store: Store): Router {
  const router = Router();

  router.get('/scores', async (req, res) => {
    const { tenantId } = principalOf(res);
    const limit = req.query.limit === undefined ? 100 : parseQuery(limitQuery, req.query.limit, 'limit');
    const band = req.query.band === undefined ? undefined : parseQuery(RiskBandSchema, req.query.band, 'band');
    const scores = (await store.latestScores(tenantId))
      .filter((s) => band === undefined || s.churn.band === band)
      .sort((a, b) => b.churn.probability - a.churn.probability)
      .slice(0, limit);
    res.json({ scores });
  });

  router.get('/accounts/:accountId', async (req, res) => {
    const { tenantId } = principalOf(res);
    const accountId = req.params.accountId as AccountId;
    const account = await store.getRecord(tenantId, 'account', accountId);
    if (!account) throw new SuccessEngineError('HTTP.NOT_FOUND', `no account ${accountId}`);
    const history = await store.scoreHistory(tenantId, accountId, { limit: 30 });
    res.json({
      account: {
        id: account.id,
        name: account.name,
        ownerId: account.ownerId ?? null,
        arr: account.arr ?? null,
        currency: account.currency ?? null,
        renewalDate: account.renewalDate ?? null,
        status: account.status,
      },
      score: history[0] ?? null,
      trend: history.map((s) => ({ computedAt: s.computedAt, probability: s.churn.probability, band: s.churn.band })).reverse(),
    });
  });

  router.get('/accounts/:accountId/scores', async (req, res) => {
    const { tenantId } = principalOf(res);
    const limit = req.query.limit === undefined ? 100 : parseQuery(limitQuery, req.query.limit, 'limit');
    const accountId = req.params.accountId as AccountId;
    // As /accounts/:id does: an account of another tenant (or none) is not found, not an empty history.
    if (!(await store.getRecord(tenantId, 'account', accountId))) throw new SuccessEngineError('HTTP.NOT_FOUND', `no account ${accountId}`);
    res.json({ scores: await store.scoreHistory(tenantId, accountId, { limit }) });
  });

  router.get('/admin/audit', requireRole('admin'), async (req, res) => {
    const { tenantId } = principalOf(res);
    const limit = req.query.limit === undefined ? 200 : parseQuery(limitQuery, req.query.limit, 'limit');
    res.json({ entries: await store.listAudit(tenantId, { limit }) });
  });

  router.get('/admin/models', requireRole('admin'), async (req, res) => {
    const { tenantId } = principalOf(res);
    const task = typeof req.query.task === 'string' ? req.query.task : undefined;
    res.json({ models: (await store.listModels(tenantId, task)).map(({ artifact: _artifact, ...model }) => model) });
  });

  return router;
}
