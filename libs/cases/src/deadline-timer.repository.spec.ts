import { applyDeadlineEvent, deadlineCalendar, type DeadlineClock } from '#libs/deadlines';
import { loadCheckedDeadlineProfiles } from './deadline-profiles.js';
import { plannedTimers } from './deadline-timer.repository.js';

const profiles = loadCheckedDeadlineProfiles();
const profile = profiles.get('untoc-mla');
const calendar = deadlineCalendar('NG');
const DAY = 24 * 3600 * 1000;
const startedAt = new Date('2026-03-02T09:00:00Z');

/** A deadline row as the repository hands it out: the clock as stored (JSON). */
function row(clock: DeadlineClock, remindersSent = 0) {
  return {
    status: clock.status,
    clock: JSON.parse(JSON.stringify(clock)) as Record<string, unknown>,
    profile_id: profile.id,
    executing_state: calendar.state,
    time_zone: calendar.timeZone,
    reminders_sent: remindersSent,
  };
}

describe('the timers a deadline clock calls for', () => {
  const running = applyDeadlineEvent(
    undefined,
    { type: 'start', at: startedAt },
    profile,
    calendar,
  );

  it('has a running clock remind 7 and 2 days before and expire at its due instant', () => {
    const due = running.dueAt.getTime();
    expect(plannedTimers(row(running), profiles)).toEqual([
      { kind: 'reminder', rank: 0, dueAt: new Date(due - 7 * DAY) },
      { kind: 'reminder', rank: 1, dueAt: new Date(due - 2 * DAY) },
      { kind: 'expiry', rank: 0, dueAt: running.dueAt },
    ]);
  });

  it('leaves out the reminders already sent', () => {
    expect(plannedTimers(row(running, 1), profiles).map((t) => [t.kind, t.rank])).toEqual([
      ['reminder', 1],
      ['expiry', 0],
    ]);
  });

  it('calls for nothing while the clock is paused, or once it is met', () => {
    const paused = applyDeadlineEvent(
      running,
      { type: 'pause', at: new Date(startedAt.getTime() + DAY) },
      profile,
      calendar,
    );
    expect(plannedTimers(row(paused), profiles)).toEqual([]);
    const met = applyDeadlineEvent(
      running,
      { type: 'meet', at: new Date(startedAt.getTime() + DAY) },
      profile,
      calendar,
    );
    expect(plannedTimers(row(met), profiles)).toEqual([]);
  });
});
