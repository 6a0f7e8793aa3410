import { randomBytes } from 'node:crypto';
import { isSuccessEngineError } from '../../core';
import { TokenCipher } from './token-cipher';

describe('TokenCipher (AES-256-GCM)', () => {
  const cipher = new TokenCipher(randomBytes(32));
  const row = 'crm_connections/t1/c1';

  it('round-trips and never stores the plaintext', () => {
    const blob = cipher.encrypt('secret-token-value', row);
    expect(blob.includes(Buffer.from('secret-token-value'))).toBe(false);
    expect(cipher.decrypt(blob, row)).toBe('secret-token-value');
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt('x', row).equals(cipher.encrypt('x', row))).toBe(false);
  });

  it.each([
    ['a flipped ciphertext byte', (b: Buffer) => b[b.length - 1]! ^ 1, -1],
    ['a flipped tag byte', (b: Buffer) => b[20]! ^ 1, 20],
    ['a flipped IV byte', (b: Buffer) => b[3]! ^ 1, 3],
  ])('rejects %s', (_name, flip, index) => {
    const blob = cipher.encrypt('secret', row);
    const at = index < 0 ? blob.length - 1 : index;
    blob[at] = flip(blob);
    expect(() => cipher.decrypt(blob, row)).toThrow(expect.objectContaining({ code: 'STORE.DECRYPT_FAILED' }));
  });

  it('rejects a blob moved to another row or read with another key', () => {
    const blob = cipher.encrypt('secret', row);
    expect(() => cipher.decrypt(blob, 'crm_connections/t2/c1')).toThrow(/failed authentication/);
    let caught: unknown;
    try {
      new TokenCipher(randomBytes(32)).decrypt(blob, row);
    } catch (error) {
      caught = error;
    }
    expect(isSuccessEngineError(caught, 'STORE.DECRYPT_FAILED')).toBe(true);
  });

  it('rejects truncated blobs and keys of the wrong size', () => {
    expect(() => cipher.decrypt(Buffer.from([1, 2, 3]), row)).toThrow(/not in a known format/);
    expect(() => new TokenCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
