import { createHash } from 'node:crypto';
import type { CanonicalActivity, CanonicalTicket, Store, RecordText, TenantId, TextAnalysis, TextModel } from '../../core';
import { PiiMasker } from '../../engine/text/pii-masking';
import type { TopicTagger } from '../../engine/text/topics/topic-tagger';

export interface TextAnalysisOptions {
  now: string;
  topics: TopicTagger;
  /** Texts per model call (the transformers model batches them through its worker threads). */
  batchSize: number;
}

export interface TextAnalysisResult {
  /** Distinct texts the model read in this run. */
  read: number;
  /** Changed records whose text was already read (same content elsewhere, or by an earlier run). */
  reused: number;
  unchanged: number;
  removed: number;
  /** Accounts whose texts changed: their text features change. */
  changedAccountIds: string[];
  modelId: string;
}

interface SourceText extends RecordText {
  text: string;
}

const ACTIVITY_KIND: Record<CanonicalActivity['type'], RecordText['kind'] | null> = {
  email: 'email',
  call: 'call',
  meeting: 'call',
  note: 'note',
  task: null,
};

/** What a ticket or activity says (subject and body), or null when it says nothing the model could read. */
export function recordText(record: CanonicalTicket | CanonicalActivity, entity: RecordText['entity']): SourceText | null {
  const parts =
    entity === 'ticket'
      ? [(record as CanonicalTicket).subject, (record as CanonicalTicket).description]
      : [(record as CanonicalActivity).subject, (record as CanonicalActivity).body];
  const text = parts
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
    .join('\n')
    .trim();
  if (text === '') return null;
  let kind: RecordText['kind'] | null;
  if (entity === 'ticket') kind = 'ticket';
  else {
    const activity = record as CanonicalActivity;
    kind = activity.attributes.survey === true || activity.attributes.kind === 'survey' ? 'survey' : ACTIVITY_KIND[activity.type];
  }
  if (kind === null) return null;
  const at = entity === 'ticket' ? (record as CanonicalTicket).createdAt : (record as CanonicalActivity).occurredAt;
  return { entity, recordId: record.id, accountId: record.accountId, kind, at, text, contentHash: contentHash(text) };
}

export function contentHash(text: string): string {
  return createHash('sha256').update(text.normalize('NFC')).digest('hex').slice(0, 32);
}

export const modelIdOf = (model: TextModel): string => `${model.ref.id}@${model.ref.version}`;

/**
 * Reads every new or changed ticket and activity text of the tenant once: PII-masked first, then
 * sentiment from the local model and topics from the tenant's topic list, stored by content hash.
 * Unchanged records and texts already read (by hash, with this model) cost nothing but a hash.
 */
export async function analyzeTextsStep(
  store: Store,
  model: TextModel,
  tenantId: TenantId,
  options: TextAnalysisOptions,
): Promise<TextAnalysisResult> {
  const modelId = modelIdOf(model);
  const current: SourceText[] = [];
  for (const t of await store.listRecords(tenantId, 'ticket')) {
    const text = recordText(t, 'ticket');
    if (text) current.push(text);
  }
  for (const a of await store.listRecords(tenantId, 'activity')) {
    const text = recordText(a, 'activity');
    if (text) current.push(text);
  }
  const key = (r: { entity: string; recordId: string }): string => `${r.entity}\u0000${r.recordId}`;
  const stored = new Map((await store.listRecordTexts(tenantId)).map((r) => [key(r), r]));
  const seen = new Set<string>();
  const changed: SourceText[] = [];
  for (const t of current) {
    seen.add(key(t));
    const before = stored.get(key(t));
    if (!before || before.contentHash !== t.contentHash || before.accountId !== t.accountId || before.at !== new Date(t.at).toISOString())
      changed.push(t);
  }
  const removed = [...stored.values()].filter((r) => !seen.has(key(r)));
  // A changed record's text may already be known (by hash) to this model; only the rest is read.
  const known = new Set(
    (
      await store.textAnalyses(
        tenantId,
        modelId,
        changed.map((t) => t.contentHash),
      )
    ).map((a) => a.contentHash),
  );
  const toRead = new Map<string, string>();
  for (const t of changed) if (!known.has(t.contentHash)) toRead.set(t.contentHash, t.text);
  if (toRead.size > 0) {
    const masker = new PiiMasker(await contactNames(store, tenantId));
    const entries = [...toRead.entries()];
    for (let i = 0; i < entries.length; i += options.batchSize) {
      const batch = entries.slice(i, i + options.batchSize);
      const masked = batch.map(([, text]) => masker.mask(text).text);
      const sentiments = await model.sentiment(masked);
      const analyses: TextAnalysis[] = batch.map(([hash], j) => {
        const s = sentiments[j];
        const maskedText = masked[j] ?? '';
        return {
          contentHash: hash,
          modelId,
          label: s?.label ?? 'neutral',
          score: s?.score ?? 0,
          topics: options.topics.tag(maskedText),
          maskedText,
          analysedAt: options.now,
        };
      });
      await store.putTextAnalyses(tenantId, analyses);
    }
  }
  await store.putRecordTexts(
    tenantId,
    changed.map(({ text: _text, ...r }) => r),
    removed.map((r) => ({ entity: r.entity, recordId: r.recordId })),
  );
  const accounts = new Set<string>([
    ...changed.map((t) => t.accountId),
    ...removed.map((r) => r.accountId),
    ...changed.map((t) => stored.get(key(t))?.accountId).filter((a): a is string => a !== undefined),
  ]);
  return {
    read: toRead.size,
    reused: changed.length - toRead.size,
    unchanged: current.length - changed.length,
    removed: removed.length,
    changedAccountIds: [...accounts].sort(),
    modelId,
  };
}

/** Contact names of the tenant, masked in every text besides emails, phones and ids. */
async function contactNames(store: Store, tenantId: TenantId): Promise<string[]> {
  const names = new Set<string>();
  for (const c of await store.listRecords(tenantId, 'contact')) {
    const full = [c.firstName, c.lastName].filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(' ');
    if (full) names.add(full);
  }
  return [...names];
}
