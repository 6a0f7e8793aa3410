import type { LocalizedText, ScoreSet } from '../../core';

/**
 * How a scored book reads to the people who use it: is every risky account explained and given
 * something to do, are the probabilities a ranking rather than a handful of steps, and does the
 * Chinese read as Chinese. The demo prints it; the pipeline test asserts on it.
 */
export interface BookSummary {
  accounts: number;
  /** Different churn probabilities in the book (a step-shaped calibration gives a few dozen). */
  distinctProbabilities: number;
  /** Accounts scored as certain to stay or to leave (probability exactly 0 or 1). */
  certain: number;
  aboveLow: number;
  /** Share of above-low accounts with at least one reason. */
  aboveLowWithReasons: number;
  /** Share of above-low accounts with an action, or a stated reason why none. */
  aboveLowWithActionOrReason: number;
  /** Reasons that give a missing input ("unknown", 「未知」) as a reason. */
  unknownReasons: number;
  /** Live accounts whose value interval has zero width. */
  zeroWidthIntervals: number;
  chineseTexts: number;
  /** Share of Chinese texts (reasons, actions, notes) with an untranslated English word. */
  chineseWithEnglish: number;
  /** Up to five Chinese texts with English words, to find them. */
  englishExamples: string[];
}

// All-caps acronyms (USD, NPS, CRM, DSL) read the same in Chinese; a lower-case or capitalised Latin word does not.
const ENGLISH_WORD = /\b(?![A-Z0-9]{2,6}\b)[A-Za-z][a-z]+\b/;
const UNKNOWN = /unknown|未知/i;

function chineseTexts(s: ScoreSet): string[] {
  const texts: LocalizedText[] = [
    ...s.churn.drivers.map((d) => d.text),
    ...(s.churn.missing ?? []).map((m) => m.label),
    ...s.nextBestActions.flatMap((a) => [a.title, ...a.reasons]),
  ];
  if (s.noActionReason) texts.push(s.noActionReason);
  return texts.map((t) => t.zh);
}

export function summarizeBook(scores: readonly ScoreSet[]): BookSummary {
  const aboveLow = scores.filter((s) => s.churn.band !== 'low');
  const zh = scores.flatMap(chineseTexts);
  const english = zh.filter((t) => ENGLISH_WORD.test(t));
  const share = (part: number, whole: number): number => (whole === 0 ? 1 : part / whole);
  return {
    accounts: scores.length,
    distinctProbabilities: new Set(scores.map((s) => s.churn.probability)).size,
    certain: scores.filter((s) => s.churn.probability <= 0 || s.churn.probability >= 1).length,
    aboveLow: aboveLow.length,
    aboveLowWithReasons: share(aboveLow.filter((s) => s.churn.drivers.length > 0).length, aboveLow.length),
    aboveLowWithActionOrReason: share(
      aboveLow.filter((s) => s.nextBestActions.length > 0 || s.noActionReason !== undefined).length,
      aboveLow.length,
    ),
    unknownReasons: scores.reduce(
      (n, s) => n + s.churn.drivers.filter((d) => UNKNOWN.test(d.text.en) || UNKNOWN.test(d.text.zh)).length,
      0,
    ),
    zeroWidthIntervals: scores.filter((s) => s.clv !== undefined && s.clv.p90 - s.clv.p10 <= 0).length,
    chineseTexts: zh.length,
    chineseWithEnglish: zh.length === 0 ? 0 : english.length / zh.length,
    englishExamples: [...new Set(english)].slice(0, 5),
  };
}
