export {
  defaultTimeZone,
  deadlineCalendar,
  isPublicHoliday,
  isWorkingDay,
  type DeadlineCalendar,
} from './calendar.js';
export {
  applyDeadlineEvent,
  clockEventFor,
  CLOCK_STATUSES,
  expiryActions,
  remindersDue,
  type ClockExtension,
  type ClockStatus,
  type DeadlineClock,
  type DeadlineEvent,
  type DeadlineEventType,
  type ReminderDue,
} from './clock.js';
export { addDuration } from './due-date.js';
export { DeadlineProfiles, loadDeadlineProfiles } from './load-profiles.js';
export {
  DEADLINE_KINDS,
  DEADLINE_PROCEDURES,
  DURATION_UNITS,
  EXPIRY_ACTIONS,
  REMINDER_UNITS,
  type DeadlineKind,
  type DeadlineProfile,
  type Duration,
  type DurationUnit,
  type ExpiryAction,
  type ExtensionRule,
  type ReminderOffset,
  type ReminderUnit,
} from './profile.js';
