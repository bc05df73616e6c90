import fc from 'fast-check';
import { FingerprintMap } from './fingerprint-map.js';

type Operation =
  | { readonly op: 'set'; readonly key: number; readonly value: number }
  | { readonly op: 'delete'; readonly key: number };

/**
 * Keys drawn from a small pool, so that operations hit the same keys; all of them start probing
 * at slot 0 of the initial table (high half 0, low half a multiple of its capacity), so that
 * probing runs through long clusters and tombstones.
 */
const POOL = Array.from({ length: 64 }, (_, i) => [0, i * 1024] as const);

describe('FingerprintMap', () => {
  it('sets, gets, overwrites and deletes', () => {
    const map = new FingerprintMap();
    map.set(1, 2, 3);
    map.set(0xffffffff, 0xffffffff, 0x7fffffff);
    expect(map.get(1, 2)).toBe(3);
    expect(map.get(-1, -1)).toBe(0x7fffffff);
    expect(map.get(2, 1)).toBeUndefined();
    map.set(1, 2, 4);
    expect(map.get(1, 2)).toBe(4);
    expect(map.size).toBe(2);
    expect(map.delete(1, 2)).toBe(true);
    expect(map.delete(1, 2)).toBe(false);
    expect(map.get(1, 2)).toBeUndefined();
    expect(map.size).toBe(1);
  });

  it('refuses values that are not non-negative int32', () => {
    const map = new FingerprintMap();
    expect(() => map.set(1, 1, -1)).toThrow(RangeError);
    expect(() => map.set(1, 1, 2 ** 31)).toThrow(RangeError);
    expect(() => map.set(1, 1, 1.5)).toThrow(RangeError);
  });

  it('grows past its initial capacity and keeps every key', () => {
    const map = new FingerprintMap();
    for (let i = 0; i < 10_000; i++) map.set(i, i * 7919, i);
    expect(map.size).toBe(10_000);
    expect(map.byteLength).toBeGreaterThanOrEqual((10_000 / 0.75) * 12);
    for (let i = 0; i < 10_000; i++) expect(map.get(i, i * 7919)).toBe(i);
  });

  it('clears tombstones without growing when keys come and go', () => {
    const map = new FingerprintMap();
    const initialBytes = map.byteLength;
    for (let i = 0; i < 100_000; i++) {
      map.set(i * 2654435761, i, i);
      if (i >= 10) expect(map.delete((i - 10) * 2654435761, i - 10)).toBe(true);
    }
    expect(map.size).toBe(10);
    expect(map.byteLength).toBe(initialBytes);
    for (let i = 99_990; i < 100_000; i++) expect(map.get(i * 2654435761, i)).toBe(i);
    expect(map.get(0, 0)).toBeUndefined();
  });

  it('behaves like a Map under any sequence of operations (with colliding keys)', () => {
    const operation = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: fc.nat(63), value: fc.nat(1000) }),
      fc.record({ op: fc.constant('delete' as const), key: fc.nat(63) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 3000 }), (operations: Operation[]) => {
        const map = new FingerprintMap();
        const model = new Map<number, number>();
        for (const operation of operations) {
          const [high, low] = POOL[operation.key];
          if (operation.op === 'set') {
            map.set(high, low, operation.value);
            model.set(operation.key, operation.value);
          } else {
            expect(map.delete(high, low)).toBe(model.delete(operation.key));
          }
        }
        expect(map.size).toBe(model.size);
        POOL.forEach(([high, low], key) => expect(map.get(high, low)).toBe(model.get(key)));
      }),
      { numRuns: 100 },
    );
  });
});
