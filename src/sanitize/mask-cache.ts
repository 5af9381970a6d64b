/** What the caches of one COPY block may hold together. */
export interface CacheBudget {
  entries: number;
  bytes: number;
}

/** Entries of one generation of one column's cache. */
const GENERATION_ENTRIES = 16_384;
/** Key and value bytes of one generation of one column's cache. */
const GENERATION_BYTES = 2 * 1024 * 1024;
/** All the caches of one COPY block together (the block's caches go when it ends). */
export const BLOCK_ENTRIES = 65_536;
export const BLOCK_BYTES = 8 * 1024 * 1024;

/**
 * Masked values by raw field for one column: repeated values (statuses,
 * amounts, dates, blank fillers) are masked once. Both are kept as latin1
 * strings: a small Buffer would hold on to the whole 8 KiB pool slab it was
 * cut from. Two generations make a
 * cheap approximation of least-recently-used: a full generation becomes the
 * old one (and the older one is dropped), a hit in the old one moves the
 * entry to the new one. A column whose values hardly repeat stops being
 * cached after a second generation fills with few hits, so unique values
 * (emails, texts) cost no more than building their keys twice over.
 * Memory is bounded by the per-generation limits and the block's budget,
 * never by the database.
 */
export class MaskCache {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();
  private currentBytes = 0;
  private previousBytes = 0;
  private hits = 0;
  private generations = 0;
  /** The column's values did not repeat enough: nothing is cached any more. */
  disabled = false;

  constructor(private readonly budget: CacheBudget) {}

  get(key: string): string | undefined {
    const found = this.current.get(key);
    if (found !== undefined) {
      this.hits += 1;
      return found;
    }
    const old = this.previous.get(key);
    if (old !== undefined) {
      // Left in the old generation too (dropped with it): a delete costs more than the copy.
      this.hits += 1;
      this.set(key, old);
    }
    return old;
  }

  set(key: string, value: string): void {
    if (this.disabled) return;
    const size = key.length + value.length;
    if (
      this.current.size >= GENERATION_ENTRIES ||
      this.currentBytes + size > GENERATION_BYTES ||
      this.budget.entries >= BLOCK_ENTRIES ||
      this.budget.bytes + size > BLOCK_BYTES
    ) {
      this.rotate();
      if (this.disabled) return;
    }
    this.current.set(key, value);
    this.currentBytes += size;
    this.budget.entries += 1;
    this.budget.bytes += size;
  }

  /** Gives back everything this cache holds to the block's budget. */
  clear(): void {
    this.budget.entries -= this.current.size + this.previous.size;
    this.budget.bytes -= this.currentBytes + this.previousBytes;
    this.current = new Map();
    this.previous = new Map();
    this.currentBytes = 0;
    this.previousBytes = 0;
  }

  private rotate(): void {
    const filled = this.current.size;
    const hits = this.hits;
    this.budget.entries -= this.previous.size;
    this.budget.bytes -= this.previousBytes;
    this.previous = this.current;
    this.previousBytes = this.currentBytes;
    this.current = new Map();
    this.currentBytes = 0;
    this.hits = 0;
    this.generations += 1;
    // The first generation only warms up; a later one that filled with few hits shows values that do not repeat.
    if (this.generations > 1 && hits * 10 < filled) {
      this.disabled = true;
      this.clear();
    }
  }
}

/**
 * The last field masked in a column and its masked form: a run of equal
 * values (blank fillers, a default, a sorted status) costs one comparison
 * of bytes per row, no key and no lookup.
 */
export class LastValue {
  private readonly raw: Buffer;
  private length = -1;
  private output: Buffer | undefined;

  constructor(private readonly limit: number) {
    this.raw = Buffer.alloc(limit);
  }

  /** The masked form of `source[start, end)` when it is the same field as last time. */
  get(source: Buffer, start: number, end: number): Buffer | undefined {
    const length = end - start;
    if (length !== this.length) return undefined;
    const last = this.raw;
    for (let i = 0; i < length; i += 1) if (source[start + i] !== last[i]) return undefined;
    return this.output;
  }

  set(source: Buffer, start: number, end: number, output: Buffer): void {
    const length = end - start;
    if (length > this.limit) return;
    const last = this.raw;
    for (let i = 0; i < length; i += 1) last[i] = source[start + i]!;
    this.length = length;
    this.output = output;
  }
}

/**
 * The noise (parts per million) of numbers already seen in one column, by a
 * numeric key: a digest saved per repeated amount, price or quantity, at a
 * few dozen bytes an entry. Two generations, as MaskCache.
 */
export class NumberCache {
  private current = new Map<number, number>();
  private previous = new Map<number, number>();
  private hits = 0;
  private generations = 0;
  disabled = false;

  get(key: number): number | undefined {
    if (this.disabled) return undefined;
    const found = this.current.get(key);
    if (found !== undefined) {
      this.hits += 1;
      return found;
    }
    const old = this.previous.get(key);
    if (old !== undefined) {
      this.hits += 1;
      this.set(key, old);
    }
    return old;
  }

  set(key: number, ppm: number): void {
    if (this.disabled) return;
    if (this.current.size >= NUMBER_GENERATION_ENTRIES) {
      const filled = this.current.size;
      this.previous = this.current;
      this.current = new Map();
      this.generations += 1;
      if (this.generations > 1 && this.hits * 10 < filled) {
        this.disabled = true;
        this.previous = new Map();
        return;
      }
      this.hits = 0;
    }
    this.current.set(key, ppm);
  }
}

/** Two generations of these: about 10 MB at most per column. */
const NUMBER_GENERATION_ENTRIES = 131_072;
