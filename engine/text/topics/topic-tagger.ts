import { SuccessEngineError } from '../../../core';
import { DEFAULT_TOPICS, type TopicDefinition } from './topic-catalog';

/** A tenant's changes to the default topics: its own topics (same id replaces a default) and defaults it turns off. */
export interface TopicOverrides {
  topics?: readonly TopicDefinition[];
  disabled?: readonly string[];
}

export function resolveTopics(overrides: TopicOverrides = {}): TopicDefinition[] {
  const own = new Map((overrides.topics ?? []).map((t) => [t.id, t]));
  const disabled = new Set(overrides.disabled ?? []);
  const merged = DEFAULT_TOPICS.map((t) => own.get(t.id) ?? t);
  for (const t of own.values()) if (!DEFAULT_TOPICS.some((d) => d.id === t.id)) merged.push(t);
  return merged.filter((t) => !disabled.has(t.id));
}

const HAN = /\p{Script=Han}/u;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One matcher per topic: Latin keywords on Latin word boundaries (`*` = any ending), Chinese as substrings. */
function compile(topic: TopicDefinition): RegExp {
  if (topic.keywords.length === 0) throw new SuccessEngineError('ENGINE.BAD_INPUT', `topic "${topic.id}" has no keywords`);
  const parts = topic.keywords.map((raw) => {
    const k = raw.trim().toLowerCase();
    if (HAN.test(k)) return escape(k);
    const wildcard = k.endsWith('*');
    const body = escape(wildcard ? k.slice(0, -1) : k).replace(/\s+/g, '\\s+');
    // Boundaries are Latin letters and digits only: Chinese text writes "在用Gainsight，" without spaces.
    return `(?<![\\p{Script=Latin}\\p{N}])${body}${wildcard ? '[\\p{Script=Latin}\\p{N}]*' : '(?![\\p{Script=Latin}\\p{N}])'}`;
  });
  return new RegExp(parts.join('|'), 'u');
}

/**
 * Tags texts with the topics whose keywords they contain (a text may carry several or none).
 * Deterministic and cheap: thousands of texts per millisecond budget of a score run.
 */
export class TopicTagger {
  private readonly matchers: { id: string; re: RegExp }[];

  constructor(readonly topics: readonly TopicDefinition[] = DEFAULT_TOPICS) {
    this.matchers = topics.map((t) => ({ id: t.id, re: compile(t) }));
  }

  tag(text: string): string[] {
    const lower = text.toLowerCase();
    return this.matchers.filter((m) => m.re.test(lower)).map((m) => m.id);
  }

  label(id: string): TopicDefinition['label'] {
    return this.topics.find((t) => t.id === id)?.label ?? { en: id, zh: id };
  }
}
