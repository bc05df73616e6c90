/**
 * A hash map from 64-bit fingerprints (two unsigned 32-bit halves) to non-negative 32-bit integers,
 * in one typed array: open addressing with linear probing, tombstones on deletion, rebuilt when
 * more than three quarters full. Each slot is three consecutive words (value, high, low), so that
 * a probe touches one cache line. 16 to 32 bytes a key, against 80 or more for a `Map` keyed by
 * strings, and nothing for the garbage collector to trace.
 */
export class FingerprintMap {
  private static readonly EMPTY = -1;
  private static readonly TOMBSTONE = -2;
  private static readonly MAX_LOAD = 0.75;
  private static readonly WORDS = 3;

  /** Per slot: the value (or EMPTY, TOMBSTONE), then the fingerprint's high and low halves. */
  private table: Int32Array;
  private mask: number;
  private live = 0;
  /** Live slots and tombstones: probing stops only at an empty slot. */
  private occupied = 0;

  constructor(expectedSize = 0) {
    let capacity = 1024;
    while (capacity * FingerprintMap.MAX_LOAD < expectedSize) capacity *= 2;
    this.table = FingerprintMap.emptyTable(capacity);
    this.mask = capacity - 1;
  }

  get size(): number {
    return this.live;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.table.byteLength;
  }

  get(high: number, low: number): number | undefined {
    const slot = this.find(high | 0, low | 0);
    return slot < 0 ? undefined : this.table[slot * FingerprintMap.WORDS];
  }

  set(high: number, low: number, value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
      throw new RangeError(`a fingerprint map value is a non-negative int32, got ${value}`);
    }
    const h = high | 0;
    const l = low | 0;
    const existing = this.find(h, l);
    if (existing >= 0) {
      this.table[existing * FingerprintMap.WORDS] = value;
      return;
    }
    if (this.occupied + 1 > this.capacity * FingerprintMap.MAX_LOAD) this.rebuild();
    let slot = this.home(h, l);
    while (this.table[slot * FingerprintMap.WORDS] >= 0) slot = (slot + 1) & this.mask;
    this.write(slot, value, h, l);
    this.live++;
  }

  delete(high: number, low: number): boolean {
    const slot = this.find(high | 0, low | 0);
    if (slot < 0) return false;
    this.table[slot * FingerprintMap.WORDS] = FingerprintMap.TOMBSTONE;
    this.live--;
    return true;
  }

  private get capacity(): number {
    return this.mask + 1;
  }

  private static emptyTable(capacity: number): Int32Array {
    const table = new Int32Array(capacity * FingerprintMap.WORDS);
    for (let i = 0; i < table.length; i += FingerprintMap.WORDS) table[i] = FingerprintMap.EMPTY;
    return table;
  }

  /**
   * Where a fingerprint's probe starts. Fingerprints of keyed hashes are uniform already; mixing
   * both halves keeps the table fast even if they were not.
   */
  private home(high: number, low: number): number {
    return (low ^ Math.imul(high, 0x9e3779b1)) & this.mask;
  }

  private write(slot: number, value: number, high: number, low: number): void {
    const at = slot * FingerprintMap.WORDS;
    if (this.table[at] === FingerprintMap.EMPTY) this.occupied++;
    this.table[at] = value;
    this.table[at + 1] = high;
    this.table[at + 2] = low;
  }

  private find(high: number, low: number): number {
    const { table, mask } = this;
    let slot = this.home(high, low);
    for (;;) {
      const at = slot * FingerprintMap.WORDS;
      const value = table[at];
      if (value === FingerprintMap.EMPTY) return -1;
      if (value >= 0 && table[at + 2] === low && table[at + 1] === high) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Doubles the table when live keys fill more than half of it, else only clears tombstones. */
  private rebuild(): void {
    const old = this.table;
    const capacity = this.live > this.capacity / 2 ? this.capacity * 2 : this.capacity;
    this.table = FingerprintMap.emptyTable(capacity);
    this.mask = capacity - 1;
    this.occupied = 0;
    for (let at = 0; at < old.length; at += FingerprintMap.WORDS) {
      if (old[at] < 0) continue;
      const high = old[at + 1];
      const low = old[at + 2];
      let slot = this.home(high, low);
      while (this.table[slot * FingerprintMap.WORDS] !== FingerprintMap.EMPTY) {
        slot = (slot + 1) & this.mask;
      }
      this.write(slot, old[at], high, low);
    }
  }
}
