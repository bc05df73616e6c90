import { ErrorCode, GatewayError } from '#libs/errors';
import { deadlineCalendar, defaultTimeZone, isPublicHoliday, isWorkingDay } from './calendar.js';

/** Noon UTC on a date: inside the same local day in every zone used here. */
const noon = (isoDate: string) => new Date(`${isoDate}T12:00:00Z`);

function failure(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('time zones', () => {
  it.each([
    ['FR', 'Europe/Paris'],
    ['NG', 'Africa/Lagos'],
    ['IT', 'Europe/Rome'],
    ['ES', 'Europe/Madrid'],
    ['DE', 'Europe/Berlin'],
    ['NL', 'Europe/Amsterdam'],
    ['BE', 'Europe/Brussels'],
    ['RO', 'Europe/Bucharest'],
    ['BG', 'Europe/Sofia'],
    ['AL', 'Europe/Tirane'],
    ['RS', 'Europe/Belgrade'],
    ['RU', 'Europe/Moscow'],
    ['VN', 'Asia/Ho_Chi_Minh'],
    ['CN', 'Asia/Shanghai'],
  ])('defaults %s to the time zone of its capital (%s)', (state, zone) => {
    expect(defaultTimeZone(state)).toBe(zone);
  });

  it.each(['MK', 'ME', 'BA', 'XK', 'UA', 'NE'])('has a default time zone for %s', (state) => {
    expect(() => deadlineCalendar(state)).not.toThrow();
  });

  it.each([
    ['KH', 'Asia/Phnom_Penh'],
    ['IQ', 'Asia/Baghdad'],
    ['AF', 'Asia/Kabul'],
    ['LB', 'Asia/Beirut'],
  ])('takes the CLDR zone of a State date-holidays does not know (%s: %s)', (state, zone) => {
    expect(defaultTimeZone(state)).toBe(zone);
  });

  it('counts in UTC where no zone is known for the code at all', () => {
    for (const state of ['ZZ', 'BV', 'fr', 'FRA', '']) expect(defaultTimeZone(state)).toBe('UTC');
  });

  it('refuses an unknown time zone', () => {
    const error = failure(() => deadlineCalendar('FR', 'Europe/Atlantis'));
    expect(error.code).toBe(ErrorCode.CONFIGURATION_INVALID);
    expect(error.details[0]).toMatchObject({ field: 'timeZone', timeZone: 'Europe/Atlantis' });
  });

  it('keeps an explicit time zone (a State that spans several)', () => {
    expect(deadlineCalendar('RU', 'Asia/Vladivostok')).toMatchObject({
      state: 'RU',
      timeZone: 'Asia/Vladivostok',
      holidays: 'date-holidays',
    });
  });
});

describe('public holidays', () => {
  const france = deadlineCalendar('FR');
  const nigeria = deadlineCalendar('NG');

  it.each(['2026-01-01', '2026-05-01', '2026-05-08', '2026-07-14', '2026-11-11', '2026-12-25'])(
    'knows the French public holiday %s',
    (date) => {
      expect(isPublicHoliday(noon(date), france)).toBe(true);
      expect(isWorkingDay(noon(date), france)).toBe(false);
    },
  );

  it.each(['2026-06-12', '2026-10-01', '2025-12-26'])(
    'knows the Nigerian public holiday %s, a working day in France',
    (date) => {
      expect(isPublicHoliday(noon(date), nigeria)).toBe(true);
      expect(isWorkingDay(noon(date), france)).toBe(true);
    },
  );

  it('counts only type "public" (not bank or observance days)', () => {
    // 24 December is no public holiday in Germany (only a half bank day in date-holidays).
    expect(isWorkingDay(noon('2026-12-24'), deadlineCalendar('DE'))).toBe(true);
  });

  it('takes every day of a multi-day holiday (the Russian New Year break)', () => {
    const russia = deadlineCalendar('RU');
    for (const date of ['2026-01-02', '2026-01-05', '2026-01-06']) {
      expect(isPublicHoliday(noon(date), russia)).toBe(true);
    }
  });

  it('does not turn a half-day holiday into a day off (8 March in China)', () => {
    expect(isWorkingDay(noon('2027-03-08'), deadlineCalendar('CN'))).toBe(true);
  });

  it('is about the local day of the executing State', () => {
    // 22:30 UTC on 13 July is already 14 July in Paris (CEST), still 13 July in Lagos (WAT).
    const lateEvening = new Date('2026-07-13T22:30:00Z');
    expect(isPublicHoliday(lateEvening, france)).toBe(true);
    expect(isPublicHoliday(lateEvening, deadlineCalendar('FR', 'Africa/Lagos'))).toBe(false);
  });
});

describe('States date-holidays does not know', () => {
  it('gives them a weekends-only calendar that says so', () => {
    const cambodia = deadlineCalendar('KH');
    expect(cambodia).toMatchObject({
      state: 'KH',
      timeZone: 'Asia/Phnom_Penh',
      holidays: 'weekends-only',
    });
    expect(cambodia.note).toContain('No public-holiday calendar is known for this State');
    expect(deadlineCalendar('FR').holidays).toBe('date-holidays');
  });

  it('counts Saturdays and Sundays as days off and nothing else', () => {
    const cambodia = deadlineCalendar('KH');
    // Khmer New Year (14-16 April 2026, Tuesday to Thursday) is unknown here: working days.
    for (const date of ['2026-04-14', '2026-04-15', '2026-04-16']) {
      expect(isPublicHoliday(noon(date), cambodia)).toBe(false);
      expect(isWorkingDay(noon(date), cambodia)).toBe(true);
    }
    expect(isWorkingDay(noon('2026-04-18'), cambodia)).toBe(false);
    expect(isWorkingDay(noon('2026-04-19'), cambodia)).toBe(false);
  });

  it('names the zone it fell back to in the note', () => {
    expect(deadlineCalendar('IQ').note).toContain('Asia/Baghdad');
    expect(deadlineCalendar('ZZ')).toMatchObject({ timeZone: 'UTC', holidays: 'weekends-only' });
    expect(deadlineCalendar('ZZ').note).toContain('UTC (no time zone is known for the State)');
  });

  it('keeps a weekends-only calendar made by hand from reaching date-holidays', () => {
    const byHand = { state: 'KH', timeZone: 'Asia/Phnom_Penh', holidays: 'date-holidays' } as const;
    expect(isWorkingDay(noon('2026-04-14'), { ...byHand, note: '' })).toBe(true);
  });
});
