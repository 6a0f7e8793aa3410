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
 * case a replacement exposes another candidate (each pass only removes digits). The loose pattern
 * can also run two numbers into one candidate ("+1 415.555.0100 13800138000", too many digits for
 * one phone): then the longest prefix that is a phone on its own is replaced, and the rest is
 * looked at again in the next pass.
 */
export function replacePhoneNumbers(text: string, replacement: () => string): string {
  let current = text;
  for (;;) {
    let replaced = false;
    const next = current.replace(PHONE_CANDIDATE_PATTERN, (match) => {
      const phoneLength = isPhoneNumber(match) ? match.length : longestPhonePrefix(match);
      if (phoneLength === 0) return match;
      replaced = true;
      return replacement() + match.slice(phoneLength);
    });
    if (!replaced) return next;
    current = next;
  }
}

/** Length of the longest prefix, ending at a group boundary, that is a phone number; 0 if none. */
function longestPhonePrefix(candidate: string): number {
  for (let end = candidate.length - 1; end > 0; end--) {
    if (!/[\s.-]/.test(candidate[end] as string) || !/\d/.test(candidate[end - 1] as string)) continue;
    if (isPhoneNumber(candidate.slice(0, end))) return end;
  }
  return 0;
}

export function redactContactDetails(text: string): string {
  return replacePhoneNumbers(text.replace(EMAIL_PATTERN, '[email]'), () => '[phone]');
}
