import type { IndicatorTable } from './operational-indicators.js';

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const CSV_HEADER = [
  'period',
  'procedure',
  'indicator',
  'dimension',
  'value',
  'count',
  'suppressed',
] as const;

/**
 * The same figures as the JSON answer, one row per published figure: a population's total
 * (dimension `total`), each breakdown cell, the median response band (`medianResponseDays`, in
 * `value`) and each frozen sum (indicator `assets-frozen`, the currency in `value`). A suppressed
 * figure has an empty count and `suppressed` true. Lines end in CRLF (RFC 4180).
 */
export function indicatorsCsv(table: IndicatorTable): string {
  const rows: Array<Array<string | number | null>> = [[...CSV_HEADER]];
  const figure = (count: number | null) => [count, count === null ? 'true' : 'false'];
  for (const population of table.populations) {
    const head = [population.period, population.procedure, population.indicator];
    rows.push([...head, 'total', '', ...figure(population.total)]);
    for (const breakdown of population.breakdowns) {
      for (const cell of breakdown.cells) {
        rows.push([...head, breakdown.dimension, cell.value, ...figure(cell.count)]);
      }
    }
    if (population.medianResponseDays !== undefined) {
      const median = population.medianResponseDays;
      rows.push([...head, 'medianResponseDays', median ?? '', null, String(median === null)]);
    }
  }
  for (const value of table.frozenValues) {
    rows.push([
      value.period,
      'assets',
      'assets-frozen',
      'currency',
      value.currency,
      ...figure(value.amount),
    ]);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
