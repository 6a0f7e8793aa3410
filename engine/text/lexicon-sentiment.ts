import { EN_CONTRAST, EN_INTENSIFIERS, EN_LEXICON, EN_NEGATORS, ZH_CONTRAST, ZH_INTENSIFIERS, ZH_LEXICON, ZH_MAX_WORD, ZH_NEGATORS } from './sentiment-lexicon';
import { isCjk, normalizeText } from './text-normalize';

type Unit = { kind: 'word'; text: string; cjk: boolean } | { kind: 'break' };

const ZH_NEGATOR_SET = new Set(ZH_NEGATORS);
const ZH_INTENSIFIER_SET = new Set(ZH_INTENSIFIERS);
const ZH_CONTRAST_SET = new Set(ZH_CONTRAST);
const ZH_DICTIONARY = new Set([...ZH_LEXICON.keys(), ...ZH_NEGATORS, ...ZH_INTENSIFIERS, ...ZH_CONTRAST]);
const BREAK = /[.,;:!?，。；：！？、…~～\n]/u;
const WORD_CHAR = /[\p{L}\p{N}'’-]/u;

/** Words and clause breaks; CJK runs segmented by greedy longest match against the lexicon. */
function units(text: string): Unit[] {
  const chars = Array.from(normalizeText(text));
  const out: Unit[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    if (isCjk(c)) {
      let len = Math.min(ZH_MAX_WORD, chars.length - i);
      for (; len > 1; len--) {
        const candidate = chars.slice(i, i + len).join('');
        if (ZH_DICTIONARY.has(candidate)) break;
      }
      out.push({ kind: 'word', text: chars.slice(i, i + len).join(''), cjk: true });
      i += len;
    } else if (WORD_CHAR.test(c)) {
      let j = i;
      while (j < chars.length && WORD_CHAR.test(chars[j] as string) && !isCjk(chars[j] as string)) j++;
      const word = chars.slice(i, j).join('').replace(/’/g, "'");
      // "don't" and SST-style split "n't" both count as negators.
      out.push({ kind: 'word', text: word, cjk: false });
      i = j;
    } else {
      if (BREAK.test(c)) out.push({ kind: 'break' });
      i++;
    }
  }
  return out;
}

export interface LexiconScore {
  /** Raw summed polarity. */
  raw: number;
  /** Squashed to -1 … +1. */
  score: number;
  label: 'positive' | 'neutral' | 'negative';
}

/**
 * Lexicon polarity with negation (within the clause, 3 words back in English, 2 in Chinese),
 * intensifiers (×1.5) and contrast ("but", 但是: what came before counts half).
 */
export function lexiconSentiment(text: string): LexiconScore {
  const seq = units(text);
  let total = 0;
  for (let i = 0; i < seq.length; i++) {
    const u = seq[i] as Unit;
    if (u.kind !== 'word') continue;
    if (u.cjk ? ZH_CONTRAST_SET.has(u.text) : EN_CONTRAST.has(u.text)) {
      total *= 0.5;
      continue;
    }
    const lexicon = u.cjk ? ZH_LEXICON : EN_LEXICON;
    let weight = lexicon.get(u.text);
    if (weight === undefined) continue;
    const next = seq[i + 1];
    // 好 / so before another opinion word is an intensifier, not an opinion of its own.
    if (next?.kind === 'word' && lexicon.has(next.text) && (u.cjk ? ZH_INTENSIFIER_SET.has(u.text) : EN_INTENSIFIERS.has(u.text))) continue;
    const window = u.cjk ? 2 : 3;
    let negated = false;
    for (let back = 1; back <= window; back++) {
      const prev = seq[i - back];
      if (!prev || prev.kind === 'break') break;
      if (prev.cjk ? ZH_NEGATOR_SET.has(prev.text) : EN_NEGATORS.has(prev.text) || prev.text.endsWith("n't")) negated = !negated;
      else if (prev.cjk ? ZH_INTENSIFIER_SET.has(prev.text) : EN_INTENSIFIERS.has(prev.text)) weight *= 1.5;
    }
    total += negated ? -0.8 * weight : weight;
  }
  const score = Math.tanh(total / 2);
  return { raw: total, score, label: total > 0 ? 'positive' : total < 0 ? 'negative' : 'neutral' };
}
