import { isWorkingCivilDay, type DeadlineCalendar } from './calendar.js';
import type { Duration, ReminderOffset } from './profile.js';
import { instantAt, MS_PER_DAY, MS_PER_HOUR, wallClockAt } from './zoned-time.js';

/** A working-day deadline ends with its last day: 23:59:59.999 local time. */
const END_OF_DAY_MS = MS_PER_DAY - 1;

function assertPositiveWholeAmount({ amount }: { amount: number }): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    throw new RangeError(`a duration needs a positive whole amount, got ${amount}`);
  }
}

/**
 * The first working day after `civilDay` when n is 1, the second when n is 2..., and for n = 0
 * `civilDay` itself if it is a working day, else the next one.
 */
export function nthWorkingDayAfter(
  calendar: DeadlineCalendar,
  civilDay: number,
  n: number,
): number {
  let day = civilDay;
  let counted = 0;
  if (n === 0) {
    while (!isWorkingCivilDay(calendar, day)) day++;
    return day;
  }
  while (counted < n) {
    day++;
    if (isWorkingCivilDay(calendar, day)) counted++;
  }
  return day;
}

/** Working days in (afterDay, untilDay]: the days still owed on `untilDay` when counted from `afterDay`. */
export function workingDaysBetween(
  calendar: DeadlineCalendar,
  afterDay: number,
  untilDay: number,
): number {
  let count = 0;
  for (let day = afterDay + 1; day <= untilDay; day++) {
    if (isWorkingCivilDay(calendar, day)) count++;
  }
  return count;
}

export function endOfCivilDay(civilDay: number, calendar: DeadlineCalendar): Date {
  return instantAt({ civilDay, msOfDay: END_OF_DAY_MS }, calendar.timeZone);
}

/**
 * The due instant of a period that starts at `start`, on the executing State's calendar:
 * - hours: exactly that many elapsed hours, whatever DST does to the wall clock;
 * - calendar-days: the same local wall-clock time that many days later (a time skipped by a
 *   spring-forward change moves forward by the gap; one repeated in autumn resolves to the first);
 * - working-days: the day of the start event does not count (as in Regulation 1182/71 art. 3(1));
 *   the next Monday-to-Friday days that are not public holidays of the executing State count (only
 *   weekends where its holidays are not known: `calendar.holidays`), and
 *   the period ends at the end of the last of them, 23:59:59.999 local time.
 */
export function addDuration(start: Date, duration: Duration, calendar: DeadlineCalendar): Date {
  assertPositiveWholeAmount(duration);
  switch (duration.unit) {
    case 'hours':
      return new Date(start.getTime() + duration.amount * MS_PER_HOUR);
    case 'calendar-days': {
      const { civilDay, msOfDay } = wallClockAt(start, calendar.timeZone);
      return instantAt({ civilDay: civilDay + duration.amount, msOfDay }, calendar.timeZone);
    }
    case 'working-days': {
      const { civilDay } = wallClockAt(start, calendar.timeZone);
      return endOfCivilDay(nthWorkingDayAfter(calendar, civilDay, duration.amount), calendar);
    }
  }
}

/** When a reminder fires: hours exactly before `due`, or days before at the same local time. */
export function reminderInstant(
  due: Date,
  offset: ReminderOffset,
  calendar: DeadlineCalendar,
): Date {
  assertPositiveWholeAmount(offset);
  if (offset.unit === 'hours') return new Date(due.getTime() - offset.amount * MS_PER_HOUR);
  const { civilDay, msOfDay } = wallClockAt(due, calendar.timeZone);
  return instantAt({ civilDay: civilDay - offset.amount, msOfDay }, calendar.timeZone);
}
