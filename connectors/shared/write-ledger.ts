/**
 * What we last wrote per account (a hash of the score values), so unchanged scores are not
 * rewritten. In-memory by default; the app can back it with the store.
 */
export interface WriteLedger {
  get(accountExternalId: string): string | undefined | Promise<string | undefined>;
  set(accountExternalId: string, hash: string): void | Promise<void>;
}

export class MemoryWriteLedger implements WriteLedger {
  private readonly hashes = new Map<string, string>();
  get(accountExternalId: string): string | undefined {
    return this.hashes.get(accountExternalId);
  }
  set(accountExternalId: string, hash: string): void {
    this.hashes.set(accountExternalId, hash);
  }
  get size(): number {
    return this.hashes.size;
  }
}
