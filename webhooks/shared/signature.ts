import { createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time string comparison; different lengths are unequal without leaking where. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    // Compare against itself so the time spent does not depend on where the strings differ.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

export const SIGNATURE_HEADER = 'x-signature';
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `HMAC-SHA256(secret, "<t>.<body>")` as lowercase hex. */
export function computeSignature(secret: string, timestampSeconds: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
}

/** The `X-Signature` header value: `t=<unix seconds>,v1=<hex>`. */
export function signatureHeader(secret: string, timestampSeconds: number, body: string | Buffer): string {
  return `t=${timestampSeconds},v1=${computeSignature(secret, timestampSeconds, body)}`;
}

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/**
 * Verifies an `X-Signature: t=…,v1=…` header over the raw body. Several `v1=` entries are allowed
 * (secret rotation: any one matching passes). The timestamp must be within `toleranceSeconds`.
 */
export function verifySignatureHeader(
  header: string | undefined,
  body: string | Buffer,
  secrets: string | readonly string[],
  nowMs: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) t = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) candidates.push(value);
  }
  if (t === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowMs / 1000 - t) > toleranceSeconds) return { ok: false, reason: 'stale' };
  let match = false;
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const expected = computeSignature(secret, t, body);
    // Check every candidate (no early exit) so timing does not reveal which one matched.
    for (const c of candidates) match = safeEqual(expected, c) || match;
  }
  return match ? { ok: true, timestamp: t } : { ok: false, reason: 'mismatch' };
}
