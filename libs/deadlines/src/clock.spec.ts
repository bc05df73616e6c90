import fc from 'fast-check';
import { ErrorCode, GatewayError } from '#libs/errors';
import { deadlineCalendar } from './calendar.js';
import {
  applyDeadlineEvent,
  clockEventFor,
  expiryActions,
  remindersDue,
  type DeadlineClock,
  type DeadlineEvent,
} from './clock.js';
import type { DeadlineProfile } from './profile.js';

const paris = deadlineCalendar('FR', 'Europe/Paris');
const lagos = deadlineCalendar('NG', 'Africa/Lagos');
const at = (iso: string) => new Date(iso);
const HOUR = 3_600_000;

const base: DeadlineProfile = {
  id: 'test-48h',
  kind: 'time-limit',
  procedure: 'assets',
  instrument: 'Test instrument',
  source: 'Test art. 1',
  check: false,
  serviceLevel: false,
  startEvent: 'request',
  duration: { amount: 48, unit: 'hours' },
  useSuggestedDeadline: false,
  pauseOn: ['additional-information-request'],
  resumeOn: ['additional-information'],
  metBy: ['execution-result', 'refusal'],
  extendOn: [],
  extension: { maxTimes: 1, amount: 24, unit: 'hours', reasonRequired: true },
  reminders: [
    { amount: 24, unit: 'hours' },
    { amount: 48, unit: 'hours' },
    { amount: 6, unit: 'hours' },
  ],
  onExpiry: ['escalate', 'negative-evidence'],
};
const profile = (overrides: Partial<DeadlineProfile> = {}): DeadlineProfile => ({
  ...base,
  ...overrides,
});
const workingDayProfile = profile({
  id: 'test-5wd',
  duration: { amount: 5, unit: 'working-days' },
  extension: { maxTimes: 2, amount: 2, unit: 'working-days', reasonRequired: true },
});

/** Applies events in order from no clock at all. */
function run(
  events: DeadlineEvent[],
  deadline: DeadlineProfile = base,
  calendar = paris,
): DeadlineClock {
  return events.reduce<DeadlineClock | undefined>(
    (clock, event) => applyDeadlineEvent(clock, event, deadline, calendar),
    undefined,
  )!;
}

function failure(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const start = (iso: string, suggestedDueAt?: string): DeadlineEvent => ({
  type: 'start',
  at: at(iso),
  ...(suggestedDueAt && { suggestedDueAt: at(suggestedDueAt) }),
});
const pause = (iso: string): DeadlineEvent => ({ type: 'pause', at: at(iso) });
const resume = (iso: string): DeadlineEvent => ({ type: 'resume', at: at(iso) });
const meet = (iso: string): DeadlineEvent => ({ type: 'meet', at: at(iso) });
const cancel = (iso: string): DeadlineEvent => ({ type: 'cancel', at: at(iso) });
const expire = (iso: string): DeadlineEvent => ({ type: 'expire', at: at(iso) });
const extend = (iso: string, reason = 'bank records are held abroad'): DeadlineEvent => ({
  type: 'extend',
  at: at(iso),
  reason,
  by: 'FR-MOJ-BEPI',
});

describe('start', () => {
  it('computes the due instant from the profile', () => {
    expect(run([start('2026-07-06T08:00:00Z')])).toEqual({
      profileId: 'test-48h',
      startedAt: at('2026-07-06T08:00:00Z'),
      dueAt: at('2026-07-08T08:00:00Z'),
      status: 'running',
      pausedTotalMs: 0,
      extensions: [],
    });
  });

  it("follows the requesting State's suggested deadline where the profile says so (UNTOC 18(24))", () => {
    const mla = profile({ useSuggestedDeadline: true, serviceLevel: true });
    const clock = run([start('2026-07-06T08:00:00Z', '2026-07-31T15:00:00Z')], mla);
    expect(clock.dueAt).toEqual(at('2026-07-31T15:00:00Z'));
    expect(clock.suggestedDueAt).toEqual(at('2026-07-31T15:00:00Z'));
    // Without a suggestion, the service level applies.
    expect(run([start('2026-07-06T08:00:00Z')], mla).dueAt).toEqual(at('2026-07-08T08:00:00Z'));
  });

  it('keeps but does not follow a suggested deadline where the profile fixes the time limit', () => {
    const clock = run([start('2026-07-06T08:00:00Z', '2026-07-31T15:00:00Z')]);
    expect(clock.dueAt).toEqual(at('2026-07-08T08:00:00Z'));
    expect(clock.suggestedDueAt).toEqual(at('2026-07-31T15:00:00Z'));
  });

  it('refuses a suggested deadline that is not after the start', () => {
    const error = failure(() => run([start('2026-07-06T08:00:00Z', '2026-07-06T08:00:00Z')]));
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(error.details).toEqual([{ field: 'suggestedDueAt' }]);
  });

  it('ignores a duplicate start and refuses a different one', () => {
    const clock = run([start('2026-07-06T08:00:00Z')]);
    expect(applyDeadlineEvent(clock, start('2026-07-06T08:00:00Z'), base, paris)).toBe(clock);
    const error = failure(() =>
      applyDeadlineEvent(clock, start('2026-07-07T08:00:00Z'), base, paris),
    );
    expect(error.code).toBe(ErrorCode.INVALID_STATUS_TRANSITION);
  });

  it('refuses any other event before the start, and events dated before it', () => {
    expect(failure(() => run([pause('2026-07-06T08:00:00Z')])).code).toBe(
      ErrorCode.INVALID_STATUS_TRANSITION,
    );
    expect(
      failure(() => run([start('2026-07-06T08:00:00Z'), pause('2026-07-06T07:00:00Z')])).code,
    ).toBe(ErrorCode.VALIDATION_FAILED);
    expect(failure(() => run([{ type: 'start', at: new Date(Number.NaN) }])).code).toBe(
      ErrorCode.VALIDATION_FAILED,
    );
  });

  it('refuses a clock of another profile', () => {
    const clock = run([start('2026-07-06T08:00:00Z')]);
    const error = failure(() =>
      applyDeadlineEvent(clock, meet('2026-07-07T08:00:00Z'), workingDayProfile, paris),
    );
    expect(error.details[0]).toMatchObject({ profileId: 'test-5wd', clockProfileId: 'test-48h' });
  });

  it('never changes the clock it is given', () => {
    const clock = Object.freeze(run([start('2026-07-06T08:00:00Z')]));
    expect(() =>
      applyDeadlineEvent(clock, pause('2026-07-06T09:00:00Z'), base, paris),
    ).not.toThrow();
    expect(clock.status).toBe('running');
  });
});

describe('pause and resume', () => {
  it('gives an hours deadline the paused time back exactly, even across a DST change', () => {
    const clock = run([
      start('2026-03-27T09:00:00Z'),
      pause('2026-03-28T09:00:00Z'),
      resume('2026-03-30T12:00:00Z'),
    ]);
    expect(clock.status).toBe('running');
    expect(clock.pausedAt).toBeUndefined();
    expect(clock.pausedTotalMs).toBe(51 * HOUR);
    // Due Sunday 29 March 09:00 UTC before the pause, 51 hours later after it.
    expect(clock.dueAt).toEqual(at('2026-03-31T12:00:00Z'));
  });

  it('adds every pause to the total', () => {
    const clock = run([
      start('2026-07-06T08:00:00Z'),
      pause('2026-07-06T09:00:00Z'),
      resume('2026-07-06T10:00:00Z'),
      pause('2026-07-07T08:00:00Z'),
      resume('2026-07-07T11:00:00Z'),
    ]);
    expect(clock.pausedTotalMs).toBe(4 * HOUR);
    expect(clock.dueAt).toEqual(at('2026-07-08T12:00:00Z'));
  });

  it('ignores a repeated pause (the first one counts) and a resumption of a running clock', () => {
    const paused = run([start('2026-07-06T08:00:00Z'), pause('2026-07-06T09:00:00Z')]);
    expect(applyDeadlineEvent(paused, pause('2026-07-06T12:00:00Z'), base, paris)).toBe(paused);
    const running = run([start('2026-07-06T08:00:00Z')]);
    expect(applyDeadlineEvent(running, resume('2026-07-06T12:00:00Z'), base, paris)).toBe(running);
  });

  it('refuses a pause where the instrument does not stop the clock, or once the deadline passed', () => {
    const freezing = profile({ pauseOn: [], resumeOn: [] });
    const notStoppable = failure(() =>
      run([start('2026-07-06T08:00:00Z'), pause('2026-07-06T09:00:00Z')], freezing),
    );
    expect(notStoppable.code).toBe(ErrorCode.INVALID_STATUS_TRANSITION);
    expect(notStoppable.message).toContain('Test art. 1 does not stop the clock');
    const late = failure(() => run([start('2026-07-06T08:00:00Z'), pause('2026-07-08T08:00:00Z')]));
    expect(late.code).toBe(ErrorCode.INVALID_STATUS_TRANSITION);
  });

  it('refuses a resumption dated before the pause', () => {
    const error = failure(() =>
      run([
        start('2026-07-06T08:00:00Z'),
        pause('2026-07-06T10:00:00Z'),
        resume('2026-07-06T09:00:00Z'),
      ]),
    );
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
  });

  describe('working days: counted, not timed', () => {
    // Monday 6 July 2026, 10:00 in Paris: Tuesday 7 to Friday 10 and Monday 13 are the 5 working days.
    const started = start('2026-07-06T08:00:00Z');
    const dueMonday13 = at('2026-07-13T21:59:59.999Z');

    it('starts as expected', () => {
      expect(run([started], workingDayProfile).dueAt).toEqual(dueMonday13);
    });

    it('does not move when paused and resumed on the same day', () => {
      const clock = run(
        [started, pause('2026-07-08T08:00:00Z'), resume('2026-07-08T15:00:00Z')],
        workingDayProfile,
      );
      expect(clock.dueAt).toEqual(dueMonday13);
      expect(clock.pausedTotalMs).toBe(7 * HOUR);
    });

    it('does not move for a pause over the weekend', () => {
      const clock = run(
        [started, pause('2026-07-10T20:00:00Z'), resume('2026-07-12T18:00:00Z')],
        workingDayProfile,
      );
      expect(clock.dueAt).toEqual(dueMonday13);
    });

    it('moves by the working days spent paused, skipping holidays', () => {
      // Paused on Wednesday 8, 3 working days were still owed (Thursday, Friday, Monday 13). They
      // are counted again after Friday 10, the day of the resumption: Monday 13, (Tuesday 14 July),
      // Wednesday 15, Thursday 16.
      const clock = run(
        [started, pause('2026-07-08T08:00:00Z'), resume('2026-07-10T08:00:00Z')],
        workingDayProfile,
      );
      expect(clock.dueAt).toEqual(at('2026-07-16T21:59:59.999Z'));
    });

    it('paused on the due day and resumed on a Saturday, ends on the next working day', () => {
      const clock = run(
        [started, pause('2026-07-13T08:00:00Z'), resume('2026-07-18T08:00:00Z')],
        workingDayProfile,
      );
      expect(clock.dueAt).toEqual(at('2026-07-20T21:59:59.999Z'));
    });

    it('uses the local day of the executing State', () => {
      // 22:30 UTC on Wednesday is Thursday in Paris: the pause and the resumption the next
      // evening fall on the same Paris day, so nothing moves.
      const clock = run(
        [started, pause('2026-07-08T22:30:00Z'), resume('2026-07-09T20:00:00Z')],
        workingDayProfile,
      );
      expect(clock.dueAt).toEqual(dueMonday13);
      const inLagos = run(
        [started, pause('2026-07-08T22:30:00Z'), resume('2026-07-09T20:00:00Z')],
        workingDayProfile,
        lagos,
      );
      expect(inLagos.dueAt).toEqual(at('2026-07-14T22:59:59.999Z'));
    });
  });
});

describe('extend', () => {
  it('adds the profile amount and records who extended and why', () => {
    const clock = run([
      start('2026-07-06T08:00:00Z'),
      extend('2026-07-07T08:00:00Z', '  records abroad '),
    ]);
    expect(clock.dueAt).toEqual(at('2026-07-09T08:00:00Z'));
    expect(clock.extensions).toEqual([
      { at: at('2026-07-07T08:00:00Z'), reason: 'records abroad', by: 'FR-MOJ-BEPI' },
    ]);
  });

  it('refuses beyond maxTimes, with a stable code naming the rule and profile', () => {
    const error = failure(() =>
      run([
        start('2026-07-06T08:00:00Z'),
        extend('2026-07-07T08:00:00Z'),
        extend('2026-07-08T08:00:00Z'),
      ]),
    );
    expect(error.code).toBe(ErrorCode.DEADLINE_EXTENSION_REFUSED);
    expect(error.message).toContain('the limit is 1');
    expect(error.details).toEqual([{ rule: 'Test art. 1', profileId: 'test-48h', maxTimes: 1 }]);
  });

  it('refuses without reasons', () => {
    for (const reason of ['', '   ']) {
      const error = failure(() =>
        run([start('2026-07-06T08:00:00Z'), extend('2026-07-07T08:00:00Z', reason)]),
      );
      expect(error.code).toBe(ErrorCode.DEADLINE_EXTENSION_REFUSED);
      expect(error.details[0]).toMatchObject({ field: 'reason', profileId: 'test-48h' });
    }
  });

  it('refuses where the instrument has no extension, and once the deadline passed', () => {
    const noExtension = profile({ extension: undefined });
    expect(
      failure(() =>
        run([start('2026-07-06T08:00:00Z'), extend('2026-07-07T08:00:00Z')], noExtension),
      ).message,
    ).toContain('Test art. 1 provides no extension');
    const late = failure(() =>
      run([start('2026-07-06T08:00:00Z'), extend('2026-07-08T08:00:00Z')]),
    );
    expect(late.code).toBe(ErrorCode.DEADLINE_EXTENSION_REFUSED);
  });

  it('extends working-day deadlines in working days', () => {
    const clock = run(
      [start('2026-07-06T08:00:00Z'), extend('2026-07-13T08:00:00Z')],
      workingDayProfile,
    );
    // Monday 13 + 2 working days: (14 July), Wednesday 15, Thursday 16.
    expect(clock.dueAt).toEqual(at('2026-07-16T21:59:59.999Z'));
  });

  it('may be granted while paused; the resumption then shifts the extended due date', () => {
    const clock = run([
      start('2026-07-06T08:00:00Z'),
      pause('2026-07-06T10:00:00Z'),
      extend('2026-07-06T11:00:00Z'),
      resume('2026-07-06T12:00:00Z'),
    ]);
    expect(clock.dueAt).toEqual(at('2026-07-09T10:00:00Z'));
  });
});

describe('meet, cancel and expire', () => {
  const started = start('2026-07-06T08:00:00Z');

  it('meets a running clock', () => {
    const clock = run([started, meet('2026-07-07T08:00:00Z')]);
    expect(clock.status).toBe('met');
    expect(clock.closedAt).toEqual(at('2026-07-07T08:00:00Z'));
  });

  it('meets a paused clock and counts the pause until the answer', () => {
    const clock = run([started, pause('2026-07-06T10:00:00Z'), meet('2026-07-06T13:00:00Z')]);
    expect(clock).toMatchObject({ status: 'met', pausedTotalMs: 3 * HOUR });
    expect(clock.pausedAt).toBeUndefined();
  });

  it('meets a clock answered after its due instant but before the expiry ran: late, visibly', () => {
    const clock = run([started, meet('2026-07-08T09:00:00Z')]);
    expect(clock.status).toBe('met');
    expect(clock.closedAt!.getTime()).toBeGreaterThan(clock.dueAt.getTime());
  });

  it('expires a running clock only once it is due, at its due instant', () => {
    const early = run([started, expire('2026-07-08T07:59:59Z')]);
    expect(early.status).toBe('running');
    const expired = run([started, expire('2026-07-08T08:05:00Z')]);
    expect(expired).toMatchObject({ status: 'expired', closedAt: at('2026-07-08T08:00:00Z') });
  });

  it('treats stale and repeated expiries as no-ops (a job scheduled before a pause, or run twice)', () => {
    const paused = run([started, pause('2026-07-06T10:00:00Z')]);
    expect(applyDeadlineEvent(paused, expire('2026-07-09T00:00:00Z'), base, paris)).toBe(paused);
    const met = run([started, meet('2026-07-07T08:00:00Z')]);
    expect(applyDeadlineEvent(met, expire('2026-07-09T00:00:00Z'), base, paris)).toBe(met);
    const expired = run([started, expire('2026-07-08T08:00:00Z')]);
    expect(applyDeadlineEvent(expired, expire('2026-07-09T00:00:00Z'), base, paris)).toBe(expired);
  });

  it('cancels (the requesting State withdrew), and ignores a repeated cancel', () => {
    const clock = run([started, cancel('2026-07-07T08:00:00Z')]);
    expect(clock.status).toBe('cancelled');
    expect(applyDeadlineEvent(clock, cancel('2026-07-07T09:00:00Z'), base, paris)).toBe(clock);
  });

  it('refuses to reopen a closed clock', () => {
    const expired = run([started, expire('2026-07-08T08:00:00Z')]);
    for (const event of [
      meet('2026-07-09T08:00:00Z'),
      pause('2026-07-09T08:00:00Z'),
      extend('2026-07-09T08:00:00Z'),
    ]) {
      expect(failure(() => applyDeadlineEvent(expired, event, base, paris)).code).toBe(
        ErrorCode.INVALID_STATUS_TRANSITION,
      );
    }
  });

  it('never meets a minimum period: it runs out', () => {
    const reflection = profile({ kind: 'minimum-period', onExpiry: ['escalate'] });
    expect(
      failure(() => run([started, meet('2026-07-07T08:00:00Z')], reflection)).message,
    ).toContain('a minimum period is not met');
  });
});

describe('remindersDue', () => {
  it('lists the reminders of a running clock, earliest first, dropping those at or before the start', () => {
    const clock = run([start('2026-07-06T08:00:00Z')]);
    expect(remindersDue(clock, base, paris)).toEqual([
      { at: at('2026-07-07T08:00:00Z'), before: { amount: 24, unit: 'hours' } },
      { at: at('2026-07-08T02:00:00Z'), before: { amount: 6, unit: 'hours' } },
    ]);
  });

  it('follows the due instant after a pause, and has none while paused or closed', () => {
    const paused = run([start('2026-07-06T08:00:00Z'), pause('2026-07-06T09:00:00Z')]);
    expect(remindersDue(paused, base, paris)).toEqual([]);
    const resumed = applyDeadlineEvent(paused, resume('2026-07-06T11:00:00Z'), base, paris);
    // Due two hours later; the 48-hour reminder now falls after the start (the caller skips past ones).
    expect(remindersDue(resumed, base, paris).map((reminder) => reminder.at)).toEqual([
      at('2026-07-06T10:00:00Z'),
      at('2026-07-07T10:00:00Z'),
      at('2026-07-08T04:00:00Z'),
    ]);
    const met = applyDeadlineEvent(resumed, meet('2026-07-06T12:00:00Z'), base, paris);
    expect(remindersDue(met, base, paris)).toEqual([]);
  });

  it('counts calendar-day reminders back at the local wall-clock time', () => {
    const monthly = profile({
      duration: { amount: 10, unit: 'calendar-days' },
      reminders: [{ amount: 2, unit: 'calendar-days' }],
    });
    // Started Friday 20 March 10:00 CET, due Monday 30 March 10:00 CEST; reminder Saturday 28 March 10:00 CET.
    const clock = run([start('2026-03-20T09:00:00Z')], monthly);
    expect(remindersDue(clock, monthly, paris)).toEqual([
      { at: at('2026-03-28T09:00:00Z'), before: { amount: 2, unit: 'calendar-days' } },
    ]);
  });
});

describe('expiryActions and clockEventFor', () => {
  it('returns what the profile does at expiry', () => {
    expect(expiryActions(base)).toEqual(['escalate', 'negative-evidence']);
  });

  it('maps message types to clock events', () => {
    expect(clockEventFor(base, 'request')).toBe('start');
    expect(clockEventFor(base, 'additional-information-request')).toBe('pause');
    expect(clockEventFor(base, 'additional-information')).toBe('resume');
    expect(clockEventFor(base, 'answer')).toBeUndefined();
  });
});

describe('properties', () => {
  const startMs = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 11, 31) });

  it('an hours deadline moves by exactly the time paused', () => {
    fc.assert(
      fc.property(
        startMs,
        fc.integer({ min: 0, max: 47 * HOUR }),
        fc.integer({ min: 0, max: 30 * 24 * HOUR }),
        (s, into, paused) => {
          const started = run([{ type: 'start', at: new Date(s) }]);
          const resumed = run([
            { type: 'start', at: new Date(s) },
            { type: 'pause', at: new Date(s + into) },
            { type: 'resume', at: new Date(s + into + paused) },
          ]);
          expect(resumed.dueAt.getTime() - started.dueAt.getTime()).toBe(paused);
          expect(resumed.pausedTotalMs).toBe(paused);
        },
      ),
    );
  });

  it('a pause never brings a working-day deadline forward, and a same-day pause never moves it', () => {
    fc.assert(
      fc.property(
        startMs,
        fc.integer({ min: 0, max: 6 * 24 * HOUR }),
        fc.integer({ min: 0, max: 20 * 24 * HOUR }),
        fc.constantFrom(paris, lagos),
        (s, into, paused, calendar) => {
          const started = run([{ type: 'start', at: new Date(s) }], workingDayProfile, calendar);
          const pauseAt = s + into;
          fc.pre(pauseAt < started.dueAt.getTime());
          const resumed = run(
            [
              { type: 'start', at: new Date(s) },
              { type: 'pause', at: new Date(pauseAt) },
              { type: 'resume', at: new Date(pauseAt + paused) },
            ],
            workingDayProfile,
            calendar,
          );
          expect(resumed.dueAt.getTime()).toBeGreaterThanOrEqual(started.dueAt.getTime());
          const sameDay =
            new Intl.DateTimeFormat('en-CA', { timeZone: calendar.timeZone }).format(
              new Date(pauseAt),
            ) ===
            new Intl.DateTimeFormat('en-CA', { timeZone: calendar.timeZone }).format(
              new Date(pauseAt + paused),
            );
          if (sameDay) expect(resumed.dueAt).toEqual(started.dueAt);
        },
      ),
    );
  });
});
