import fc from 'fast-check';
import { PROCEDURES } from '#libs/kernel';
import { ROUNDING_BASE, SMALL_CELL } from '../statistics-disclosure.js';
import { quartersCovering } from './indicator-periods.js';
import { csvField, indicatorsCsv } from './indicators-csv.js';
import {
  ageAt,
  ageBand,
  DIMENSIONS_OF,
  INDICATORS,
  indicatorTable,
  OTHER,
  PERSON_DIMENSIONS,
  selectIndicators,
  type IndicatorTable,
  type IndicatorUnit,
} from './operational-indicators.js';

const PERIODS = ['2026-Q1', '2026-Q2', '2026-Q3'];
const STATES = ['NG', 'IT', 'RO', 'AL', 'VN'];

const unit: fc.Arbitrary<IndicatorUnit> = fc
  .record({
    indicator: fc.constantFrom(...INDICATORS),
    period: fc.constantFrom(...PERIODS),
    procedure: fc.constantFrom(...PROCEDURES),
    values: fc.array(fc.constantFrom('a', 'b', 'c', ...STATES), { minLength: 14, maxLength: 14 }),
    known: fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
  })
  .map(({ indicator, period, procedure, values, known }) => ({
    indicator,
    period,
    procedure,
    attributes: Object.fromEntries(
      DIMENSIONS_OF[indicator].flatMap((dimension, i) =>
        known[i]
          ? [[dimension, dimension === 'state' ? values[i].slice(0, 2).toUpperCase() : values[i]]]
          : [],
      ),
    ),
  }));

/** Many units in few populations, so that some cells are large and others small. */
const units = fc.array(unit, { maxLength: 300 });

function everyCount(table: IndicatorTable): Array<number | null> {
  return [
    ...table.populations.flatMap((p) => [
      p.total,
      ...p.breakdowns.flatMap((b) => b.cells.map((c) => c.count)),
    ]),
    ...table.frozenValues.map((value) => value.amount),
  ];
}

const query = fc.record({
  periods: fc.subarray(PERIODS, { minLength: 1 }),
  procedure: fc.option(fc.constantFrom(...PROCEDURES), { nil: undefined }),
  state: fc.option(fc.constantFrom(...STATES), { nil: undefined }),
  by: fc.subarray([...PERSON_DIMENSIONS]),
});

describe('operational indicators', () => {
  it('whatever the data and the filters, no published count is in 1..4, and all are rounded', () => {
    fc.assert(
      fc.property(units, query, (data, q) => {
        const answer = selectIndicators(indicatorTable(PERIODS, data, []), q);
        for (const count of everyCount(answer)) {
          if (count === null) continue;
          expect(count).toBeGreaterThanOrEqual(SMALL_CELL);
          expect(count % ROUNDING_BASE).toBe(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every answer is cut from the one canonical table: filters never recount', () => {
    fc.assert(
      fc.property(units, query, (data, q) => {
        const table = indicatorTable(PERIODS, data, []);
        const answer = selectIndicators(table, q);
        for (const population of answer.populations) {
          const canonical = table.populations.find(
            (p) =>
              p.period === population.period &&
              p.procedure === population.procedure &&
              p.indicator === population.indicator,
          )!;
          expect(population.total).toBe(canonical.total);
          for (const breakdown of population.breakdowns) {
            const whole = canonical.breakdowns.find((b) => b.dimension === breakdown.dimension)!;
            for (const cell of breakdown.cells) expect(whole.cells).toContainEqual(cell);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a State with fewer than 5 in a population is never shown by name, so state=X finds nothing', () => {
    const rows = (state: string, n: number): IndicatorUnit[] =>
      Array.from({ length: n }, () => ({
        indicator: 'requests-sent',
        period: '2026-Q1',
        procedure: 'mla',
        attributes: { state },
      }));
    const table = indicatorTable(
      PERIODS,
      [...rows('NG', 12), ...rows('AL', 2), ...rows('VN', 4)],
      [],
    );
    const states = table.populations[0].breakdowns[0].cells;
    expect(states).toEqual([
      { value: 'NG', count: 10 },
      { value: OTHER, count: 5 },
    ]);
    expect(
      selectIndicators(table, { periods: ['2026-Q1'], state: 'AL', by: [] }).populations,
    ).toEqual([]);
    // A small population filtered to: everything suppressed.
    const small = indicatorTable(PERIODS, rows('AL', 3), []);
    expect(selectIndicators(small, { periods: ['2026-Q1'], by: [] }).populations[0]).toMatchObject({
      total: null,
      breakdowns: [{ dimension: 'state', cells: [{ value: OTHER, count: null }] }],
    });
  });

  it('differencing a period against the same period a day longer learns nothing: same quarters', () => {
    const now = new Date('2026-12-05T12:00:00Z');
    expect(quartersCovering('2026-01-01', '2026-03-30', now)).toEqual(
      quartersCovering('2026-01-01', '2026-03-31', now),
    );
    expect(quartersCovering('2026-02-10', '2026-04-01', now)).toEqual(['2026-Q1', '2026-Q2']);
    expect(() => quartersCovering('2026-04-01', '2026-03-01', now)).toThrow('from is after to');
    expect(() => quartersCovering('2026-02-30', undefined, now)).toThrow('YYYY-MM-DD');
    expect(quartersCovering(undefined, undefined, now)).toEqual([
      '2026-Q1',
      '2026-Q2',
      '2026-Q3',
      '2026-Q4',
    ]);
  });

  it('bands ages; a child flag wins over a missing or contradictory date', () => {
    expect(ageBand(undefined, false)).toBe('unknown');
    expect(ageBand(undefined, true)).toBe('0-17');
    expect(ageBand(30, true)).toBe('0-17');
    expect(ageBand(17, false)).toBe('0-17');
    expect(ageBand(18, false)).toBe('18-24');
    expect(ageBand(64, false)).toBe('50+');
    const on = new Date('2026-06-01T00:00:00Z');
    expect(ageAt('2008-06-02', on)).toBe(17);
    expect(ageAt('2008-06-01', on)).toBe(18);
    expect(ageAt('2008-07', on)).toBe(17);
    expect(ageAt('2008', on)).toBe(17);
    expect(ageAt('about 1990', on)).toBeUndefined();
    expect(ageAt(undefined, on)).toBeUndefined();
  });
});

describe('indicators as CSV', () => {
  it('quotes fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "no"')).toBe('"say ""no"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(15)).toBe('15');
  });

  it('round-trips any field through a strict RFC 4180 reader', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 6 }),
        (fields) => {
          expect(parseCsvLine(fields.map(csvField).join(','))).toEqual(fields);
        },
      ),
    );
  });

  it('writes one row per published figure, suppressed ones empty and flagged', () => {
    const table = indicatorTable(
      ['2026-Q1'],
      Array.from({ length: 7 }, (): IndicatorUnit => ({
        indicator: 'policy-blocks',
        period: '2026-Q1',
        procedure: 'nationality-verification',
        attributes: { rule: 'H-1' },
      })),
      [],
    );
    expect(indicatorsCsv(table).split('\r\n')).toEqual([
      'period,procedure,indicator,dimension,value,count,suppressed',
      '2026-Q1,nationality-verification,policy-blocks,total,,5,false',
      '2026-Q1,nationality-verification,policy-blocks,rule,H-1,5,false',
      '',
    ]);
  });
});

/** A reader written from RFC 4180 itself, to check the writer against. */
function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (line[i] === '"' && line[i + 1] === '"') [field, i] = [field + '"', i + 2];
        else if (line[i] === '"') {
          i++;
          break;
        } else [field, i] = [field + line[i], i + 1];
      }
    } else {
      while (i < line.length && line[i] !== ',') [field, i] = [field + line[i], i + 1];
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i++; // the comma
  }
}
