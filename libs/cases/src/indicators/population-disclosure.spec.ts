import fc from 'fast-check';
import { ROUNDING_BASE, SMALL_CELL } from '../statistics-disclosure.js';
import {
  medianBand,
  PROTECTION_WIDTH,
  protectedSum,
  protectPopulation,
  type ProtectedPopulation,
} from './population-disclosure.js';

/** A population: its total split several ways, small and large counts alike. */
const population = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 60 })), {
    minLength: 1,
    maxLength: 12,
  })
  .chain((units) =>
    fc
      .array(
        fc.array(fc.nat(), { minLength: units.length, maxLength: units.length }).map((picks) => {
          const size = 1 + ((picks[0] ?? 0) % 6);
          const counts = new Array<number>(size).fill(0);
          units.forEach((count, i) => (counts[picks[i] % size] += count));
          return counts;
        }),
        { minLength: 1, maxLength: 4 },
      )
      .map((breakdowns) => ({ total: units.reduce((a, b) => a + b, 0), breakdowns })),
  );

type Range = [number, number];

/**
 * The adversary, written apart from the code under test: a published v means [max(v - 2, 5), v + 2],
 * a suppressed one [0, inf); each breakdown sums to the total, so the total lies in every
 * breakdown's possible sums, and a cell in the total minus its breakdown's other cells.
 */
function adversary(published: ProtectedPopulation): { total: Range; cells: Range[][] } {
  const read = (v: number | null): Range =>
    v === null ? [0, Infinity] : [Math.max(v - 2, 5), v + 2];
  const cells = published.breakdowns.map((b) => b.map(read));
  let [low, high] = read(published.total);
  for (const b of cells) {
    low = Math.max(
      low,
      b.reduce((s, c) => s + c[0], 0),
    );
    high = Math.min(
      high,
      b.reduce((s, c) => s + c[1], 0),
    );
  }
  return {
    total: [low, high],
    cells: cells.map((b) =>
      b.map((c, i) => {
        const others = b.filter((_, j) => j !== i);
        return [
          Math.max(c[0], low - others.reduce((s, o) => s + o[1], 0)),
          Math.min(c[1], high - others.reduce((s, o) => s + o[0], 0)),
        ];
      }),
    ),
  };
}

describe('protectPopulation', () => {
  it('publishes no count in 1..4, and every published count is the true one rounded to 5', () => {
    fc.assert(
      fc.property(population, ({ total, breakdowns }) => {
        const published = protectPopulation(total, breakdowns);
        const check = (truth: number, shown: number | null) => {
          if (shown === null) return;
          expect(shown % ROUNDING_BASE).toBe(0);
          expect(shown).toBeGreaterThanOrEqual(SMALL_CELL);
          expect(Math.abs(shown - truth)).toBeLessThanOrEqual(Math.floor(ROUNDING_BASE / 2));
          expect(truth).toBeGreaterThanOrEqual(SMALL_CELL);
        };
        check(total, published.total);
        breakdowns.forEach((counts, b) =>
          counts.forEach((count, i) => check(count, published.breakdowns[b][i])),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('never lets the total and the other cells narrow a small count to fewer than 4 values', () => {
    fc.assert(
      fc.property(population, ({ total, breakdowns }) => {
        const published = protectPopulation(total, breakdowns);
        const inferred = adversary(published);
        breakdowns.forEach((counts, b) =>
          counts.forEach((count, i) => {
            const [low, high] = inferred.cells[b][i];
            // Sound: the truth is always within what can be inferred.
            expect(count).toBeGreaterThanOrEqual(low);
            expect(count).toBeLessThanOrEqual(high);
            if (count < SMALL_CELL) expect(high - low).toBeGreaterThanOrEqual(PROTECTION_WIDTH);
          }),
        );
        if (total < SMALL_CELL) {
          expect(inferred.total[1] - inferred.total[0]).toBeGreaterThanOrEqual(PROTECTION_WIDTH);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('suppresses a second cell beside a single small one under a published total', () => {
    // 2 alone would be the total (20) minus 18 (rounded 20): 18 goes with it.
    expect(protectPopulation(20, [[2, 18]])).toEqual({ total: 20, breakdowns: [[null, null]] });
  });

  it('withholds the total when another breakdown shown whole would give the small cell away', () => {
    const published = protectPopulation(21, [
      [3, 9, 9],
      [10, 11],
    ]);
    const inferred = adversary(published);
    expect(inferred.cells[0][0][1] - inferred.cells[0][0][0]).toBeGreaterThanOrEqual(
      PROTECTION_WIDTH,
    );
  });

  it('refuses a breakdown that does not add up to the population', () => {
    expect(() => protectPopulation(5, [[1, 2]])).toThrow('partition');
  });
});

describe('protectedSum', () => {
  it('needs 5 contributions and none over half; two significant figures', () => {
    expect(protectedSum([100, 100, 100, 100])).toBeNull();
    expect(protectedSum([1000, 10, 10, 10, 10])).toBeNull();
    expect(protectedSum([12_345, 11_000, 10_500, 9_800, 13_001])).toBe(57_000);
  });

  it('is never the exact sum of fewer than 5 amounts', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1e7 }), { maxLength: 12 }), (amounts) => {
        const sum = protectedSum(amounts);
        if (amounts.length < SMALL_CELL) expect(sum).toBeNull();
        if (sum !== null) {
          const exact = amounts.reduce((a, b) => a + b, 0);
          expect(Math.abs(sum - exact)).toBeLessThanOrEqual(exact * 0.05 + 1);
        }
      }),
    );
  });
});

describe('medianBand', () => {
  it('names the band of the middle unit, over at least 5 units', () => {
    expect(medianBand(['a', 'b', 'c'], [1, 1, 2])).toBeNull();
    expect(medianBand(['a', 'b', 'c'], [1, 3, 2])).toBe('b');
    expect(medianBand(['a', 'b', 'c'], [0, 0, 6])).toBe('c');
  });
});
