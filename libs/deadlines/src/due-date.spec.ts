import fc from 'fast-check';
import { deadlineCalendar, isPublicHoliday, isWorkingDay } from './calendar.js';
import { addDuration, reminderInstant } from './due-date.js';
import type { Duration, DurationUnit } from './profile.js';
import { wallClockAt } from './zoned-time.js';

const paris = deadlineCalendar('FR', 'Europe/Paris');
const lagos = deadlineCalendar('NG', 'Africa/Lagos');
const at = (iso: string) => new Date(iso);
const hours = (amount: number): Duration => ({ amount, unit: 'hours' });
const days = (amount: number): Duration => ({ amount, unit: 'calendar-days' });
const workingDays = (amount: number): Duration => ({ amount, unit: 'working-days' });
const HOUR = 3_600_000;

/** Local wall-clock time as "YYYY-MM-DD HH:mm", to read expectations the way an officer would. */
function local(instant: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(instant);
}

describe('addDuration: hours', () => {
  it('adds exact elapsed hours, also across a DST change', () => {
    // Friday 27 March 2026, 10:00 in Paris (CET); summer time starts on Sunday 29 March.
    const start = at('2026-03-27T09:00:00Z');
    const due = addDuration(start, hours(72), paris);
    expect(due.getTime() - start.getTime()).toBe(72 * HOUR);
    expect(local(due, 'Europe/Paris')).toBe('2026-03-30 11:00');
    // Autumn: Friday 23 October 2026, 10:00 CEST; winter time from Sunday 25 October.
    const autumn = addDuration(at('2026-10-23T08:00:00Z'), hours(72), paris);
    expect(local(autumn, 'Europe/Paris')).toBe('2026-10-26 09:00');
  });

  it('ignores weekends and holidays (an EU freezing order runs 48 hours, full stop)', () => {
    const christmasEve = at('2026-12-24T17:00:00Z');
    expect(addDuration(christmasEve, hours(48), paris)).toEqual(at('2026-12-26T17:00:00Z'));
  });
});

describe('addDuration: calendar days', () => {
  it('keeps the local wall-clock hour across the spring change in Paris', () => {
    const start = at('2026-03-27T09:00:00Z'); // 10:00 CET
    const due = addDuration(start, days(3), paris);
    expect(local(due, 'Europe/Paris')).toBe('2026-03-30 10:00');
    expect(due.getTime() - start.getTime()).toBe(71 * HOUR);
  });

  it('keeps the local wall-clock hour across the autumn change in Paris', () => {
    const start = at('2026-10-23T08:00:00Z'); // 10:00 CEST
    const due = addDuration(start, days(3), paris);
    expect(local(due, 'Europe/Paris')).toBe('2026-10-26 10:00');
    expect(due.getTime() - start.getTime()).toBe(73 * HOUR);
  });

  it('moves a wall-clock time skipped by the spring change forward by the gap', () => {
    // 02:30 on Saturday 28 March; on Sunday 29 March 02:30 does not exist in Paris.
    const due = addDuration(at('2026-03-28T01:30:00Z'), days(1), paris);
    expect(local(due, 'Europe/Paris')).toBe('2026-03-29 03:30');
  });

  it('resolves a wall-clock time repeated by the autumn change to its first occurrence', () => {
    const due = addDuration(at('2026-10-24T00:30:00Z'), days(1), paris); // 02:30 CEST
    expect(due).toEqual(at('2026-10-25T00:30:00Z')); // 02:30 CEST, not 02:30 CET
  });

  it('is exactly 24 hours a day in Lagos, which has no DST', () => {
    const start = at('2026-03-27T09:00:00Z');
    expect(addDuration(start, days(14), lagos).getTime() - start.getTime()).toBe(14 * 24 * HOUR);
  });

  it('counts weekends and holidays (readmission: 14 calendar days)', () => {
    const due = addDuration(at('2026-07-10T08:00:00Z'), days(14), paris);
    expect(local(due, 'Europe/Paris')).toBe('2026-07-24 10:00');
  });
});

describe('addDuration: working days of the executing State', () => {
  it('does not count the start day and ends at 23:59:59.999 local time on the last day', () => {
    // Tuesday 7 July 2026, 10:00 in Paris: Wednesday and Thursday are the two working days.
    const due = addDuration(at('2026-07-07T08:00:00Z'), workingDays(2), paris);
    expect(due).toEqual(at('2026-07-09T21:59:59.999Z'));
  });

  it('skips the weekend', () => {
    // Friday 3 July 2026: Monday 6 and Tuesday 7.
    const due = addDuration(at('2026-07-03T08:00:00Z'), workingDays(2), paris);
    expect(local(due, 'Europe/Paris')).toBe('2026-07-07 23:59');
  });

  it('skips French public holidays: 14 July, 1 May and 8 May, 25 December', () => {
    // Friday 10 July: Monday 13, (Tuesday 14 July), Wednesday 15.
    expect(
      local(addDuration(at('2026-07-10T08:00:00Z'), workingDays(2), paris), 'Europe/Paris'),
    ).toBe('2026-07-15 23:59');
    // Thursday 30 April: (Friday 1 May), Monday 4, Tuesday 5, Wednesday 6, Thursday 7, (Friday 8 May), Monday 11.
    expect(
      local(addDuration(at('2026-04-30T08:00:00Z'), workingDays(5), paris), 'Europe/Paris'),
    ).toBe('2026-05-11 23:59');
    // Thursday 24 December: (Friday 25 December), Monday 28.
    expect(
      local(addDuration(at('2026-12-24T08:00:00Z'), workingDays(1), paris), 'Europe/Paris'),
    ).toBe('2026-12-28 23:59');
  });

  it("skips Nigerian public holidays (Democracy Day, 12 June) but not France's", () => {
    const thursday11June = at('2026-06-11T09:00:00Z');
    expect(local(addDuration(thursday11June, workingDays(1), lagos), 'Africa/Lagos')).toBe(
      '2026-06-15 23:59',
    );
    expect(local(addDuration(thursday11June, workingDays(1), paris), 'Europe/Paris')).toBe(
      '2026-06-12 23:59',
    );
    // Wednesday 24 December 2025: Christmas in both; Boxing Day (Friday 26) only in Nigeria.
    const christmasEve2025 = at('2025-12-24T09:00:00Z');
    expect(local(addDuration(christmasEve2025, workingDays(1), lagos), 'Africa/Lagos')).toBe(
      '2025-12-29 23:59',
    );
    expect(local(addDuration(christmasEve2025, workingDays(1), paris), 'Europe/Paris')).toBe(
      '2025-12-26 23:59',
    );
  });

  it("counts from the executing State's local date and ends at its local midnight", () => {
    // 22:30 UTC on Thursday 9 July is already Friday 00:30 in Paris, still Thursday 23:30 in Lagos.
    const start = at('2026-07-09T22:30:00Z');
    expect(addDuration(start, workingDays(1), paris)).toEqual(at('2026-07-13T21:59:59.999Z'));
    expect(addDuration(start, workingDays(1), lagos)).toEqual(at('2026-07-10T22:59:59.999Z'));
  });

  it('ends at local midnight whatever the season (CET and CEST)', () => {
    expect(addDuration(at('2026-03-27T09:00:00Z'), workingDays(1), paris)).toEqual(
      at('2026-03-30T21:59:59.999Z'),
    );
    expect(addDuration(at('2026-02-05T09:00:00Z'), workingDays(1), paris)).toEqual(
      at('2026-02-06T22:59:59.999Z'),
    );
  });
});

describe('addDuration: input', () => {
  it.each([0, -1, 1.5, Number.NaN])('refuses an amount of %p', (amount) => {
    expect(() => addDuration(at('2026-07-07T08:00:00Z'), { amount, unit: 'hours' }, paris)).toThrow(
      RangeError,
    );
  });
});

describe('reminderInstant', () => {
  it('counts hours back exactly and calendar days back at the same local time', () => {
    const due = at('2026-03-30T08:00:00Z'); // Monday 10:00 CEST
    expect(reminderInstant(due, { amount: 48, unit: 'hours' }, paris)).toEqual(
      at('2026-03-28T08:00:00Z'),
    );
    expect(
      local(reminderInstant(due, { amount: 2, unit: 'calendar-days' }, paris), 'Europe/Paris'),
    ).toBe('2026-03-28 10:00');
  });
});

describe('properties', () => {
  const calendars = fc.constantFrom(
    paris,
    lagos,
    deadlineCalendar('DE'),
    deadlineCalendar('RS'),
    deadlineCalendar('VN'),
    deadlineCalendar('RU'),
  );
  const instants = fc
    .integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 11, 31) })
    .map((ms) => new Date(ms));
  const units = fc.constantFrom<DurationUnit>('hours', 'calendar-days', 'working-days');

  it('the due instant is always after the start', () => {
    fc.assert(
      fc.property(
        instants,
        fc.integer({ min: 1, max: 120 }),
        units,
        calendars,
        (start, amount, unit, calendar) => {
          expect(addDuration(start, { amount, unit }, calendar).getTime()).toBeGreaterThan(
            start.getTime(),
          );
        },
      ),
    );
  });

  it('a working-day due date is a working day, never a weekend or a public holiday, and ends it', () => {
    fc.assert(
      fc.property(
        instants,
        fc.integer({ min: 1, max: 40 }),
        calendars,
        (start, amount, calendar) => {
          const due = addDuration(start, workingDays(amount), calendar);
          const weekday = new Date(
            wallClockAt(due, calendar.timeZone).civilDay * 86_400_000,
          ).getUTCDay();
          expect([0, 6]).not.toContain(weekday);
          expect(isPublicHoliday(due, calendar)).toBe(false);
          expect(isWorkingDay(due, calendar)).toBe(true);
          expect(wallClockAt(due, calendar.timeZone).msOfDay).toBe(86_400_000 - 1);
        },
      ),
    );
  });

  it('one more working day never makes the deadline earlier', () => {
    fc.assert(
      fc.property(
        instants,
        fc.integer({ min: 1, max: 30 }),
        calendars,
        (start, amount, calendar) => {
          const shorter = addDuration(start, workingDays(amount), calendar);
          const longer = addDuration(start, workingDays(amount + 1), calendar);
          expect(longer.getTime()).toBeGreaterThan(shorter.getTime());
        },
      ),
    );
  });

  it('calendar days keep the local wall-clock time unless it does not exist that day', () => {
    fc.assert(
      fc.property(
        instants,
        fc.integer({ min: 1, max: 400 }),
        calendars,
        (start, amount, calendar) => {
          const due = addDuration(start, days(amount), calendar);
          const before = wallClockAt(start, calendar.timeZone);
          const after = wallClockAt(due, calendar.timeZone);
          expect(after.civilDay).toBe(before.civilDay + amount);
          // Only a spring-forward gap moves it, forward by the gap (one hour in these zones).
          expect([0, HOUR]).toContain(after.msOfDay - before.msOfDay);
        },
      ),
    );
  });
});
