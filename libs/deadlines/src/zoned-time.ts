/**
 * Wall-clock arithmetic in an IANA time zone with nothing but `Intl` (no time-zone library).
 *
 * A local date is a "civil day": whole days since 1970-01-01, with no time zone attached, so that
 * adding days never meets a DST change. Converting back to an instant is the only step that needs
 * the zone, and it follows Temporal's `compatible` disambiguation: a wall-clock time skipped by a
 * spring-forward change moves forward by the gap (02:30 becomes 03:30), and a time that happens
 * twice in an autumn change resolves to the first occurrence (summer time).
 */

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

export interface WallClock {
  /** Days since 1970-01-01 in the zone's calendar. */
  civilDay: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    // Throws a RangeError for a zone the runtime does not know.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in milliseconds (Paris in summer: +7,200,000). */
function offsetAt(epochMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const localAsUtc = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
  );
  // Intl drops the milliseconds, so compare with the instant truncated to the second.
  return localAsUtc - Math.floor(epochMs / 1000) * 1000;
}

export function wallClockAt(instant: Date, timeZone: string): WallClock {
  const local = instant.getTime() + offsetAt(instant.getTime(), timeZone);
  const civilDay = Math.floor(local / MS_PER_DAY);
  return { civilDay, msOfDay: local - civilDay * MS_PER_DAY };
}

export function instantAt({ civilDay, msOfDay }: WallClock, timeZone: string): Date {
  const local = civilDay * MS_PER_DAY + msOfDay;
  // No zone changes its offset twice within two days, so the offsets one day either side are the
  // only candidates.
  const offsetBefore = offsetAt(local - MS_PER_DAY, timeZone);
  const offsetAfter = offsetAt(local + MS_PER_DAY, timeZone);
  const matches = [...new Set([offsetBefore, offsetAfter])]
    .map((offset) => local - offset)
    .filter((candidate) => candidate + offsetAt(candidate, timeZone) === local);
  if (matches.length > 0) return new Date(Math.min(...matches));
  // In a spring-forward gap: reading the wall time with the old offset lands after the gap.
  return new Date(local - offsetBefore);
}

export function weekdayOf(civilDay: number): number {
  // 1970-01-01 was a Thursday; 0 is Sunday, as in Date#getUTCDay.
  return (((civilDay + 4) % 7) + 7) % 7;
}

/** `2026-07-14` for a civil day. */
export function isoDateOf(civilDay: number): string {
  return new Date(civilDay * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The civil day of an ISO `YYYY-MM-DD` date. */
export function civilDayOf(isoDate: string): number {
  const [year, month, day] = isoDate.split('-').map(Number);
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

export function yearOf(civilDay: number): number {
  return new Date(civilDay * MS_PER_DAY).getUTCFullYear();
}
