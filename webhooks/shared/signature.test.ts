import { computeSignature, safeEqual, signatureHeader, verifySignatureHeader } from './signature';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const T = NOW / 1000;

describe('X-Signature', () => {
  it('round-trips and binds the timestamp and every byte of the body', () => {
    const h = signatureHeader('s', T, '{"x":1}');
    expect(verifySignatureHeader(h, '{"x":1}', 's', NOW)).toEqual({ ok: true, timestamp: T });
    expect(verifySignatureHeader(h, '{"x":2}', 's', NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignatureHeader(h.replace(`t=${T}`, `t=${T + 1}`), '{"x":1}', 's', NOW)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignatureHeader(h, '{"x":1}', 'other', NOW)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('rejects stale, missing and malformed headers, and accepts any of several secrets or signatures', () => {
    const h = signatureHeader('s', T, 'b');
    expect(verifySignatureHeader(h, 'b', 's', NOW + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignatureHeader(h, 'b', 's', NOW - 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignatureHeader(undefined, 'b', 's', NOW)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignatureHeader('v1=abc', 'b', 's', NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignatureHeader(`t=${T}`, 'b', 's', NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignatureHeader(h, 'b', ['old', 's'], NOW).ok).toBe(true);
    const rotated = `t=${T},v1=${computeSignature('new', T, 'b')},v1=${computeSignature('s', T, 'b')}`;
    expect(verifySignatureHeader(rotated, 'b', 's', NOW).ok).toBe(true);
  });

  it('compares strings of any length without throwing', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', '')).toBe(true);
  });
});
