import { FingerprintMap } from './fingerprint-map.js';
import { normaliseStateCode } from './normalise.js';

/** A register entry matched: which one, and the States to shield the person from. */
export interface RegisterHit {
  readonly entryId: string;
  /** ISO 3166-1 alpha-2 codes, sorted. */
  readonly shieldFrom: readonly string[];
}

export interface ProtectedPersonsIndexOptions {
  /** Entries expected, to size the tables once rather than grow them. */
  readonly expectedEntries?: number;
  /** Keys expected per entry (ten to fifteen is typical: see identifier-keys.ts). */
  readonly keysPerEntry?: number;
}

/** The value of each base64url character, -1 for any other. */
const BASE64URL = new Int8Array(128).fill(-1);
[...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].forEach((c, i) => {
  BASE64URL[c.charCodeAt(0)] = i;
});

/** The values of a hash's first 11 characters, reused from call to call. */
const LEADING = new Int32Array(11);

/**
 * Writes a register hash's 64-bit fingerprint, its leading 8 bytes (10 characters of 6 bits and 4
 * bits of the 11th), as two unsigned 32-bit halves at `into[at]` and `into[at + 1]`.
 */
function readFingerprint(hash: string, into: Uint32Array, at: number): void {
  let valid = typeof hash === 'string' && hash.length === 43;
  for (let i = 0; valid && i < 43; i++) {
    const code = hash.charCodeAt(i);
    const digit = code < 128 ? BASE64URL[code] : -1;
    if (digit < 0) valid = false;
    else if (i < 11) LEADING[i] = digit;
  }
  if (!valid) throw new TypeError('a register hash is 43 base64url characters (HMAC-SHA-256)');
  const d = LEADING;
  into[at] = (d[0] << 26) | (d[1] << 20) | (d[2] << 14) | (d[3] << 8) | (d[4] << 2) | (d[5] >>> 4);
  into[at + 1] =
    ((d[5] & 15) << 28) | (d[6] << 22) | (d[7] << 16) | (d[8] << 10) | (d[9] << 4) | (d[10] >>> 2);
}

/** A register hash's fingerprint (see readFingerprint). */
export function fingerprintOf(hash: string): [high: number, low: number] {
  const halves = new Uint32Array(2);
  readFingerprint(hash, halves, 0);
  return [halves[0], halves[1]];
}

/** Room for one fingerprint looked up. */
const PROBE = new Uint32Array(2);

function grown<T extends Int32Array | Uint32Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  let length = Math.max(array.length, 16);
  while (length < needed) length *= 2;
  const larger = new (array.constructor as new (length: number) => T)(length);
  larger.set(array);
  return larger;
}

/**
 * The protected-persons register in memory: keyed hashes of identifiers (never names, dates or
 * numbers, never the claim) and, per entry, the States to shield the person from.
 *
 * Built for millions of keys: each hash is reduced to a 64-bit fingerprint, its leading 8 bytes
 * (with 10 million keys stored, an unrelated hash collides with one of them with probability
 * 10^7 / 2^64 ≈ 5·10^-13, and a collision can only over-protect), held in a typed-array hash map
 * from fingerprint to entry, or to a posting list when several entries share a key (a common name
 * with the same date of birth, the same person registered twice). An entry keeps its fingerprints
 * in a shared pool, so that it can be removed; sets of States are interned. `lookup` costs one
 * probe per hash given plus one step per entry found.
 */
export class ProtectedPersonsIndex {
  /** Map values from this one up point to a posting list; below it, to one entry's slot. */
  private static readonly LIST = 0x40000000;

  private readonly postings: FingerprintMap;
  private readonly lists: (number[] | undefined)[] = [];
  private readonly freeLists: number[] = [];

  private readonly slotOf = new Map<string, number>();
  private readonly entryIds: (string | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private shieldOf: Int32Array;
  private keyStart: Int32Array;
  private keyCount: Int32Array;

  /** Fingerprints of every entry, two words each, contiguous per entry. */
  private keyPool: Uint32Array;
  private poolLength = 0;
  private poolGarbage = 0;

  private readonly shieldSets: (readonly string[])[] = [];
  /** Set ids by their canonical form (`ER,ET`) and by every form given so far (`et,ER`). */
  private readonly shieldSetIds = new Map<string, number>();

  constructor(options: ProtectedPersonsIndexOptions = {}) {
    const entries = options.expectedEntries ?? 0;
    const keys = entries * (options.keysPerEntry ?? 13);
    this.postings = new FingerprintMap(keys);
    this.shieldOf = new Int32Array(Math.max(entries, 16));
    this.keyStart = new Int32Array(Math.max(entries, 16));
    this.keyCount = new Int32Array(Math.max(entries, 16));
    this.keyPool = new Uint32Array(Math.max(keys * 2, 64));
  }

  /** Entries registered. */
  get size(): number {
    return this.slotOf.size;
  }

  has(entryId: string): boolean {
    return this.slotOf.has(entryId);
  }

  /**
   * Registers an entry under its keyed hashes (registrationHashes), to shield the person from the
   * given States. Adding an entry id that is already there replaces that entry.
   */
  add(entryId: string, hashes: readonly string[], shieldFrom: readonly string[]): void {
    if (typeof entryId !== 'string' || entryId.length === 0) {
      throw new TypeError('a register entry has a non-empty id');
    }
    const shield = this.internShieldSet(shieldFrom);
    // The fingerprints are decoded straight into the pool, after its last entry, without
    // duplicates; they become the entry's only once all are valid.
    this.compactPoolIfWasteful();
    const start = this.poolLength;
    const count = this.decodeUnique(hashes, start);
    if (count === 0) throw new RangeError('a register entry has at least one keyed hash');
    this.remove(entryId);

    const slot = this.freeSlots.pop() ?? this.entryIds.length;
    if (slot === this.entryIds.length) this.entryIds.push(undefined);
    this.shieldOf = grown(this.shieldOf, slot + 1);
    this.keyStart = grown(this.keyStart, slot + 1);
    this.keyCount = grown(this.keyCount, slot + 1);
    this.entryIds[slot] = entryId;
    this.slotOf.set(entryId, slot);
    this.shieldOf[slot] = shield;
    this.keyStart[slot] = start;
    this.keyCount[slot] = count;
    this.poolLength += count * 2;
    for (let i = 0; i < count; i++) {
      this.attach(this.keyPool[start + 2 * i], this.keyPool[start + 2 * i + 1], slot);
    }
  }

  /** Removes an entry (a claim withdrawn, a person naturalised). False if it was not there. */
  remove(entryId: string): boolean {
    const slot = this.slotOf.get(entryId);
    if (slot === undefined) return false;
    const start = this.keyStart[slot];
    const count = this.keyCount[slot];
    for (let i = 0; i < count; i++) {
      this.detach(this.keyPool[start + 2 * i], this.keyPool[start + 2 * i + 1], slot);
    }
    this.poolGarbage += count * 2;
    this.keyCount[slot] = 0;
    this.entryIds[slot] = undefined;
    this.slotOf.delete(entryId);
    this.freeSlots.push(slot);
    return true;
  }

  /** The entries that share at least one keyed hash with `hashes` (personHashes), each once. */
  lookup(hashes: readonly string[]): RegisterHit[] {
    const slots = new Set<number>();
    for (const hash of hashes) {
      readFingerprint(hash, PROBE, 0);
      const posting = this.postings.get(PROBE[0], PROBE[1]);
      if (posting === undefined) continue;
      if (posting < ProtectedPersonsIndex.LIST) slots.add(posting);
      else
        for (const slot of this.lists[posting - ProtectedPersonsIndex.LIST] ?? []) slots.add(slot);
    }
    return [...slots].map((slot) => ({
      entryId: this.entryIds[slot] as string,
      shieldFrom: this.shieldSets[this.shieldOf[slot]],
    }));
  }

  /** Decodes the fingerprints of `hashes` into the pool from `start`, each once; their count. */
  private decodeUnique(hashes: readonly string[], start: number): number {
    this.keyPool = grown(this.keyPool, start + hashes.length * 2);
    const pool = this.keyPool;
    let count = 0;
    for (const hash of hashes) {
      const at = start + 2 * count;
      readFingerprint(hash, pool, at);
      let seen = false;
      for (let j = start; j < at && !seen; j += 2) {
        seen = pool[j] === pool[at] && pool[j + 1] === pool[at + 1];
      }
      if (!seen) count++;
    }
    return count;
  }

  private internShieldSet(shieldFrom: readonly string[]): number {
    if (!Array.isArray(shieldFrom) || shieldFrom.length === 0) {
      throw new RangeError('a register entry shields the person from at least one State');
    }
    const asGiven = shieldFrom.join(',');
    const known = this.shieldSetIds.get(asGiven);
    if (known !== undefined) return known;
    const codes = shieldFrom.map((state) => {
      const code = typeof state === 'string' ? normaliseStateCode(state) : undefined;
      if (!code) throw new RangeError(`not an ISO 3166-1 alpha-2 code: ${String(state)}`);
      return code;
    });
    const set = Object.freeze([...new Set(codes)].sort());
    const canonical = set.join(',');
    let index = this.shieldSetIds.get(canonical);
    if (index === undefined) {
      index = this.shieldSets.push(set) - 1;
      this.shieldSetIds.set(canonical, index);
    }
    this.shieldSetIds.set(asGiven, index);
    return index;
  }

  private attach(high: number, low: number, slot: number): void {
    const posting = this.postings.get(high, low);
    if (posting === undefined) {
      this.postings.set(high, low, slot);
    } else if (posting < ProtectedPersonsIndex.LIST) {
      const list = this.freeLists.pop() ?? this.lists.length;
      this.lists[list] = [posting, slot];
      this.postings.set(high, low, ProtectedPersonsIndex.LIST + list);
    } else {
      this.lists[posting - ProtectedPersonsIndex.LIST]?.push(slot);
    }
  }

  private detach(high: number, low: number, slot: number): void {
    const posting = this.postings.get(high, low);
    if (posting === undefined) return;
    if (posting < ProtectedPersonsIndex.LIST) {
      if (posting === slot) this.postings.delete(high, low);
      return;
    }
    const list = posting - ProtectedPersonsIndex.LIST;
    const slots = this.lists[list] ?? [];
    const at = slots.indexOf(slot);
    if (at < 0) return;
    slots[at] = slots[slots.length - 1];
    slots.pop();
    if (slots.length === 1) {
      this.postings.set(high, low, slots[0]);
      this.lists[list] = undefined;
      this.freeLists.push(list);
    }
  }

  /** Rewrites the fingerprint pool without removed entries' words once they are half of it. */
  private compactPoolIfWasteful(): void {
    if (this.poolGarbage < 4096 || this.poolGarbage * 2 < this.poolLength) return;
    const pool = new Uint32Array(Math.max((this.poolLength - this.poolGarbage) * 2, 64));
    let length = 0;
    for (const slot of this.slotOf.values()) {
      const start = this.keyStart[slot];
      const words = this.keyCount[slot] * 2;
      pool.set(this.keyPool.subarray(start, start + words), length);
      this.keyStart[slot] = length;
      length += words;
    }
    this.keyPool = pool;
    this.poolLength = length;
    this.poolGarbage = 0;
  }
}
