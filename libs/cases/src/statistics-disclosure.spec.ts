import fc from 'fast-check';
import {
  disclosureControlled,
  publishedCount,
  ROUNDING_BASE,
  SMALL_CELL,
  type PublishedFigures,
  type RawCell,
} from './statistics-disclosure.js';

const PROCEDURES = ['mla', 'jit', 'nationality-verification', 'assets'];
const STATUSES = ['submitted', 'acknowledged', 'executing', 'answered', 'closed', 'refused'];

/** Any authority's figures: some procedure × state cells, small and large counts alike. */
const figures = fc
  .uniqueArray(
    fc.record({
      procedure: fc.constantFrom(...PROCEDURES),
      status: fc.constantFrom(...STATUSES),
      requests: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 400 })),
      overdueShare: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { selector: (cell) => `${cell.procedure}/${cell.status}`, maxLength: 24 },
  )
  .map((cells) =>
    cells.map(({ procedure, status, requests, overdueShare }): RawCell => ({
      procedure,
      status,
      requests,
      overdue: Math.floor(requests * overdueShare),
    })),
  );

type Interval = [number, number];

/**
 * What an adversary can tell of each true count from the published figures alone: a published
 * value v means [v - 2, v + 2] (rounding to 5), a suppressed one [0, +inf); every published total
 * then narrows its terms (term = total - the others), repeated until nothing changes.
 */
function adversaryBounds(
  published: PublishedFigures,
  measure: 'requests' | 'overdue',
): { cells: Interval[]; totals: Interval[] } {
  const half = Math.floor(ROUNDING_BASE / 2);
  const known = (value: number | null): Interval =>
    value === null ? [0, Number.POSITIVE_INFINITY] : [value - half, value + half];
  const cells = published.cells.map((cell) => known(cell[measure]));
  const totals = published.totals.map((total) => known(total[measure]));
  const overall = known(published.overall[measure]);
  // Each constraint: sum of terms = total.
  const constraints: Array<{ terms: Interval[]; total: Interval }> = [
    ...published.totals.map((total, p) => ({
      terms: published.cells.flatMap((cell, i) =>
        cell.procedure === total.procedure ? [cells[i]] : [],
      ),
      total: totals[p],
    })),
    { terms: totals, total: overall },
  ];
  for (let changed = true; changed;) {
    changed = false;
    for (const { terms, total } of constraints) {
      const narrow = (target: Interval, low: number, high: number) => {
        const next: Interval = [Math.max(target[0], low), Math.min(target[1], high)];
        if (next[0] !== target[0] || next[1] !== target[1]) {
          target[0] = next[0];
          target[1] = next[1];
          changed = true;
        }
      };
      const sum = (intervals: Interval[], end: 0 | 1) =>
        intervals.reduce((total, interval) => total + interval[end], 0);
      narrow(total, sum(terms, 0), sum(terms, 1));
      for (const term of terms) {
        const others = terms.filter((other) => other !== term);
        narrow(term, total[0] - sum(others, 1), total[1] - sum(others, 0));
      }
    }
  }
  return { cells, totals };
}

describe('disclosure control of the statistics', () => {
  it('publishes no count under the threshold and rounds every count to the base', () => {
    fc.assert(
      fc.property(figures, (rows) => {
        const published = disclosureControlled(rows);
        const values = [
          ...published.cells.flatMap((c) => [c.requests, c.overdue]),
          ...published.totals.flatMap((t) => [t.requests, t.overdue]),
          published.overall.requests,
          published.overall.overdue,
        ];
        for (const value of values) {
          if (value === null) continue;
          expect(value).toBeGreaterThanOrEqual(SMALL_CELL);
          expect(value % ROUNDING_BASE).toBe(0);
        }
        // A cell or total whose true count is small is always suppressed.
        rows.forEach((row, i) => {
          if (row.requests < SMALL_CELL) expect(published.cells[i].requests).toBeNull();
          if (row.overdue < SMALL_CELL) expect(published.cells[i].overdue).toBeNull();
        });
      }),
      { numRuns: 500 },
    );
  });

  it('leaves no small count derivable from the totals published beside it', () => {
    fc.assert(
      fc.property(figures, (rows) => {
        const published = disclosureControlled(rows);
        for (const measure of ['requests', 'overdue'] as const) {
          const bounds = adversaryBounds(published, measure);
          // Every true count lies within what the adversary infers (the inference is sound)...
          rows.forEach((row, i) => {
            const [low, high] = bounds.cells[i];
            expect(row[measure]).toBeGreaterThanOrEqual(low);
            expect(row[measure]).toBeLessThanOrEqual(high);
            // ...and a small one is never narrowed: at least four values remain possible.
            if (row[measure] < SMALL_CELL)
              expect(high - low).toBeGreaterThanOrEqual(SMALL_CELL - 2);
          });
          published.totals.forEach((total, p) => {
            const count = rows
              .filter((row) => row.procedure === total.procedure)
              .reduce((sum, row) => sum + row[measure], 0);
            const [low, high] = bounds.totals[p];
            if (count < SMALL_CELL) expect(high - low).toBeGreaterThanOrEqual(SMALL_CELL - 2);
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('shows the same figures after one more request in most cells (differencing learns little)', () => {
    // Rounding to 5 changes a published count for one in five increments at most.
    let changed = 0;
    for (let count = SMALL_CELL; count < 1005; count++) {
      if (publishedCount(count) !== publishedCount(count + 1)) changed += 1;
    }
    expect(changed).toBe(200);
  });

  it('withholds totals that rounding lined up to narrow a small count', () => {
    // Four cells of 8 all round up to 10 while their total, 32, rounds down to 30: two empty cells
    // beside them would be pinned at 0.
    const rows = [8, 8, 8, 8, 0, 0].map((overdue, i) => ({
      procedure: 'mla',
      status: `s${i}`,
      requests: 50,
      overdue,
    }));
    const published = disclosureControlled(rows);
    expect(published.totals[0].overdue).toBeNull();
    expect(published.cells.map((c) => c.overdue)).toEqual([10, 10, 10, 10, null, null]);
  });

  it('suppresses a second cell when a total would give one away', () => {
    const published = disclosureControlled([
      { procedure: 'mla', status: 'submitted', requests: 2, overdue: 0 },
      { procedure: 'mla', status: 'answered', requests: 40, overdue: 12 },
      { procedure: 'mla', status: 'closed', requests: 17, overdue: 0 },
    ]);
    expect(published.cells.map((c) => c.requests)).toEqual([null, 40, null]);
    expect(published.totals).toEqual([{ procedure: 'mla', requests: 60, overdue: 10 }]);
    // Overdue: two zero cells suppressed already, the other shown.
    expect(published.cells.map((c) => c.overdue)).toEqual([null, 10, null]);
  });
});
