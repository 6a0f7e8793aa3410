/**
 * Patterns for personal data that must never reach a log line. engine/text builds its fuller PII
 * masking (names from the CRM, national ids, cards) on the same patterns.
 */
export const EMAIL_PATTERN = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

/**
 * Phone candidates: international (+86 138 0013 8000, +1 (415) 555-0100), Chinese mobiles
 * (13800138000) and separated local numbers (010-6552 9988). `isPhoneNumber` then drops dates
 * and short numbers, which the loose pattern also catches.
 */
export const PHONE_CANDIDATE_PATTERN = /(?:\+\d{1,3}[\s.-]?|(?<![\w+]))(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){1,5}(?![\w])/g;

const DATE_LIKE = /^\d{4}[-./]\d{1,2}[-./]\d{1,2}$/;
const CHINESE_MOBILE = /^1[3-9]\d{9}$/;

export function isPhoneNumber(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (DATE_LIKE.test(candidate.trim())) return false;
  if (candidate.trim().startsWith('+')) return digits.length >= 7 && digits.length <= 15;
  if (CHINESE_MOBILE.test(digits) && digits.length === candidate.trim().length) return true;
  const hasSeparator = /[\s.()-]/.test(candidate.trim());
  return hasSeparator && digits.length >= 7 && digits.length <= 15;
}

/**
 * Replace every phone number. A `+` starts a candidate wherever it stands, so numbers written back
 * to back ("13800138000+1 415 555 0100") are both found; passes repeat until nothing changes, in
 * case a replacement exposes another candidate (each pass only removes digits).
 */
export function replacePhoneNumbers(text: string, replacement: () => string): string {
  let current = text;
  for (;;) {
    let replaced = false;
    const next = current.replace(PHONE_CANDIDATE_PATTERN, (match) => {
      if (!isPhoneNumber(match)) return match;
      replaced = true;
      return replacement();
    });
    if (!replaced) return next;
    current = next;
  }
}

export function redactContactDetails(text: string): string {
  return replacePhoneNumbers(text.replace(EMAIL_PATTERN, '[email]'), () => '[phone]');
}
