import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { SuccessEngineError } from '../../core';
import type { CrmProvider } from '../crm-modules';

export type InstallProvider = CrmProvider;

export interface InstallStatePayload {
  provider: InstallProvider;
  /** One-time: the store refuses a nonce it has seen (replayed callback). */
  nonce: string;
  /** Issued at, epoch ms. */
  issuedAt: number;
}

/** How long a user may take between "Install" and the CRM's redirect back. */
export const STATE_MAX_AGE_MS = 10 * 60_000;

/** `base64url(payload).base64url(HMAC-SHA256(secret, payload))`: nothing to store until the callback. */
export function signInstallState(secret: Buffer, provider: InstallProvider, now: Date): string {
  const payload: InstallStatePayload = { provider, nonce: randomBytes(16).toString('base64url'), issuedAt: now.getTime() };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The payload of a state this server signed for this provider within the last ten minutes; throws otherwise. */
export function verifyInstallState(secret: Buffer, state: string, provider: InstallProvider, now: Date): InstallStatePayload {
  const bad = (why: string): SuccessEngineError =>
    new SuccessEngineError('INSTALL.BAD_STATE', `the OAuth state parameter ${why}; start the install again`);
  const [body, signature, extra] = state.split('.');
  if (!body || !signature || extra !== undefined) throw bad('is malformed');
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw bad('was not signed by this server');
  let payload: InstallStatePayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as InstallStatePayload;
  } catch {
    throw bad('is malformed');
  }
  if (payload.provider !== provider) throw bad(`was issued for ${String(payload.provider)}, not ${provider}`);
  const age = now.getTime() - payload.issuedAt;
  if (!(age >= 0 && age <= STATE_MAX_AGE_MS)) throw bad('has expired');
  return payload;
}

const mac = (secret: Buffer, body: string): string => createHmac('sha256', secret).update(`install-state.v1.${body}`).digest('base64url');
