/**
 * Disclosure control of the monitors' figures (OHCHR G1.7, G3.3; UNODC 004 Table 4): no published
 * figure may point at a person, whether read alone, derived from a total, or differenced between
 * two snapshots. Plain TypeScript: the rules are tested over generated data.
 *
 * - Every count is rounded to the nearest multiple of `ROUNDING_BASE`, so that a snapshot taken
 *   after one more request mostly shows the same figures (differencing learns little).
 * - A count under `SMALL_CELL` is suppressed (null), zero included: its cell says "fewer than 5".
 * - Secondary suppression: a total is published next to its cells, so a total with exactly one
 *   suppressed cell would give it away (total minus the others). A second cell (the smallest one
 *   shown) is then suppressed as well. Likewise the grand total is withheld when exactly one
 *   procedure total is suppressed. Where rounding still lets the totals narrow a small count to
 *   fewer than 4 possible values, those totals are withheld too.
 */

export const SMALL_CELL = 5;
export const ROUNDING_BASE = 5;

export interface RawCell {
  procedure: string;
  status: string;
  requests: number;
  overdue: number;
}

export interface PublishedCell {
  procedure: string;
  status: string;
  /** Rounded to a multiple of 5; null when suppressed. */
  requests: number | null;
  overdue: number | null;
}

export interface PublishedTotal {
  procedure: string;
  requests: number | null;
  overdue: number | null;
}

export interface PublishedFigures {
  cells: PublishedCell[];
  /** Per procedure, over its states. */
  totals: PublishedTotal[];
  /** Over every procedure. */
  overall: { requests: number | null; overdue: number | null };
}

type Measure = 'requests' | 'overdue';

/** A count as published: rounded, or null under the threshold. */
export function publishedCount(count: number): number | null {
  if (count < SMALL_CELL) return null;
  return Math.round(count / ROUNDING_BASE) * ROUNDING_BASE;
}

/**
 * The published form of a group of cells and their total: primary suppression of each cell, then,
 * if the total is shown and exactly one cell is suppressed, the smallest shown cell as well.
 */
function suppressGroup(counts: readonly number[]): {
  cells: Array<number | null>;
  total: number | null;
} {
  const cells = counts.map(publishedCount);
  const total = publishedCount(counts.reduce((sum, count) => sum + count, 0));
  if (total !== null && cells.filter((cell) => cell === null).length === 1) {
    let smallest = -1;
    counts.forEach((count, index) => {
      if (cells[index] !== null && (smallest < 0 || count < counts[smallest])) smallest = index;
    });
    // A group whose only other cells are suppressed already has two; otherwise one more goes.
    if (smallest >= 0) cells[smallest] = null;
  }
  return { cells, total };
}

export function disclosureControlled(rows: readonly RawCell[]): PublishedFigures {
  const procedures = [...new Set(rows.map((row) => row.procedure))];
  const published: PublishedCell[] = rows.map((row) => ({ ...row }));
  const totals: PublishedTotal[] = procedures.map((procedure) => ({
    procedure,
    requests: null,
    overdue: null,
  }));
  const overall: PublishedFigures['overall'] = { requests: null, overdue: null };
  for (const measure of ['requests', 'overdue'] as const satisfies readonly Measure[]) {
    procedures.forEach((procedure, p) => {
      const indices = rows.flatMap((row, index) => (row.procedure === procedure ? [index] : []));
      const group = suppressGroup(indices.map((index) => rows[index][measure]));
      indices.forEach((index, i) => (published[index][measure] = group.cells[i]));
      totals[p][measure] = group.total;
    });
    const grand = publishedCount(rows.reduce((sum, row) => sum + row[measure], 0));
    // One suppressed procedure total would be the grand total minus the others.
    const suppressedTotals = totals.filter((total) => total[measure] === null).length;
    overall[measure] = suppressedTotals === 1 ? null : grand;
    withholdRevealingTotals(rows, { cells: published, totals, overall }, measure);
  }
  return { cells: published, totals, overall };
}

/** What the adversary must still be unsure of: a small count stays among at least 4 values. */
export const PROTECTION_WIDTH = SMALL_CELL - 2;

/**
 * Rounding can line up so that the published totals still narrow a small count (cells that all
 * rounded up, a total that rounded down). What an adversary can infer is computed as bounds
 * (`inferableBounds`); while a small count is narrowed below PROTECTION_WIDTH, the totals that
 * narrow it are withheld: its procedure's first, then the overall one. Without totals nothing
 * narrows a suppressed cell, so this ends.
 */
function withholdRevealingTotals(
  rows: readonly RawCell[],
  figures: PublishedFigures,
  measure: Measure,
): void {
  for (;;) {
    const bounds = inferableBounds(figures, measure);
    const exposed = (count: number, [low, high]: Interval) =>
      count < SMALL_CELL && high - low < PROTECTION_WIDTH;
    const cell = rows.findIndex((row, i) => exposed(row[measure], bounds.cells[i]));
    if (cell >= 0) {
      const total = figures.totals.find((t) => t.procedure === rows[cell].procedure)!;
      if (total[measure] !== null) total[measure] = null;
      else figures.overall[measure] = null;
      continue;
    }
    const exposedTotal = figures.totals.findIndex((total, p) =>
      exposed(
        rows
          .filter((row) => row.procedure === total.procedure)
          .reduce((sum, row) => sum + row[measure], 0),
        bounds.totals[p],
      ),
    );
    if (exposedTotal >= 0 && figures.overall[measure] !== null) {
      figures.overall[measure] = null;
      continue;
    }
    return;
  }
}

export type Interval = [low: number, high: number];

/**
 * What can be inferred of each true count from the published figures alone: a published value v
 * means [v - 2, v + 2] (rounding to 5), a suppressed one [0, +inf); each published total narrows
 * its terms (a term is the total minus the others), repeated until nothing changes.
 */
export function inferableBounds(
  figures: PublishedFigures,
  measure: Measure,
): { cells: Interval[]; totals: Interval[] } {
  const half = Math.floor(ROUNDING_BASE / 2);
  const known = (value: number | null): Interval =>
    value === null ? [0, Number.POSITIVE_INFINITY] : [value - half, value + half];
  const cells = figures.cells.map((cell) => known(cell[measure]));
  const totals = figures.totals.map((total) => known(total[measure]));
  const constraints: Array<{ terms: Interval[]; total: Interval }> = [
    ...figures.totals.map((total, p) => ({
      terms: figures.cells.flatMap((cell, i) =>
        cell.procedure === total.procedure ? [cells[i]] : [],
      ),
      total: totals[p],
    })),
    { terms: totals, total: known(figures.overall[measure]) },
  ];
  const sum = (intervals: Interval[], end: 0 | 1) =>
    intervals.reduce((total, interval) => total + interval[end], 0);
  for (let changed = true; changed;) {
    changed = false;
    const narrow = (target: Interval, low: number, high: number) => {
      if (low > target[0]) [target[0], changed] = [low, true];
      if (high < target[1]) [target[1], changed] = [high, true];
    };
    for (const { terms, total } of constraints) {
      narrow(total, sum(terms, 0), sum(terms, 1));
      for (const term of terms) {
        const others = terms.filter((other) => other !== term);
        narrow(term, total[0] - sum(others, 1), total[1] - sum(others, 0));
      }
    }
  }
  return { cells, totals };
}
