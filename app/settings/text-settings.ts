import { z } from 'zod';
import { parseOrThrow, type Store, type TenantId } from '../../core';
import { resolveTopics, TopicTagger } from '../../engine/text/topics/topic-tagger';

/** Tenant setting key of the text topics (its own topics, defaults turned off). */
export const TEXT_TOPICS_SETTING = 'pipeline.text-topics';

const localized = z.object({ en: z.string().trim().min(1), zh: z.string().trim().min(1) }).strict();

export const TextTopicsSettingSchema = z
  .object({
    /** Own topics; one with a default's id replaces that default. */
    topics: z
      .array(
        z
          .object({
            id: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lowercase letters, digits and -, starting with a letter'),
            label: localized,
            keywords: z.array(z.string().trim().min(1)).min(1, 'must list at least one keyword').max(200),
          })
          .strict(),
      )
      .max(40)
      .optional(),
    /** Default topic ids the tenant does not want. */
    disabled: z.array(z.string().min(1)).optional(),
    /** Texts per model call. */
    batchSize: z.number().int().min(1).max(256).optional(),
  })
  .strict();
export type TextTopicsSetting = z.infer<typeof TextTopicsSettingSchema>;

export interface TextSettings {
  tagger: TopicTagger;
  batchSize: number;
}

/** Texts per model call: the transformers model's worker threads take batches of 32 well. */
export const DEFAULT_TEXT_BATCH = 32;

export async function resolveTextSettings(store: Pick<Store, 'getTenantSetting'>, tenantId: TenantId): Promise<TextSettings> {
  const stored = await store.getTenantSetting(tenantId, TEXT_TOPICS_SETTING);
  const setting: TextTopicsSetting = stored ? parseOrThrow(TextTopicsSettingSchema, stored.value, 'text topic settings') : {};
  return {
    tagger: new TopicTagger(
      resolveTopics({ ...(setting.topics ? { topics: setting.topics } : {}), ...(setting.disabled ? { disabled: setting.disabled } : {}) }),
    ),
    batchSize: setting.batchSize ?? DEFAULT_TEXT_BATCH,
  };
}
