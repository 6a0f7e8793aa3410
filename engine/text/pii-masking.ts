import { replacePhoneNumbers } from '../../core';

export type PiiKind = 'email' | 'phone' | 'card' | 'nationalId' | 'id' | 'name';

export interface MaskResult {
  text: string;
  /** How many of each kind were replaced. */
  counts: Record<PiiKind, number>;
}

const PLACEHOLDER: Record<PiiKind, string> = {
  email: '[email]',
  phone: '[phone]',
  card: '[card]',
  nationalId: '[national-id]',
  id: '[id]',
  name: '[name]',
};

// Broader than core's EMAIL_PATTERN on the local part (RFC 5322 allows !#$%&'*/=?^`{|}~), since a
// leaked address is worse than an over-masked word.
const EMAIL =
  /[^\s@<>()[\]\\,;:"]+@[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?)*\.\p{L}{2,}/gu;
/** 13–19 digits, optionally grouped by spaces or dashes; kept only when the Luhn check passes. */
const CARD_CANDIDATE = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;
/** Chinese resident identity card: 17 digits and a check character (digit or X). */
const CN_ID_CANDIDATE = /(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])/g;
/** Other identifiers: long digit runs, and letter-prefixed numbers (passports, member numbers). */
const OTHER_ID = /(?<![\dA-Za-z])(?:\d{9,}|[A-Za-z]{1,3}\d{7,})(?![\dA-Za-z])/g;
const ID_DIGIT_RUN = /(?<!\d)\d(?:[\s-]?\d){8,}(?!\d)/g;
const CJK_TITLES = ['先生', '女士', '小姐', '经理', '总', '老师', '总监'];

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const CN_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CN_ID_CHECK = '10X98765432';

/** GB 11643 check character of an 18-character Chinese resident id. */
export function chineseIdValid(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * (CN_ID_WEIGHTS[i] as number);
  return CN_ID_CHECK[sum % 11] === (id[17] as string).toUpperCase();
}

export function chineseIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * (CN_ID_WEIGHTS[i] as number);
  return CN_ID_CHECK[sum % 11] as string;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const CJK = /[\p{Script=Han}]/u;

/**
 * Masks personal data before text reaches a model or a log: emails, card numbers (Luhn), Chinese
 * resident ids (checksum), phone numbers (Chinese and international), other long ids, and the
 * names of contacts known from the CRM. Build once per tenant; `mask` is pure.
 */
export class PiiMasker {
  private readonly namePattern: RegExp | undefined;

  constructor(contactNames: readonly string[] = []) {
    const alternatives = new Set<string>();
    for (const raw of contactNames) {
      const name = raw.trim();
      if (name.length < 2) continue;
      if (CJK.test(name)) {
        alternatives.add(escapeRegExp(name));
        // 张伟 is also "张先生", "张经理" in a ticket.
        for (const title of CJK_TITLES) alternatives.add(escapeRegExp(`${Array.from(name)[0] as string}${title}`));
      } else {
        alternatives.add(`(?<![\\p{L}\\p{N}])${escapeRegExp(name)}(?![\\p{L}\\p{N}])`);
        for (const part of name.split(/\s+/)) {
          if (part.length >= 3) alternatives.add(`(?<![\\p{L}\\p{N}])${escapeRegExp(part)}(?![\\p{L}\\p{N}])`);
        }
      }
    }
    // Longest first, so "Jane Doe" wins over "Jane".
    const sorted = [...alternatives].sort((a, b) => b.length - a.length);
    this.namePattern = sorted.length > 0 ? new RegExp(sorted.join('|'), 'giu') : undefined;
  }

  mask(text: string): MaskResult {
    const counts: Record<PiiKind, number> = { email: 0, phone: 0, card: 0, nationalId: 0, id: 0, name: 0 };
    const put = (kind: PiiKind): string => {
      counts[kind]++;
      return PLACEHOLDER[kind];
    };
    let out = text.replace(EMAIL, () => put('email'));
    out = out.replace(CN_ID_CANDIDATE, (m) => (chineseIdValid(m) ? put('nationalId') : m));
    out = out.replace(CARD_CANDIDATE, (m) => (luhnValid(m.replace(/\D/g, '')) ? put('card') : m));
    out = replacePhoneNumbers(out, () => put('phone'));
    out = out.replace(OTHER_ID, () => put('id'));
    out = out.replace(ID_DIGIT_RUN, () => put('id'));
    if (this.namePattern) out = out.replace(this.namePattern, () => put('name'));
    return { text: out, counts };
  }

  maskAll(texts: readonly string[]): string[] {
    return texts.map((t) => this.mask(t).text);
  }
}

/** Masking with no CRM names, for logs and places without a tenant. */
export function maskPii(text: string, contactNames: readonly string[] = []): string {
  return new PiiMasker(contactNames).mask(text).text;
}
