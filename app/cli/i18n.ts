/** A line a person reads in the CLI, in both product languages. */
export function bilingual(en: string, zh: string): string {
  return `${en} / ${zh}`;
}
