import { ErrorCode, GatewayError } from '#libs/errors';
import type { DeadlineCalendar } from './calendar.js';
import {
  addDuration,
  endOfCivilDay,
  nthWorkingDayAfter,
  reminderInstant,
  workingDaysBetween,
} from './due-date.js';
import type { DeadlineProfile, ExpiryAction, ReminderOffset } from './profile.js';
import { wallClockAt } from './zoned-time.js';

export const CLOCK_STATUSES = ['running', 'paused', 'met', 'expired', 'cancelled'] as const;
export type ClockStatus = (typeof CLOCK_STATUSES)[number];

export interface ClockExtension {
  readonly at: Date;
  readonly reason: string;
  /** Who granted it: an officer or authority id. */
  readonly by: string;
}

/**
 * One deadline of one case, as plain data (it is stored as a row and changed only through
 * `applyDeadlineEvent`). `dueAt` always holds the current due instant, pauses and extensions
 * included; while paused it is the due instant the clock had when it stopped.
 */
export interface DeadlineClock {
  readonly profileId: string;
  readonly startedAt: Date;
  readonly dueAt: Date;
  readonly status: ClockStatus;
  readonly pausedAt?: Date;
  /** Total time spent paused, for the statistics on response times. */
  readonly pausedTotalMs: number;
  readonly extensions: readonly ClockExtension[];
  /** The requesting State's suggested deadline, kept even when the profile does not follow it. */
  readonly suggestedDueAt?: Date;
  /** When the clock was met or cancelled; for an expired clock, its due instant. */
  readonly closedAt?: Date;
}

export type DeadlineEvent =
  | { readonly type: 'start'; readonly at: Date; readonly suggestedDueAt?: Date }
  | { readonly type: 'pause'; readonly at: Date }
  | { readonly type: 'resume'; readonly at: Date }
  | { readonly type: 'extend'; readonly at: Date; readonly reason: string; readonly by: string }
  | { readonly type: 'meet'; readonly at: Date }
  | { readonly type: 'cancel'; readonly at: Date }
  | { readonly type: 'expire'; readonly at: Date };

export type DeadlineEventType = DeadlineEvent['type'];

const CLOSED: ReadonlySet<ClockStatus> = new Set(['met', 'expired', 'cancelled']);

function refuse(
  clock: DeadlineClock | undefined,
  event: DeadlineEvent,
  profile: DeadlineProfile,
  why: string,
): GatewayError {
  return new GatewayError(
    ErrorCode.INVALID_STATUS_TRANSITION,
    `deadline ${profile.id}: cannot ${event.type} a clock that ${clock ? `is ${clock.status}` : 'has not started'}: ${why}`,
    [{ profileId: profile.id, status: clock?.status ?? null, event: event.type }],
  );
}

function refuseExtension(
  profile: DeadlineProfile,
  why: string,
  detail: Record<string, unknown> = {},
): GatewayError {
  return new GatewayError(
    ErrorCode.DEADLINE_EXTENSION_REFUSED,
    `deadline ${profile.id}: extension refused: ${why}`,
    [{ rule: profile.source, profileId: profile.id, ...detail }],
  );
}

function assertValidInstant(value: Date, field: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new GatewayError(ErrorCode.VALIDATION_FAILED, `${field} is not a valid instant`, [
      { field },
    ]);
  }
}

function assertNotBefore(event: DeadlineEvent, earliest: Date, what: string): void {
  if (event.at.getTime() < earliest.getTime()) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `a ${event.type} event at ${event.at.toISOString()} comes before ${what} (${earliest.toISOString()})`,
      [{ field: 'at' }],
    );
  }
}

function followsSuggestion(profile: DeadlineProfile, suggestedDueAt: Date | undefined): boolean {
  return profile.useSuggestedDeadline && suggestedDueAt !== undefined;
}

/**
 * The due instant after a pause. Hours and calendar days get the paused time back as exact elapsed
 * time (so a pause that spans a DST change moves a calendar-day deadline's local hour by the
 * change). Working days are counted, not timed: the working days still owed on the day of the
 * pause (those after it, up to the due day) are counted again after the day of the resumption,
 * which, like the day of the start, does not count. A pause and resumption on the same local day
 * therefore never move a working-day deadline, nor does a pause from Friday evening to Sunday. If
 * nothing was owed (paused on the due day itself), the deadline ends with the first working day
 * from the resumption on. A deadline that follows a suggested instant is shifted like hours.
 */
function dueAfterPause(
  clock: DeadlineClock & { pausedAt: Date },
  resumedAt: Date,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
): Date {
  const countsWorkingDays =
    profile.duration.unit === 'working-days' && !followsSuggestion(profile, clock.suggestedDueAt);
  if (!countsWorkingDays) {
    return new Date(clock.dueAt.getTime() + (resumedAt.getTime() - clock.pausedAt.getTime()));
  }
  const pausedDay = wallClockAt(clock.pausedAt, calendar.timeZone).civilDay;
  const dueDay = wallClockAt(clock.dueAt, calendar.timeZone).civilDay;
  const owed = workingDaysBetween(calendar, pausedDay, dueDay);
  const resumedDay = wallClockAt(resumedAt, calendar.timeZone).civilDay;
  return endOfCivilDay(nthWorkingDayAfter(calendar, resumedDay, owed), calendar);
}

function start(
  clock: DeadlineClock | undefined,
  event: Extract<DeadlineEvent, { type: 'start' }>,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
): DeadlineClock {
  if (clock !== undefined) {
    // A duplicate start message must not restart the clock.
    if (clock.startedAt.getTime() === event.at.getTime()) return clock;
    throw refuse(clock, event, profile, `it started at ${clock.startedAt.toISOString()}`);
  }
  const suggested = event.suggestedDueAt;
  if (suggested !== undefined) {
    assertValidInstant(suggested, 'suggestedDueAt');
    if (suggested.getTime() <= event.at.getTime()) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        `the suggested deadline ${suggested.toISOString()} is not after the start ${event.at.toISOString()}`,
        [{ field: 'suggestedDueAt' }],
      );
    }
  }
  return {
    profileId: profile.id,
    startedAt: event.at,
    dueAt:
      profile.useSuggestedDeadline && suggested !== undefined
        ? suggested
        : addDuration(event.at, profile.duration, calendar),
    status: 'running',
    pausedTotalMs: 0,
    extensions: [],
    ...(suggested !== undefined && { suggestedDueAt: suggested }),
  };
}

function close(clock: DeadlineClock, status: 'met' | 'cancelled', at: Date): DeadlineClock {
  const { pausedAt, ...rest } = clock;
  if (pausedAt !== undefined && at.getTime() < pausedAt.getTime()) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `a ${status === 'met' ? 'meet' : 'cancel'} event at ${at.toISOString()} comes before the pause (${pausedAt.toISOString()})`,
      [{ field: 'at' }],
    );
  }
  return {
    ...rest,
    status,
    closedAt: at,
    pausedTotalMs:
      pausedAt === undefined
        ? clock.pausedTotalMs
        : clock.pausedTotalMs + (at.getTime() - pausedAt.getTime()),
  };
}

/**
 * The deadline clock as a pure reducer: the current clock (undefined before `start`) and one event
 * give the next clock; nothing is mutated, nothing is read from the outside world. Events repeat
 * safely, because messages and jobs can be delivered twice: a second start at the same instant, a
 * pause of a paused clock, a resumption of a running one and a repeated closing event change
 * nothing. `expire` changes the clock only if it is running and due at the event's instant; any
 * other expiry (a job scheduled before a pause or an extension moved the due date, or one that
 * fires after the answer came) is stale and changes nothing. An answer that comes after the due
 * instant but before the expiry was applied still meets the clock: `closedAt > dueAt` shows it late.
 */
export function applyDeadlineEvent(
  clock: DeadlineClock | undefined,
  event: DeadlineEvent,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
): DeadlineClock {
  assertValidInstant(event.at, 'at');
  if (event.type === 'start') return start(clock, event, profile, calendar);
  if (clock === undefined) throw refuse(clock, event, profile, 'start it first');
  if (clock.profileId !== profile.id) {
    throw new GatewayError(
      ErrorCode.VALIDATION_FAILED,
      `the clock runs under deadline profile ${clock.profileId}, not ${profile.id}`,
      [{ field: 'profile', profileId: profile.id, clockProfileId: clock.profileId }],
    );
  }
  if (event.type === 'expire') {
    const due = clock.status === 'running' && event.at.getTime() >= clock.dueAt.getTime();
    return due ? { ...clock, status: 'expired', closedAt: clock.dueAt } : clock;
  }
  if (CLOSED.has(clock.status)) {
    const repeated =
      (event.type === 'meet' && clock.status === 'met') ||
      (event.type === 'cancel' && clock.status === 'cancelled');
    if (repeated) return clock;
    throw refuse(clock, event, profile, 'it is closed');
  }
  assertNotBefore(event, clock.startedAt, 'the start of the clock');

  switch (event.type) {
    case 'pause': {
      if (clock.status === 'paused') return clock;
      if (profile.pauseOn.length === 0) {
        throw refuse(clock, event, profile, `${profile.source} does not stop the clock`);
      }
      if (event.at.getTime() >= clock.dueAt.getTime()) {
        throw refuse(clock, event, profile, `it was due at ${clock.dueAt.toISOString()}`);
      }
      return { ...clock, status: 'paused', pausedAt: event.at };
    }
    case 'resume': {
      if (clock.status === 'running' || clock.pausedAt === undefined) return clock;
      assertNotBefore(event, clock.pausedAt, 'the pause');
      const { pausedAt, ...rest } = clock;
      return {
        ...rest,
        status: 'running',
        dueAt: dueAfterPause({ ...clock, pausedAt }, event.at, profile, calendar),
        pausedTotalMs: clock.pausedTotalMs + (event.at.getTime() - pausedAt.getTime()),
      };
    }
    case 'extend':
      return extend(clock, event, profile, calendar);
    case 'meet':
      if (profile.kind === 'minimum-period') {
        throw refuse(clock, event, profile, 'a minimum period is not met, it runs out');
      }
      return close(clock, 'met', event.at);
    case 'cancel':
      return close(clock, 'cancelled', event.at);
  }
}

/**
 * An extension adds the profile's amount to the current due instant (for working days: that many
 * working days after the due day). It needs reasons, must be granted before the deadline passes,
 * and is bounded by the profile's `maxTimes`.
 */
function extend(
  clock: DeadlineClock,
  event: Extract<DeadlineEvent, { type: 'extend' }>,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
): DeadlineClock {
  const rule = profile.extension;
  if (rule === undefined) {
    throw refuseExtension(profile, `${profile.source} provides no extension`);
  }
  if (typeof event.reason !== 'string' || event.reason.trim() === '') {
    throw refuseExtension(profile, 'reasons are required', { field: 'reason' });
  }
  if (typeof event.by !== 'string' || event.by.trim() === '') {
    throw refuseExtension(profile, 'the extension must name who granted it', { field: 'by' });
  }
  if (clock.extensions.length >= rule.maxTimes) {
    throw refuseExtension(
      profile,
      `already extended ${clock.extensions.length} time(s), the limit is ${rule.maxTimes}`,
      { maxTimes: rule.maxTimes },
    );
  }
  if (clock.status === 'running' && event.at.getTime() >= clock.dueAt.getTime()) {
    throw refuseExtension(
      profile,
      `the deadline passed at ${clock.dueAt.toISOString()}; an extension must come before it`,
      { dueAt: clock.dueAt.toISOString() },
    );
  }
  return {
    ...clock,
    dueAt: addDuration(clock.dueAt, rule, calendar),
    extensions: [
      ...clock.extensions,
      { at: event.at, reason: event.reason.trim(), by: event.by.trim() },
    ],
  };
}

export interface ReminderDue {
  readonly at: Date;
  /** How long before the due instant, as configured. */
  readonly before: ReminderOffset;
}

/**
 * The reminders of a running clock, earliest first. A paused clock has none (its due instant is
 * not known until it resumes) and neither has a closed one. Reminders that would fall at or before
 * the start are dropped; the caller schedules those still in the future and reschedules after
 * every event.
 */
export function remindersDue(
  clock: DeadlineClock,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
): ReminderDue[] {
  if (clock.status !== 'running') return [];
  return profile.reminders
    .map((before) => ({ at: reminderInstant(clock.dueAt, before, calendar), before }))
    .filter(({ at }) => at.getTime() > clock.startedAt.getTime())
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** What the gateway does when a clock of this profile expires, in the configured order. */
export function expiryActions(profile: DeadlineProfile): readonly ExpiryAction[] {
  return profile.onExpiry;
}

/** Which clock event, if any, a message of this type raises under the profile. */
export function clockEventFor(
  profile: DeadlineProfile,
  messageType: string,
): 'start' | 'pause' | 'resume' | 'meet' | 'extend' | undefined {
  if (messageType === profile.startEvent) return 'start';
  if (profile.metBy.includes(messageType)) return 'meet';
  if (profile.extendOn.includes(messageType)) return 'extend';
  if (profile.pauseOn.includes(messageType)) return 'pause';
  if (profile.resumeOn.includes(messageType)) return 'resume';
  return undefined;
}
