import { createHash, randomBytes } from 'node:crypto';
import { SuccessEngineError } from '../../core';
import type { StaffRole } from '../../core/ports/store.port';

/*
 * What every adapter must do the same way, so that a database written by one reads the same through
 * another and the conformance suite holds for both.
 */

/** Instants are stored as UTC ISO text (`…T…:….sssZ`), so that text order is time order in every database. */
export const utc = (iso: string): string => new Date(iso).toISOString();

/** Only a SHA-256 of an API token is stored. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export const newApiToken = (): string => `se_${randomBytes(32).toString('base64url')}`;

/** A rep token speaks for one CRM user, so it must name one. */
export function checkTokenRequest(role: StaffRole, label: string, crmUserId: string | undefined): void {
  if (role === 'rep' && !crmUserId)
    throw new SuccessEngineError('CORE.VALIDATION_FAILED', `a rep token (label ${label}) must name the CRM user it speaks for (crmUserId)`);
}

/** Erasure receipts name no tenant: a salted hash that only someone who knows the id can recompute. */
export const erasureHash = (salt: string, tenantId: string): string => createHash('sha256').update(`${salt}:${tenantId}`).digest('hex');

export const newErasureSalt = (): string => randomBytes(16).toString('hex');

/** The associated data binding a token ciphertext to its row. */
export const tokenAad = (tenantId: string, connectionId: string): string => `crm_connections/${tenantId}/${connectionId}`;

/** Columns an export leaves out: CRM token ciphertexts and API token hashes. */
export const EXPORT_SECRET_COLUMNS: ReadonlySet<string> = new Set(['token_ciphertext', 'token_hash']);

/** A row as an export writes it: secrets left out, blobs as base64. */
export function exportRow(raw: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (EXPORT_SECRET_COLUMNS.has(key)) continue;
    row[key] = Buffer.isBuffer(value) ? value.toString('base64') : value;
  }
  return row;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Salesforce org ids compare on their 15-character form, since either form may arrive. */
export const comparableOrgId = (provider: string, externalOrgId: string): string =>
  provider === 'salesforce' ? externalOrgId.slice(0, 15) : externalOrgId;

export const DEFAULT_BATCH_SIZE = 2000;
