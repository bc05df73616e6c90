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
 * Where the days off of a calendar come from:
 * - date-holidays: Saturdays, Sundays and the State's public holidays as date-holidays lists them;
 * - weekends-only: date-holidays has no calendar for the State (44 of the 249 ISO 3166-1 codes,
 *   among them AF, IQ, KH, LB, NP, SY), so only Saturdays and Sundays are days off. A deadline in
 *   working days may then fall on one of the State's public holidays: the clock says so (`note`).
 */
export const HOLIDAY_SOURCES = ['date-holidays', 'weekends-only'] as const;
export type HolidaySource = (typeof HOLIDAY_SOURCES)[number];

/**
 * Whose days count. Deadlines run on the calendar of the EXECUTING State (the one that must act):
 * its public holidays and its local midnight, whichever State asked.
 */
export interface DeadlineCalendar {
  /** ISO 3166-1 alpha-2 code of the executing State. */
  readonly state: string;
  /** IANA time zone in which that State's days begin and end. */
  readonly timeZone: string;
  readonly holidays: HolidaySource;
  /** What the calendar counts, in words, for the people who read the clock. */
  readonly note: string;
}

const STATE_CODE = /^[A-Z]{2}$/;
/** Where no time zone is known for a State, its days are counted in UTC (and the note says so). */
const FALLBACK_TIME_ZONE = 'UTC';

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

/**
 * The time zones of a region in the runtime's CLDR data (`und-KH` gives Asia/Phnom_Penh), for
 * States date-holidays does not know. Empty for codes that are no region (or have no zone). Node 24
 * has `getTimeZones()`; Node 20 and 22 have the earlier `timeZones` getter.
 */
function regionTimeZones(state: string): string[] {
  if (!STATE_CODE.test(state)) return [];
  try {
    const locale = new Intl.Locale(`und-${state}`) as Intl.Locale & {
      getTimeZones?: () => string[] | undefined;
      timeZones?: string[];
    };
    return (locale.getTimeZones?.() ?? locale.timeZones ?? []).filter(isKnownTimeZone);
  } catch {
    return [];
  }
}

/** The zone a State's days are counted in when none is given, and where it comes from. */
function defaultZoneOf(state: string): { zone: string; from: 'date-holidays' | 'cldr' | 'none' } {
  if (holidaysKnow(state)) {
    const [zone] = holidayCalendarOf(state).getTimezones();
    if (zone !== undefined && isKnownTimeZone(zone)) return { zone, from: 'date-holidays' };
  }
  const [zone] = regionTimeZones(state);
  return zone === undefined ? { zone: FALLBACK_TIME_ZONE, from: 'none' } : { zone, from: 'cldr' };
}

/**
 * The time zone of the State's capital, as date-holidays lists it first; for a State date-holidays
 * does not know, the first zone the runtime's CLDR data gives for the region; failing both, UTC.
 * For States that span several zones (RU, UA, ES, US, KI...) an authority outside the capital
 * passes its own zone instead.
 */
export function defaultTimeZone(state: string): string {
  return defaultZoneOf(state).zone;
}

/**
 * The calendar of an executing State. It never fails for the State: one that date-holidays does
 * not know gets a weekends-only calendar, since a missing holiday list must not stop a request
 * from being sent. An explicit time zone the runtime does not know is a configuration error.
 */
export function deadlineCalendar(state: string, timeZone?: string): DeadlineCalendar {
  const fallback = defaultZoneOf(state);
  const zone = timeZone ?? fallback.zone;
  if (!isKnownTimeZone(zone)) {
    throw new GatewayError(
      ErrorCode.CONFIGURATION_INVALID,
      `unknown IANA time zone ${JSON.stringify(zone)} for State ${JSON.stringify(state)}`,
      [{ field: 'timeZone', state, timeZone: zone }],
    );
  }
  if (holidaysKnow(state)) {
    return {
      state,
      timeZone: zone,
      holidays: 'date-holidays',
      note: `Working days are Monday to Friday except the public holidays of ${state} (date-holidays), in ${zone}.`,
    };
  }
  const where =
    timeZone !== undefined
      ? zone
      : fallback.from === 'cldr'
        ? `${zone} (the region's first time zone in CLDR)`
        : 'UTC (no time zone is known for the State)';
  return {
    state,
    timeZone: zone,
    holidays: 'weekends-only',
    note: `No public-holiday calendar is known for this State: working days are Monday to Friday in ${where}, and its public holidays count as working days.`,
  };
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

function isPublicHolidayOn(calendar: DeadlineCalendar, civilDay: number): boolean {
  // A calendar made by hand for a State date-holidays does not know counts weekends only too.
  if (calendar.holidays !== 'date-holidays' || !holidaysKnow(calendar.state)) return false;
  const year = yearOf(civilDay);
  // A holiday that begins late in December can run into January.
  return (
    holidayDaysBeginningIn(calendar.state, year).has(civilDay) ||
    holidayDaysBeginningIn(calendar.state, year - 1).has(civilDay)
  );
}

/** Saturdays and Sundays are never working days; nor are the State's known public holidays. */
export function isWorkingCivilDay(calendar: DeadlineCalendar, civilDay: number): boolean {
  const weekday = weekdayOf(civilDay);
  return weekday !== 0 && weekday !== 6 && !isPublicHolidayOn(calendar, civilDay);
}

/** Whether the executing State's local day containing `instant` is one of its public holidays. */
export function isPublicHoliday(instant: Date, calendar: DeadlineCalendar): boolean {
  return isPublicHolidayOn(calendar, wallClockAt(instant, calendar.timeZone).civilDay);
}

/** Whether the executing State's local day containing `instant` is a working day. */
export function isWorkingDay(instant: Date, calendar: DeadlineCalendar): boolean {
  return isWorkingCivilDay(calendar, wallClockAt(instant, calendar.timeZone).civilDay);
}
