import { hashKey } from './random';

/**
 * A uniform sample of at most `size` items that does not depend on the order they come in: the
 * items whose key hashes lowest (a bottom-k sample), so a book read in any pages is fitted on the
 * same customers. Written by hand: a few lines, and no sampling library keys by hash.
 */
export class BottomK<T> {
  private items: { rank: number; key: string; item: T }[] = [];
  constructor(private readonly size: number) {}

  add(key: string, item: T): void {
    this.items.push({ rank: hashKey(0x5eed, key), key, item });
    if (this.items.length >= 2 * this.size) this.trim();
  }

  /** The sample, in rank order. */
  values(): T[] {
    this.trim();
    return this.items.map((e) => e.item);
  }

  private trim(): void {
    this.items.sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    if (this.items.length > this.size) this.items.length = this.size;
  }
}
