export {
  CaseQueries,
  type DeadlineView,
  type RequestDetail,
  type RequestView,
} from './case-queries.js';
export {
  CaseStatistics,
  type AuthorityStatistics,
  type StatisticsCell,
} from './case-statistics.js';
export {
  disclosureControlled,
  publishedCount,
  ROUNDING_BASE,
  SMALL_CELL,
  type PublishedFigures,
  type RawCell,
} from './statistics-disclosure.js';
export { indicatorsCsv } from './indicators/indicators-csv.js';
export {
  OperationalIndicators,
  type IndicatorsQueryInput,
  type OperationalIndicatorsAnswer,
} from './indicators/indicators.service.js';
export {
  DIMENSIONS,
  INDICATORS,
  PERSON_DIMENSIONS,
  type PublishedBreakdown,
  type PublishedCell,
  type PublishedFrozenValue,
  type PublishedPopulation,
} from './indicators/operational-indicators.js';
export { CaseRepository, reviveClock, type RequestFilter } from './case.repository.js';
export { CasesModule, DeadlineWorkerModule } from './cases.module.js';
export {
  DEADLINE_PROFILES,
  DEFAULT_DEADLINE_PROFILES,
  loadCheckedDeadlineProfiles,
} from './deadline-profiles.js';
export { DeadlineTimerRepository } from './deadline-timer.repository.js';
export {
  DEADLINE_QUEUE,
  DeadlineHorizonFeed,
  DeadlineTimers,
  type DeadlineJobData,
  type DeadlineJobs,
} from './deadline-timers.js';
export { DeadlineProcessor } from './deadline.processor.js';
export { HandleDeadlineDue } from './handle-deadline-due.use-case.js';
export { ProcedureTracker, type TrackedMessage, type TrackingResult } from './procedure-tracker.js';
