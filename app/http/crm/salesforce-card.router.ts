import express, { type Router } from 'express';
import { z } from 'zod';
import type { Store } from '../../../core/ports/store.port';
import { authenticate, principalOf, refuseRepTokens } from '../auth.middleware';
import { FeedbackBodySchema, loadCard, parseOr400, recordFeedback, type CardObjectType, type CrmCardDeps } from './crm-card.service';

export interface SalesforceCardRouterDeps extends CrmCardDeps {
  /** Resolves the per-tenant API token the org's Named Credential sends (and, when it can, its full role: rep tokens are refused). */
  tokens: Pick<Store, 'resolveApiToken' | 'resolveStaffToken'>;
}

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const OBJECT_TYPES: Record<string, CardObjectType> = { Account: 'account', Opportunity: 'opportunity' };

/** The 18-character, case-safe form of a Salesforce id (the form the API and our store use). */
export function salesforceId18(id: string): string {
  if (id.length !== 15) return id;
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id.charAt(block * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345'.charAt(bits);
  }
  return id + suffix;
}

const CardQuerySchema = z.object({
  objectType: z.string().refine((v) => v in OBJECT_TYPES, 'must be Account or Opportunity'),
  recordId: z.string().regex(SALESFORCE_ID, 'must be a 15- or 18-character Salesforce id'),
});
const UserHeaderSchema = z.string().regex(SALESFORCE_ID, 'X-SE-User-Id must be the Salesforce user id');

/**
 * The routes the Salesforce LWC reaches through its Apex controller and the `SuccessEngine`
 * Named Credential, mounted before API-token authentication (e.g. at `/crm/salesforce`):
 * `GET /card?objectType=Account|Opportunity&recordId=…` and `POST /card/feedback`.
 *
 * Authentication: the Named Credential's External Credential holds a per-tenant API token
 * (`Authorization: Bearer se_…`, issued for the tenant), so the tenant comes from the token and
 * never from the request. The Apex controller (with sharing, after reading the record in user mode)
 * sends the running user's id in `X-SE-User-Id`; we check that user's access again (403).
 */
export function createSalesforceCardRouter(deps: SalesforceCardRouterDeps): Router {
  const router = express.Router();
  router.use(authenticate(deps.tokens));
  // The user comes from X-SE-User-Id: a rep token could name someone else and see their records.
  router.use(refuseRepTokens(deps.tokens));
  router.use(express.json({ limit: '64kb' }));

  const cardRequest = (req: express.Request, res: express.Response) => {
    const query = parseOr400(CardQuerySchema, req.query, 'query');
    const userId = parseOr400(UserHeaderSchema, req.get('x-se-user-id'), 'header X-SE-User-Id');
    return {
      tenantId: principalOf(res).tenantId,
      provider: 'salesforce' as const,
      crmUserId: salesforceId18(userId),
      objectType: OBJECT_TYPES[query.objectType] as CardObjectType,
      externalId: salesforceId18(query.recordId),
    };
  };

  router.get('/card', async (req, res) => {
    const request = cardRequest(req, res);
    res.set('Cache-Control', 'no-store');
    res.json(await loadCard(deps, request));
  });

  router.post('/card/feedback', async (req, res) => {
    const request = cardRequest(req, res);
    const body = parseOr400(FeedbackBodySchema, req.body, 'body');
    res.set('Cache-Control', 'no-store');
    res.json(await recordFeedback(deps, { ...request, ...body }));
  });

  return router;
}
