import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignatureHeader } from '../../webhooks/shared/signature';

export interface ReceivedAlert {
  idempotencyKey: string;
  verified: boolean;
  body: { title?: { en?: string; zh?: string }; account?: { name?: string }; rule?: string };
}

/**
 * A local stand-in for a CS team's webhook endpoint: verifies each `X-Signature` with the recipe
 * in docs/alerts.md and dedupes on the idempotency key, as we tell receivers to.
 */
export async function startAlertReceiver(
  secret: string,
): Promise<{ url: string; received: Map<string, ReceivedAlert>; close(): Promise<void> }> {
  const received = new Map<string, ReceivedAlert>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = String(req.headers['idempotency-key'] ?? '');
      const verified = verifySignatureHeader(req.headers['x-signature'] as string | undefined, body, secret, Date.now()).ok;
      if (verified && key && !received.has(key))
        received.set(key, { idempotencyKey: key, verified, body: JSON.parse(body) as ReceivedAlert['body'] });
      res.writeHead(verified ? 200 : 401, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/alerts`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
