import { ErrorCode, GatewayError } from '#libs/errors';

/**
 * The indicators' only period is the calendar quarter (`2026-Q3`, UTC). A query's dates select the
 * quarters they touch, so two queries a day apart answer the same quarters: no figure can be
 * differenced down to a day or a month (README, Operational indicators).
 */
export type Quarter = string;

/** At most this many quarters in one answer (five years). */
export const MAX_QUARTERS = 20;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function quarterOf(at: Date): Quarter {
  return `${at.getUTCFullYear()}-Q${Math.floor(at.getUTCMonth() / 3) + 1}`;
}

function quarterIndex(at: Date): number {
  return at.getUTCFullYear() * 4 + Math.floor(at.getUTCMonth() / 3);
}

function parseDate(value: string, field: 'from' | 'to'): Date {
  const match = ISO_DATE.exec(value);
  const date = match ? new Date(`${value}T00:00:00Z`) : new Date(Number.NaN);
  if (!match || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new GatewayError(ErrorCode.STATISTICS_QUERY_INVALID, `${field} is a date (YYYY-MM-DD)`, [
      { field },
    ]);
  }
  return date;
}

/**
 * The quarters from `from` to `to` (inclusive, YYYY-MM-DD); by default the four quarters up to
 * and including the current one.
 */
export function quartersCovering(
  from: string | undefined,
  to: string | undefined,
  now: Date,
): Quarter[] {
  const end = to === undefined ? quarterIndex(now) : quarterIndex(parseDate(to, 'to'));
  const start = from === undefined ? end - 3 : quarterIndex(parseDate(from, 'from'));
  if (start > end) {
    throw new GatewayError(ErrorCode.STATISTICS_QUERY_INVALID, 'from is after to', [
      { field: 'from' },
    ]);
  }
  if (end - start + 1 > MAX_QUARTERS) {
    throw new GatewayError(
      ErrorCode.STATISTICS_QUERY_INVALID,
      `a query covers at most ${MAX_QUARTERS} quarters`,
      [{ field: 'from' }],
    );
  }
  const quarters: Quarter[] = [];
  for (let index = start; index <= end; index++) {
    quarters.push(`${Math.floor(index / 4)}-Q${(index % 4) + 1}`);
  }
  return quarters;
}
