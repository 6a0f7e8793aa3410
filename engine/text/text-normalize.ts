/**
 * Text normalisation and tokenisation shared by the built-in models. CJK text has no spaces, so
 * every Han/Kana/Hangul character is its own token; other scripts split on letters and digits.
 */

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{N}]+(?:['’][\p{L}]+)*|n't|[!?！？]/gu;
const SEGMENT_SPLIT = /[\s\p{P}\p{S}]+/u;

export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

export function isCjk(char: string): boolean {
  return CJK_CHAR.test(char);
}

/** Word tokens of normalised text: CJK characters one by one, other words whole, `!`/`?` kept. */
export function tokenize(normalized: string): string[] {
  return normalized.match(TOKEN) ?? [];
}

/** Runs of text between whitespace and punctuation; char n-grams are taken within each. */
export function segments(normalized: string): string[] {
  return normalized.split(SEGMENT_SPLIT).filter((s) => s.length > 0);
}

/** FNV-1a over UTF-16 code units, seeded so feature families do not collide on purpose. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
