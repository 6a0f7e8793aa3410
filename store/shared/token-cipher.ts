import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SuccessEngineError } from '../../core';

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for CRM tokens at rest. The associated data binds a ciphertext to its row
 * (tenant and connection), so a blob copied to another row fails to decrypt like a tampered one.
 * Layout: version (1 byte) | iv (12) | tag (16) | ciphertext.
 */
export class TokenCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SuccessEngineError('CONFIG.INVALID', `encryption key must be 32 bytes, got ${key.length}`);
  }

  encrypt(plaintext: string, associatedData: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(blob: Buffer, associatedData: string): string {
    if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_VERSION) {
      throw new SuccessEngineError('STORE.DECRYPT_FAILED', `stored token for ${associatedData} is not in a known format`);
    }
    const iv = blob.subarray(1, 1 + IV_BYTES);
    const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    const body = blob.subarray(1 + IV_BYTES + TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new SuccessEngineError(
        'STORE.DECRYPT_FAILED',
        `stored token for ${associatedData} failed authentication: it was altered, moved from another row, or encrypted with another key`,
        {},
        { cause },
      );
    }
  }
}
