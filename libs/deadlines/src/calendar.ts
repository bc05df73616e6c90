import Holidays from 'date-holidays';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  civilDayOf,
  isKnownTimeZone,
  MS_PER_DAY,
  MS_PER_HOUR,
  wallClockAt,
  weekdayOf,
  yearOf,
} from './zoned-time.js';

/**
 * Whose days count. Deadlines run on the calendar of the EXECUTING State (the one that must act):
 * its public holidays and its local midnight, whichever State asked.
 */
export interface DeadlineCalendar {
  /** ISO 3166-1 alpha-2 code of the executing State. */
  state: string;
  /** IANA time zone in which that State's days begin and end. */
  timeZone: string;
}

const STATE_CODE = /^[A-Z]{2}$/;

let knownStates: Readonly<Record<string, string>> | undefined;

function holidaysKnow(state: string): boolean {
  knownStates ??= new Holidays().getCountries('en');
  return STATE_CODE.test(state) && Object.hasOwn(knownStates, state);
}

const holidayCalendars = new Map<string, Holidays>();
const holidayDaysByStateYear = new Map<string, ReadonlySet<number>>();

function holidayCalendarOf(state: string): Holidays {
  let calendar = holidayCalendars.get(state);
  if (calendar === undefined) {
    calendar = new Holidays(state, { types: ['public'] });
    holidayCalendars.set(state, calendar);
  }
  return calendar;
}

function unknownState(state: string): GatewayError {
  return new GatewayError(
    ErrorCode.CONFIGURATION_INVALID,
    `no public-holiday calendar for State ${JSON.stringify(state)} (expected an ISO 3166-1 alpha-2 code that date-holidays knows)`,
    [{ field: 'state', state }],
  );
}

/**
 * The time zone of the State's capital, as date-holidays lists it first. For States that span
 * several zones (RU, UA, ES, US...) an authority outside the capital passes its own zone instead.
 */
export function defaultTimeZone(state: string): string {
  if (!holidaysKnow(state)) throw unknownState(state);
  const [zone] = holidayCalendarOf(state).getTimezones();
  if (zone === undefined || !isKnownTimeZone(zone)) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `no default time zone for State ${state}: pass one explicitly`,
      [{ field: 'timeZone', state }],
    );
  }
  return zone;
}

/** A checked calendar: fails at once, rather than at the first working-day deadline. */
export function deadlineCalendar(state: string, timeZone?: string): DeadlineCalendar {
  if (!holidaysKnow(state)) throw unknownState(state);
  const zone = timeZone ?? defaultTimeZone(state);
  if (!isKnownTimeZone(zone)) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `unknown IANA time zone ${JSON.stringify(zone)} for State ${state}`,
      [{ field: 'timeZone', state, timeZone: zone }],
    );
  }
  return { state, timeZone: zone };
}

/**
 * The civil days taken by public holidays that begin in a year. Only type 'public' counts: bank,
 * school, optional and observance days are working days for a State's authorities. A holiday
 * lasting several days (Tết, the Russian New Year break, Bajram) takes each of them; a holiday of
 * less than a day (China's half-day holidays) does not make its day a day off. The day comes from
 * date-holidays' local date string, because Islamic holidays "start" at the previous sunset.
 */
function holidayDaysBeginningIn(state: string, year: number): ReadonlySet<number> {
  const key = `${state}:${year}`;
  let days = holidayDaysByStateYear.get(key);
  if (days === undefined) {
    const found = new Set<number>();
    for (const holiday of holidayCalendarOf(state).getHolidays(year)) {
      if (holiday.type !== 'public') continue;
      const first = civilDayOf(holiday.date.slice(0, 10));
      const lengthMs = holiday.end.getTime() - holiday.start.getTime();
      // Two hours of slack: a one-day holiday on a DST change day lasts 23 or 25 hours.
      const wholeDays = Math.floor((lengthMs + 2 * MS_PER_HOUR) / MS_PER_DAY);
      for (let offset = 0; offset < wholeDays; offset++) found.add(first + offset);
    }
    days = found;
    holidayDaysByStateYear.set(key, days);
  }
  return days;
}

function isPublicHolidayOn(state: string, civilDay: number): boolean {
  if (!holidaysKnow(state)) throw unknownState(state);
  const year = yearOf(civilDay);
  // A holiday that begins late in December can run into January.
  return (
    holidayDaysBeginningIn(state, year).has(civilDay) ||
    holidayDaysBeginningIn(state, year - 1).has(civilDay)
  );
}

/** Saturdays and Sundays are never working days; nor are the State's public holidays. */
export function isWorkingCivilDay(state: string, civilDay: number): boolean {
  const weekday = weekdayOf(civilDay);
  return weekday !== 0 && weekday !== 6 && !isPublicHolidayOn(state, civilDay);
}

/** Whether the executing State's local day containing `instant` is one of its public holidays. */
export function isPublicHoliday(instant: Date, calendar: DeadlineCalendar): boolean {
  return isPublicHolidayOn(calendar.state, wallClockAt(instant, calendar.timeZone).civilDay);
}

/** Whether the executing State's local day containing `instant` is a working day. */
export function isWorkingDay(instant: Date, calendar: DeadlineCalendar): boolean {
  return isWorkingCivilDay(calendar.state, wallClockAt(instant, calendar.timeZone).civilDay);
}
