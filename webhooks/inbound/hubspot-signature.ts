import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from '../shared/signature';

/** HubSpot rejects nothing older than this; we reject requests whose timestamp is further off. */
export const HUBSPOT_MAX_TIMESTAMP_SKEW_MS = 300_000;

// https://developers.hubspot.com/docs/api/webhooks/validating-requests: these escapes are decoded before signing.
const DECODE: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function hubspotCanonicalUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => DECODE[m.toUpperCase()] ?? m);
}

/** v3: base64(HMAC-SHA256(clientSecret, method + uri + body + timestamp)). */
export function hubspotSignatureV3(clientSecret: string, method: string, uri: string, body: Buffer | string, timestamp: string): string {
  return createHmac('sha256', clientSecret)
    .update(`${method}${hubspotCanonicalUri(uri)}`)
    .update(body)
    .update(timestamp)
    .digest('base64');
}

/** v1: hex(SHA-256(clientSecret + body)); v2: hex(SHA-256(clientSecret + method + uri + body)). */
export function hubspotSignatureLegacy(
  version: 'v1' | 'v2',
  clientSecret: string,
  method: string,
  uri: string,
  body: Buffer | string,
): string {
  const h = createHash('sha256').update(clientSecret);
  if (version === 'v2') h.update(`${method}${uri}`);
  return h.update(body).digest('hex');
}

export type HubSpotSignatureCheck =
  { ok: true; version: 'v1' | 'v2' | 'v3' } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' | 'legacy-disabled' };

export interface HubSpotSignatureInput {
  method: string;
  /** Full URL as HubSpot called it (scheme, host, path, query). */
  uri: string;
  body: Buffer;
  signatureV3?: string | undefined;
  timestamp?: string | undefined;
  signature?: string | undefined;
  signatureVersion?: string | undefined;
}

/** Checks v3 when present, else v1/v2 (when allowed); constant-time comparisons, any of several secrets. */
export function verifyHubSpotSignature(
  input: HubSpotSignatureInput,
  secrets: readonly string[],
  nowMs: number,
  allowLegacy: boolean,
): HubSpotSignatureCheck {
  if (input.signatureV3 !== undefined) {
    const ts = input.timestamp;
    if (ts === undefined || !/^\d{1,16}$/.test(ts)) return { ok: false, reason: 'missing' };
    if (Math.abs(nowMs - Number(ts)) > HUBSPOT_MAX_TIMESTAMP_SKEW_MS) return { ok: false, reason: 'stale' };
    let match = false;
    for (const s of secrets) match = safeEqual(hubspotSignatureV3(s, input.method, input.uri, input.body, ts), input.signatureV3) || match;
    return match ? { ok: true, version: 'v3' } : { ok: false, reason: 'mismatch' };
  }
  if (input.signature === undefined) return { ok: false, reason: 'missing' };
  if (!allowLegacy) return { ok: false, reason: 'legacy-disabled' };
  const version = (input.signatureVersion ?? 'v1').toLowerCase() === 'v2' ? 'v2' : 'v1';
  let match = false;
  for (const s of secrets)
    match = safeEqual(hubspotSignatureLegacy(version, s, input.method, input.uri, input.body), input.signature.toLowerCase()) || match;
  return match ? { ok: true, version } : { ok: false, reason: 'mismatch' };
}
