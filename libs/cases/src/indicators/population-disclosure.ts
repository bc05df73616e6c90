import { publishedCount, ROUNDING_BASE, SMALL_CELL } from '../statistics-disclosure.js';

/**
 * Disclosure control of one population of the operational indicators (UNODC 004 fn. 19; OHCHR
 * G1.7, G3.3): a total and one or more breakdowns, each of which partitions the population (every
 * unit falls in exactly one cell of each breakdown, `unknown` and `other` included). So the only
 * relations between the figures published for a population are "each breakdown sums to the total",
 * and nothing is published that sums across populations.
 *
 * - Primary: each count is rounded to a multiple of 5; under 5 (zero included) it is suppressed.
 * - Complementary: a breakdown with exactly one suppressed cell beside a published total would give
 *   it away, so its smallest published cell goes too.
 * - Inference: what an adversary can still tell of each suppressed count (`inferableRanges`) must
 *   leave a small count among at least PROTECTION_WIDTH + 1 values; otherwise the total is withheld,
 *   then the smallest cell of a breakdown that still pins the total, until nothing narrows.
 */

/** A small count stays among at least 4 possible values (as in statistics-disclosure.ts). */
export const PROTECTION_WIDTH = SMALL_CELL - 2;
const HALF = Math.floor(ROUNDING_BASE / 2);

export type Range = [low: number, high: number];

export interface ProtectedPopulation {
  total: number | null;
  /** Per breakdown, per cell: rounded, or null when suppressed. */
  breakdowns: Array<Array<number | null>>;
}

/** What a published figure tells of the true count: rounding's half-width, and never under 5. */
function rangeOfPublished(value: number | null): Range {
  return value === null
    ? [0, Number.POSITIVE_INFINITY]
    : [Math.max(value - HALF, SMALL_CELL), value + HALF];
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/**
 * The exact range of every true count given the published figures: the breakdowns are linked only
 * through the total, so the total lies in the intersection of each breakdown's possible sums, and a
 * cell lies within the total minus the others of its breakdown.
 */
function inferableRanges(published: ProtectedPopulation): {
  total: Range;
  breakdowns: Range[][];
} {
  const known = published.breakdowns.map((cells) => cells.map(rangeOfPublished));
  const total = rangeOfPublished(published.total);
  for (const cells of known) {
    total[0] = Math.max(total[0], sum(cells.map((cell) => cell[0])));
    total[1] = Math.min(total[1], sum(cells.map((cell) => cell[1])));
  }
  const breakdowns = known.map((cells) =>
    cells.map((cell, i): Range => {
      const others = cells.filter((_, j) => j !== i);
      return [
        Math.max(cell[0], total[0] - sum(others.map((other) => other[1]))),
        Math.min(cell[1], total[1] - sum(others.map((other) => other[0]))),
      ];
    }),
  );
  return { total, breakdowns };
}

function smallestPublished(
  counts: readonly number[],
  cells: ReadonlyArray<number | null>,
): number | null {
  let smallest: number | null = null;
  cells.forEach((cell, i) => {
    if (cell !== null && (smallest === null || counts[i] < counts[smallest])) smallest = i;
  });
  return smallest;
}

/** `breakdowns` hold the true counts; each must sum to `total`. */
export function protectPopulation(
  total: number,
  breakdowns: ReadonlyArray<readonly number[]>,
): ProtectedPopulation {
  for (const counts of breakdowns) {
    if (sum(counts) !== total) throw new Error('a breakdown does not partition its population');
  }
  const published: ProtectedPopulation = {
    total: publishedCount(total),
    breakdowns: breakdowns.map((counts) => counts.map(publishedCount)),
  };
  breakdowns.forEach((counts, b) => {
    const cells = published.breakdowns[b];
    if (published.total === null || cells.filter((cell) => cell === null).length !== 1) return;
    const smallest = smallestPublished(counts, cells);
    if (smallest !== null) cells[smallest] = null;
  });
  const exposed = (count: number, [low, high]: Range) =>
    count < SMALL_CELL && high - low < PROTECTION_WIDTH;
  for (;;) {
    const ranges = inferableRanges(published);
    const at = breakdowns.findIndex((counts, b) =>
      counts.some((count, i) => exposed(count, ranges.breakdowns[b][i])),
    );
    if (at < 0 && !exposed(total, ranges.total)) return published;
    if (published.total !== null) {
      published.total = null;
      continue;
    }
    // Without a published total, a breakdown shown whole still pins it for the others.
    const pinning = published.breakdowns.findIndex(
      (cells) => cells.length > 0 && cells.every((cell) => cell !== null),
    );
    const b = pinning >= 0 ? pinning : Math.max(at, 0);
    const smallest = smallestPublished(breakdowns[b], published.breakdowns[b]);
    if (smallest === null) return published;
    published.breakdowns[b][smallest] = null;
  }
}

/**
 * A sum of values (assets frozen): published only over at least SMALL_CELL contributions none of
 * which makes up more than half of it (a dominant contributor would be read off the sum), rounded
 * to two significant figures.
 */
export function protectedSum(values: readonly number[]): number | null {
  const total = sum(values);
  if (values.length < SMALL_CELL || total <= 0) return null;
  if (Math.max(...values) > total / 2) return null;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(total)) - 1);
  return Math.round(total / magnitude) * magnitude;
}

/**
 * The band holding the median of a distribution over ordered bands; null over fewer than
 * SMALL_CELL units.
 */
export function medianBand(bands: readonly string[], counts: readonly number[]): string | null {
  const total = sum(counts);
  if (total < SMALL_CELL) return null;
  let seen = 0;
  for (let i = 0; i < bands.length; i++) {
    seen += counts[i];
    if (seen * 2 >= total) return bands[i];
  }
  return null;
}
