import { hashString, normalizeText, segments, tokenize } from './text-normalize';

/** A sparse vector: parallel arrays of feature indices (ascending) and values. */
export interface SparseVector {
  indices: Uint32Array;
  values: Float64Array;
}

export interface HashedFeatureOptions {
  /** log2 of the hash space. */
  bits: number;
  /** Character n-gram lengths, inclusive. */
  charMin: number;
  charMax: number;
  /** Word n-gram lengths, inclusive. */
  wordMax: number;
}

export const defaultFeatureOptions: HashedFeatureOptions = { bits: 20, charMin: 1, charMax: 4, wordMax: 2 };

const CHAR_SEED = 0x811c9dc5;
const WORD_SEED = 0x01234567;

/**
 * Raw counts of hashed character n-grams (within word segments padded by a space, so CJK runs
 * give cross-character n-grams and Latin words give prefix/suffix n-grams) plus word uni/bigrams.
 */
export function hashedCounts(text: string, options: HashedFeatureOptions = defaultFeatureOptions): Map<number, number> {
  const mask = (1 << options.bits) - 1;
  const counts = new Map<number, number>();
  const add = (key: number): void => {
    const k = key & mask;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  const normalized = normalizeText(text);
  for (const segment of segments(normalized)) {
    const padded = ` ${segment} `;
    const chars = Array.from(padded);
    for (let n = options.charMin; n <= options.charMax; n++) {
      for (let i = 0; i + n <= chars.length; i++) {
        const gram = chars.slice(i, i + n).join('');
        if (gram === ' ') continue;
        add(hashString(gram, CHAR_SEED));
      }
    }
  }
  const tokens = tokenize(normalized);
  for (let n = 1; n <= options.wordMax; n++) {
    for (let i = 0; i + n <= tokens.length; i++) add(hashString(tokens.slice(i, i + n).join('\u0001'), WORD_SEED));
  }
  return counts;
}

/** Sublinear term frequency (1 + ln tf), optionally times idf, L2-normalised. */
export function weightCounts(counts: ReadonlyMap<number, number>, idf?: ReadonlyMap<number, number>): SparseVector {
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const indices = new Uint32Array(keys.length);
  const values = new Float64Array(keys.length);
  let norm = 0;
  keys.forEach((key, i) => {
    const tf = 1 + Math.log(counts.get(key) ?? 1);
    const w = tf * (idf ? (idf.get(key) ?? 0) : 1);
    indices[i] = key;
    values[i] = w;
    norm += w * w;
  });
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * inv;
  }
  return { indices, values };
}

/** Smoothed idf as in common TF-IDF practice: ln((1 + n) / (1 + df)) + 1. */
export function fitIdf(documents: readonly ReadonlyMap<number, number>[]): Map<number, number> {
  const df = new Map<number, number>();
  for (const doc of documents) for (const key of doc.keys()) df.set(key, (df.get(key) ?? 0) + 1);
  const n = documents.length;
  const idf = new Map<number, number>();
  for (const [key, d] of df) idf.set(key, Math.log((1 + n) / (1 + d)) + 1);
  return idf;
}
