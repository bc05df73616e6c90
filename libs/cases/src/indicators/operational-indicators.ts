import { PROCEDURES, type Procedure } from '#libs/kernel';
import { SMALL_CELL } from '../statistics-disclosure.js';
import type { Quarter } from './indicator-periods.js';
import { medianBand, protectedSum, protectPopulation } from './population-disclosure.js';

/**
 * The UNODC operational indicators (004; domain.md 5) as monitors see them: counted per quarter,
 * procedure and indicator (a "population"), each broken down along dimensions that partition it,
 * then disclosure-controlled once, over the authority's whole data (`population-disclosure.ts`).
 *
 * The guarantee against filters and differencing: every answer is a selection of cells from that
 * one canonical table (`selectIndicators`), never a recount over the filtered rows. A filter that
 * selects a small population therefore finds only suppressed cells, and two overlapping queries
 * (a day more, one State against all) return the same published figures for what they share, so
 * their difference is a difference of published figures. Periods are whole quarters; counterpart
 * States and nationalities under SMALL_CELL in a population are published together as `other`;
 * nothing is published that sums across populations. Figures of the current quarter still move
 * as cases are added: rounding to 5 is what keeps two snapshots a request apart alike.
 */

export const INDICATORS = [
  /** Requests this authority made (it is the requesting side), per counterpart State; assets: see asset-measures. */
  'requests-sent',
  /** Requests this authority received. */
  'requests-received',
  /** Nationality verifications and asset requests answered; MLA executions: see mla-responses. */
  'requests-executed',
  /** MLA answers (executed, in part, refused) against the suggested deadline (UNTOC 18(24)). */
  'mla-responses',
  /** Joint investigation teams established: every party accepted the agreement (UNTOC 19). */
  'jits-established',
  /** Identify / trace / freeze / seize / confiscate / enforce requests (UNTOC 12-14). */
  'asset-measures',
  /** Persons named as victims in the requests (TIP art. 3). */
  'victims',
  /** Returns documented: a travel document issued (TIP art. 8(4)), with how the return was prepared. */
  'returns',
  /** Persons of a case with an asylum claim or protection recorded (004 Table 5; H-1). */
  'asylum-referrals',
  /** Hard-block citations at the policy decision point (domain.md 4), by rule id. */
  'policy-blocks',
] as const;
export type Indicator = (typeof INDICATORS)[number];

/** Disaggregation of persons (004 fn. 19), chosen with `by`. */
export const PERSON_DIMENSIONS = ['ageBand', 'sex', 'nationality', 'exploitation'] as const;
export type PersonDimension = (typeof PERSON_DIMENSIONS)[number];

export const DIMENSIONS = [
  'state',
  'direction',
  'outcome',
  'deadline',
  'responseDays',
  'measure',
  'voluntary',
  'riskAssessment',
  'safety',
  'rule',
  ...PERSON_DIMENSIONS,
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** The dimensions each indicator is broken down along, where the data holds them. */
export const DIMENSIONS_OF: Record<Indicator, readonly Dimension[]> = {
  'requests-sent': ['state'],
  'requests-received': ['state'],
  'requests-executed': ['direction', 'state'],
  'mla-responses': ['outcome', 'direction', 'deadline', 'responseDays', 'state'],
  'jits-established': [],
  'asset-measures': ['measure', 'direction', 'state'],
  victims: ['state', 'ageBand', 'sex', 'nationality', 'exploitation'],
  returns: ['voluntary', 'riskAssessment', 'safety', 'state', 'ageBand', 'sex', 'nationality'],
  'asylum-referrals': ['ageBand', 'nationality'],
  'policy-blocks': ['rule'],
};

/** Dimensions with open-ended values: those under SMALL_CELL in a population become `other`. */
const FOLDED: ReadonlySet<Dimension> = new Set<Dimension>(['state', 'nationality']);
export const OTHER = 'other';
export const UNKNOWN = 'unknown';

export const RESPONSE_DAY_BANDS = ['0-30', '31-60', '61-90', '91-180', '181+'] as const;
export const AGE_BANDS = ['0-17', '18-24', '25-34', '35-49', '50+'] as const;

export function responseDaysBand(days: number): string {
  if (days <= 30) return '0-30';
  if (days <= 60) return '31-60';
  if (days <= 90) return '61-90';
  if (days <= 180) return '91-180';
  return '181+';
}

/** The band of an age in whole years; a child (0-17) whatever else is known when flagged so. */
export function ageBand(age: number | undefined, child: boolean): string {
  if (age === undefined || age < 0) return child ? '0-17' : UNKNOWN;
  if (age < 18 || child) return '0-17';
  if (age < 25) return '18-24';
  if (age < 35) return '25-34';
  if (age < 50) return '35-49';
  return '50+';
}

/** Whole years from a full or partial birth date (YYYY, YYYY-MM: the middle of the span). */
export function ageAt(dateOfBirth: unknown, at: Date): number | undefined {
  const match = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(
    typeof dateOfBirth === 'string' ? dateOfBirth : '',
  );
  if (!match) return undefined;
  const [year, month, day] = [
    Number(match[1]),
    match[2] ? Number(match[2]) : 7,
    Number(match[3] ?? (match[2] ? 15 : 1)),
  ];
  let age = at.getUTCFullYear() - year;
  if (at.getUTCMonth() + 1 < month || (at.getUTCMonth() + 1 === month && at.getUTCDate() < day))
    age--;
  return age;
}

/** One counted thing: a request, a person, a citation. */
export interface IndicatorUnit {
  indicator: Indicator;
  period: Quarter;
  procedure: Procedure;
  /** A value per dimension of the indicator; a missing one counts as `unknown`. */
  attributes: Partial<Record<Dimension, string>>;
}

/** One amount frozen (assets), in its currency. */
export interface FrozenValue {
  period: Quarter;
  currency: string;
  amount: number;
}

export interface PublishedCell {
  value: string;
  /** Rounded to a multiple of 5; null when suppressed ("fewer than 5", or withheld to protect one). */
  count: number | null;
}

export interface PublishedBreakdown {
  dimension: Dimension;
  cells: PublishedCell[];
}

export interface PublishedPopulation {
  period: Quarter;
  procedure: Procedure;
  indicator: Indicator;
  total: number | null;
  breakdowns: PublishedBreakdown[];
  /** mla-responses: the band (days) holding the median response time; null over fewer than 5. */
  medianResponseDays?: string | null;
}

export interface PublishedFrozenValue {
  period: Quarter;
  currency: string;
  /** Two significant figures; null over fewer than 5 freezes or where one dominates. */
  amount: number | null;
}

export interface IndicatorTable {
  periods: Quarter[];
  populations: PublishedPopulation[];
  frozenValues: PublishedFrozenValue[];
}

const ORDER: Record<string, readonly string[]> = {
  responseDays: RESPONSE_DAY_BANDS,
  ageBand: AGE_BANDS,
};

function cellOrder(dimension: Dimension, values: string[]): string[] {
  const fixed = ORDER[dimension] ?? [];
  const rank = (value: string) =>
    value === UNKNOWN ? 2 : value === OTHER ? 1 : fixed.includes(value) ? -1 : 0;
  return values.sort(
    (a, b) =>
      rank(a) - rank(b) || fixed.indexOf(a) - fixed.indexOf(b) || (a < b ? -1 : a > b ? 1 : 0),
  );
}

function countBy(units: readonly IndicatorUnit[], dimension: Dimension): Map<string, number> {
  const counts = new Map<string, number>();
  for (const unit of units) {
    const value = unit.attributes[dimension] ?? UNKNOWN;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  if (!FOLDED.has(dimension)) return counts;
  const folded = new Map<string, number>();
  for (const [value, count] of counts) {
    const key = count < SMALL_CELL && value !== UNKNOWN ? OTHER : value;
    folded.set(key, (folded.get(key) ?? 0) + count);
  }
  return folded;
}

const keyOf = (unit: Pick<IndicatorUnit, 'period' | 'procedure' | 'indicator'>) =>
  `${unit.period}|${unit.procedure}|${unit.indicator}`;

/**
 * The canonical table: every population of the given quarters, disclosure-controlled. Populations
 * are listed for every quarter × procedure × indicator that has units (an empty one says nothing).
 */
export function indicatorTable(
  periods: readonly Quarter[],
  units: readonly IndicatorUnit[],
  frozen: readonly FrozenValue[],
): IndicatorTable {
  const wanted = new Set(periods);
  const groups = new Map<string, IndicatorUnit[]>();
  for (const unit of units) {
    if (!wanted.has(unit.period)) continue;
    const key = keyOf(unit);
    groups.set(key, [...(groups.get(key) ?? []), unit]);
  }
  const populations: PublishedPopulation[] = [];
  for (const period of periods) {
    for (const procedure of PROCEDURES) {
      for (const indicator of INDICATORS) {
        const group = groups.get(keyOf({ period, procedure, indicator }));
        if (group) populations.push(publishedPopulation(period, procedure, indicator, group));
      }
    }
  }
  const sums = new Map<string, { period: Quarter; currency: string; amounts: number[] }>();
  for (const value of frozen) {
    if (!wanted.has(value.period)) continue;
    const key = `${value.period}|${value.currency}`;
    const entry = sums.get(key) ?? { period: value.period, currency: value.currency, amounts: [] };
    entry.amounts.push(value.amount);
    sums.set(key, entry);
  }
  const frozenValues = [...sums.values()]
    .sort((a, b) => a.period.localeCompare(b.period) || a.currency.localeCompare(b.currency))
    .map(({ period, currency, amounts }) => ({
      period,
      currency,
      amount: protectedSum(amounts),
    }));
  return { periods: [...periods], populations, frozenValues };
}

function publishedPopulation(
  period: Quarter,
  procedure: Procedure,
  indicator: Indicator,
  units: readonly IndicatorUnit[],
): PublishedPopulation {
  const dimensions = DIMENSIONS_OF[indicator];
  const counted = dimensions.map((dimension) => {
    const counts = countBy(units, dimension);
    const values = cellOrder(dimension, [...counts.keys()]);
    return { dimension, values, counts: values.map((value) => counts.get(value)!) };
  });
  const protectedFigures = protectPopulation(
    units.length,
    counted.map((breakdown) => breakdown.counts),
  );
  const population: PublishedPopulation = {
    period,
    procedure,
    indicator,
    total: protectedFigures.total,
    breakdowns: counted.map(({ dimension, values }, b) => ({
      dimension,
      cells: values.map((value, i) => ({ value, count: protectedFigures.breakdowns[b][i] })),
    })),
  };
  if (indicator === 'mla-responses') {
    const days = countBy(units, 'responseDays');
    population.medianResponseDays = medianBand(
      RESPONSE_DAY_BANDS,
      RESPONSE_DAY_BANDS.map((band) => days.get(band) ?? 0),
    );
  }
  return population;
}

export interface IndicatorQuery {
  periods: readonly Quarter[];
  procedure?: Procedure;
  /** ISO 3166-1 alpha-2: only the cells of that counterpart State (where published by name). */
  state?: string;
  /** The person dimensions to include; the indicators' own dimensions always are. */
  by: readonly PersonDimension[];
}

/**
 * An answer: the canonical table's cells that the query selects, as published there. Filters never
 * recount: with `state`, each population keeps its published total and only its cell for that
 * State, and a State folded into `other` has no cell of its own (its populations are left out).
 */
export function selectIndicators(table: IndicatorTable, query: IndicatorQuery): IndicatorTable {
  const periods = new Set(query.periods);
  const person = new Set<Dimension>(PERSON_DIMENSIONS);
  const by = new Set<Dimension>(query.by);
  const populations = table.populations
    .filter((population) => periods.has(population.period))
    .filter((population) => !query.procedure || population.procedure === query.procedure)
    .map((population) => ({
      ...population,
      breakdowns: population.breakdowns.filter(
        (breakdown) => !person.has(breakdown.dimension) || by.has(breakdown.dimension),
      ),
    }))
    .flatMap((population): PublishedPopulation[] => {
      if (!query.state) return [population];
      const states = population.breakdowns.find((breakdown) => breakdown.dimension === 'state');
      const cell = states?.cells.find((candidate) => candidate.value === query.state);
      return cell ? [{ ...population, breakdowns: [{ dimension: 'state', cells: [cell] }] }] : [];
    });
  return {
    periods: table.periods.filter((period) => periods.has(period)),
    populations,
    frozenValues:
      query.state || (query.procedure && query.procedure !== 'assets')
        ? []
        : table.frozenValues.filter((value) => periods.has(value.period)),
  };
}
