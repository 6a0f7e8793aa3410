import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { SuccessEngineError, type TenantId } from '../../../core';
import { verifyHubSpotSignature } from '../../../webhooks/inbound/hubspot-signature';
import { readRawBody } from '../inbound-webhooks.router';
import { FeedbackBodySchema, loadCard, parseOr400, recordFeedback, type CardObjectType, type CrmCardDeps } from './crm-card.service';

export interface HubSpotCardRouterDeps extends CrmCardDeps {
  /** The app's client secret; several during a rotation (any one matching passes). */
  clientSecrets: readonly string[];
  /** The tenant installed in a HubSpot portal, or null when the portal has no installation. */
  resolveTenant(provider: 'hubspot', portalId: string): Promise<TenantId | null>;
  /**
   * Scheme and host HubSpot calls (`https://api.example.com`), as listed in the app's permitted
   * fetch URLs. The signature covers the full URL, and a proxy in front may change the Host.
   */
  publicBaseUrl?: string;
  nowMs?: () => number;
  maxBodyBytes?: number;
}

/** HubSpot's object type ids of the records the card sits on (and the names the card may send). */
const OBJECT_TYPES: Record<string, CardObjectType> = {
  '0-2': 'account',
  company: 'account',
  companies: 'account',
  '0-3': 'opportunity',
  deal: 'opportunity',
  deals: 'opportunity',
};

/**
 * What hubspot.fetch sends: our `objectType`/`objectId`, plus the `portalId` and `userId` HubSpot
 * appends itself. They are covered by the v3 signature (it signs the full URL), so they are trusted.
 */
const CardQuerySchema = z.object({
  objectType: z.string().refine((v) => v in OBJECT_TYPES, 'must be company (0-2) or deal (0-3)'),
  objectId: z.string().regex(/^\d{1,20}$/, 'must be a HubSpot record id'),
  portalId: z.string().regex(/^\d{1,20}$/, 'must be a HubSpot portal id'),
  userId: z.string().regex(/^\d{1,20}$/, 'must be a HubSpot user id'),
});

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unauthorized(res: Response, reason: string): void {
  res.status(401).json({
    error: {
      code: 'HTTP.UNAUTHENTICATED',
      message: `request signature ${reason}: send X-HubSpot-Signature-v3 and X-HubSpot-Request-Timestamp as hubspot.fetch does`,
    },
  });
}

/**
 * The routes the HubSpot app card calls through `hubspot.fetch`, mounted before API-token
 * authentication (e.g. at `/crm/hubspot`): `GET /card` and `POST /card/feedback`. Every request
 * must carry a valid `X-HubSpot-Signature-v3` (HMAC-SHA256 with the app's client secret over
 * method + URL + body + timestamp, checked in constant time, at most 5 minutes old). The tenant
 * comes from the signed `portalId`; the record must belong to it (404) and the signed `userId`
 * must be able to see it in HubSpot (403).
 */
export function createHubSpotCardRouter(deps: HubSpotCardRouterDeps): Router {
  if (deps.clientSecrets.length === 0)
    throw new SuccessEngineError('CONFIG.INVALID', 'createHubSpotCardRouter needs the HubSpot app client secret');
  const router = express.Router();
  const limit = deps.maxBodyBytes ?? 65_536;

  // Verifies the signature over the exact bytes, then leaves the parsed JSON body on res.locals.
  const verify = (req: Request, res: Response, next: NextFunction) => {
    readRawBody(req, limit)
      .then((raw) => {
        if (!raw.ok) {
          res.status(raw.status).json({ error: { code: 'HTTP.BAD_REQUEST', message: raw.error } });
          return;
        }
        const base = deps.publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? ''}`;
        const check = verifyHubSpotSignature(
          {
            method: req.method,
            uri: `${base.replace(/\/$/, '')}${req.originalUrl}`,
            body: raw.body,
            signatureV3: header(req, 'x-hubspot-signature-v3'),
            timestamp: header(req, 'x-hubspot-request-timestamp'),
          },
          deps.clientSecrets,
          (deps.nowMs ?? Date.now)(),
          false,
        );
        if (!check.ok) {
          unauthorized(res, check.reason);
          return;
        }
        let body: unknown = undefined;
        if (raw.body.length > 0) {
          try {
            body = JSON.parse(raw.body.toString('utf8'));
          } catch {
            throw new SuccessEngineError('HTTP.BAD_REQUEST', 'request body is not valid JSON');
          }
        }
        res.locals.body = body;
        next();
      })
      .catch(next);
  };

  const cardRequest = async (req: Request) => {
    const query = parseOr400(CardQuerySchema, req.query, 'query');
    const tenantId = await deps.resolveTenant('hubspot', query.portalId);
    if (!tenantId) throw new SuccessEngineError('HTTP.NOT_FOUND', `Success Engine is not installed in HubSpot portal ${query.portalId}`);
    return {
      tenantId,
      provider: 'hubspot' as const,
      crmUserId: query.userId,
      objectType: OBJECT_TYPES[query.objectType] as CardObjectType,
      externalId: query.objectId,
    };
  };

  router.get('/card', verify, async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.json(await loadCard(deps, await cardRequest(req)));
  });

  router.post('/card/feedback', verify, async (req, res) => {
    const request = await cardRequest(req);
    const body = parseOr400(FeedbackBodySchema, res.locals.body, 'body');
    res.set('Cache-Control', 'no-store');
    res.json(await recordFeedback(deps, { ...request, ...body }));
  });

  return router;
}
