import { isISO31661Alpha2 } from 'class-validator';
import fc from 'fast-check';
import { deadlineCalendar, isWorkingDay } from './calendar.js';
import { applyDeadlineEvent, remindersDue } from './clock.js';
import { addDuration } from './due-date.js';
import type { DeadlineProfile, DurationUnit } from './profile.js';
import { wallClockAt } from './zoned-time.js';

/*
 * Sending to any State must never fail for want of its calendar: every two-letter code (the 249
 * ISO 3166-1 alpha-2 codes the directory accepts among them) and codes that are no State at all
 * get a calendar, and every due date computed on it is a real instant.
 */

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const EVERY_TWO_LETTER_CODE = [...LETTERS].flatMap((a) => [...LETTERS].map((b) => a + b));
const ISO_CODES = EVERY_TWO_LETTER_CODE.filter((code) => isISO31661Alpha2(code));
const UNITS: DurationUnit[] = ['hours', 'calendar-days', 'working-days'];
const END_OF_DAY_MS = 86_400_000 - 1;

const profile: DeadlineProfile = {
  id: 'test-working-days',
  kind: 'time-limit',
  procedure: 'assets',
  instrument: 'Test instrument',
  source: 'Test art. 1',
  check: false,
  serviceLevel: true,
  startEvent: 'freeze',
  duration: { amount: 5, unit: 'working-days' },
  useSuggestedDeadline: false,
  pauseOn: ['additional-information-request'],
  resumeOn: ['additional-information'],
  metBy: ['freezing-confirmation'],
  extendOn: [],
  extension: { maxTimes: 3, amount: 2, unit: 'working-days', reasonRequired: true },
  reminders: [{ amount: 2, unit: 'calendar-days' }],
  onExpiry: ['escalate'],
};

function expectEndOfWorkingDay(due: Date, calendar: ReturnType<typeof deadlineCalendar>): void {
  expect(Number.isNaN(due.getTime())).toBe(false);
  expect(isWorkingDay(due, calendar)).toBe(true);
  expect(wallClockAt(due, calendar.timeZone).msOfDay).toBe(END_OF_DAY_MS);
}

describe('a calendar for every State code', () => {
  it('covers the 249 ISO 3166-1 alpha-2 codes', () => {
    expect(ISO_CODES).toHaveLength(249);
  });

  it('gives every two-letter code a calendar and a due date in each unit', () => {
    const friday = new Date('2026-07-10T16:00:00Z');
    const fallbacks: string[] = [];
    for (const code of EVERY_TWO_LETTER_CODE) {
      const calendar = deadlineCalendar(code);
      if (calendar.holidays === 'weekends-only' && isISO31661Alpha2(code)) fallbacks.push(code);
      for (const unit of UNITS) {
        const due = addDuration(friday, { amount: 3, unit }, calendar);
        expect(due.getTime()).toBeGreaterThan(friday.getTime());
        if (unit === 'working-days') expectEndOfWorkingDay(due, calendar);
      }
    }
    // The States date-holidays lacks fall back (and only those): Cambodia, Iraq, Afghanistan...
    expect(fallbacks).toEqual(expect.arrayContaining(['AF', 'IQ', 'KH', 'LB', 'NP', 'SY']));
    expect(fallbacks).not.toContain('FR');
    expect(fallbacks.length).toBeLessThan(ISO_CODES.length / 2);
  });

  const states = fc.oneof(
    fc.constantFrom(...ISO_CODES),
    fc.constantFrom(...EVERY_TWO_LETTER_CODE),
    // Codes no directory entry should carry: lower case, three letters, empty, anything.
    fc.constantFrom('fr', 'FRA', '', 'XK', 'EU', 'UN'),
    fc.string({ maxLength: 8 }),
  );
  const instants = fc
    .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 11, 31) })
    .map((ms) => new Date(ms));

  it('never throws computing a due date, whatever the State', () => {
    fc.assert(
      fc.property(
        states,
        instants,
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom(...UNITS),
        (state, start, amount, unit) => {
          const calendar = deadlineCalendar(state);
          const due = addDuration(start, { amount, unit }, calendar);
          expect(due.getTime()).toBeGreaterThan(start.getTime());
          if (unit === 'working-days') expectEndOfWorkingDay(due, calendar);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('runs a working-day clock through pause, resumption and extension, whatever the State', () => {
    fc.assert(
      fc.property(
        states,
        instants,
        fc.integer({ min: 1, max: 3 * 24 * 60 }),
        fc.integer({ min: 1, max: 30 * 24 * 60 }),
        (state, start, minutesToPause, minutesPaused) => {
          const calendar = deadlineCalendar(state);
          const minutes = (n: number) => new Date(start.getTime() + n * 60_000);
          let clock = applyDeadlineEvent(
            undefined,
            { type: 'start', at: start },
            profile,
            calendar,
          );
          expectEndOfWorkingDay(clock.dueAt, calendar);
          remindersDue(clock, profile, calendar);
          const pausedAt = minutes(minutesToPause);
          if (pausedAt.getTime() >= clock.dueAt.getTime()) return;
          clock = applyDeadlineEvent(clock, { type: 'pause', at: pausedAt }, profile, calendar);
          const resumedAt = minutes(minutesToPause + minutesPaused);
          clock = applyDeadlineEvent(clock, { type: 'resume', at: resumedAt }, profile, calendar);
          expectEndOfWorkingDay(clock.dueAt, calendar);
          expect(clock.dueAt.getTime()).toBeGreaterThan(resumedAt.getTime());
          const extendedAt = new Date(resumedAt.getTime() + 1);
          if (extendedAt.getTime() >= clock.dueAt.getTime()) return;
          const before = clock.dueAt;
          clock = applyDeadlineEvent(
            clock,
            { type: 'extend', at: extendedAt, reason: 'Assets abroad', by: 'FR-MOJ-BEPI' },
            profile,
            calendar,
          );
          expectEndOfWorkingDay(clock.dueAt, calendar);
          expect(clock.dueAt.getTime()).toBeGreaterThan(before.getTime());
        },
      ),
      { numRuns: 200 },
    );
  });
});
