import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCORE_FIELDS, type ScoreFieldKey } from '../../manifests/field-map';
import type { HubSpotSandbox } from '../../sandbox';
import { verifySignatureHeader } from '../../webhooks/shared/signature';

const CHURN_PROPERTY = SCORE_FIELDS.find((f) => f.key === 'churnProbability')?.hubspot ?? 'se_churn_probability';

/** Writes of our churn property per HubSpot company id (every write counts, even of the same value), watched on the sandbox's property bags. */
export function countScoreWrites(sandbox: HubSpotSandbox): Map<string, number> {
  const writes = new Map<string, number>();
  for (const company of sandbox.state.portal.table('companies').values()) {
    const id = company.id;
    company.properties = new Proxy(company.properties, {
      set(target, key, value: string | null) {
        if (key === CHURN_PROPERTY) writes.set(id, (writes.get(id) ?? 0) + 1);
        target[key as string] = value;
        return true;
      },
    });
  }
  return writes;
}

/** Our score properties as a HubSpot company holds them now. */
export function crmScoreValues(sandbox: HubSpotSandbox, companyId: string): Record<ScoreFieldKey, string | null | undefined> | undefined {
  const company = sandbox.state.portal.table('companies').get(companyId);
  if (!company) return undefined;
  return Object.fromEntries(SCORE_FIELDS.map((f) => [f.key, company.properties[f.hubspot]])) as Record<
    ScoreFieldKey,
    string | null | undefined
  >;
}

export interface CountingReceiver {
  url: string;
  /** Verified POSTs per Idempotency-Key. */
  posts: Map<string, number>;
  /** Requests verified against a skewed clock. */
  skewed: { count: number };
  close(): Promise<void>;
}

/**
 * An alert receiver as docs/alerts.md asks customers to write one: it verifies the signature
 * (timestamp within the tolerance) and counts POSTs per Idempotency-Key. `clockSkewMs` gives its
 * clock's offset for each request, as a receiving host whose clock drifts from the workers'.
 */
export async function startCountingReceiver(secret: string, clockSkewMs: () => number = () => 0): Promise<CountingReceiver> {
  const posts = new Map<string, number>();
  const skewed = { count: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = String(req.headers['idempotency-key'] ?? '');
      const skew = clockSkewMs();
      if (skew !== 0) skewed.count++;
      const ok = verifySignatureHeader(req.headers['x-signature'] as string | undefined, body, secret, Date.now() + skew).ok;
      if (ok) posts.set(key, (posts.get(key) ?? 0) + 1);
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    posts,
    skewed,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
