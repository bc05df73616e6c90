export {
  defaultTimeZone,
  deadlineCalendar,
  HOLIDAY_SOURCES,
  isPublicHoliday,
  isWorkingDay,
  type DeadlineCalendar,
  type HolidaySource,
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
export { conditionHolds } from './condition.js';
export { addDuration } from './due-date.js';
export { DeadlineProfiles, loadDeadlineProfiles } from './load-profiles.js';
export {
  DEADLINE_KINDS,
  DEADLINE_PROCEDURES,
  DURATION_UNITS,
  EXPIRY_ACTIONS,
  REMINDER_UNITS,
  type ConditionValue,
  type DeadlineKind,
  type DeadlineProfile,
  type Duration,
  type DurationUnit,
  type ExpiryAction,
  type ExtensionRule,
  type ProfileCondition,
  type ReminderOffset,
  type ReminderUnit,
} from './profile.js';
