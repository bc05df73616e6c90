import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { CaseQueries } from './case-queries.js';
import { CaseStatistics } from './case-statistics.js';
import { CaseRepository } from './case.repository.js';
import { DEADLINE_PROFILES, loadCheckedDeadlineProfiles } from './deadline-profiles.js';
import { DeadlineTimerRepository } from './deadline-timer.repository.js';
import { DEADLINE_QUEUE, DeadlineHorizonFeed, DeadlineTimers } from './deadline-timers.js';
import { DeadlineProcessor } from './deadline.processor.js';
import { HandleDeadlineDue } from './handle-deadline-due.use-case.js';
import { IndicatorSource } from './indicators/indicator-source.js';
import { OperationalIndicators } from './indicators/indicators.service.js';
import { ProcedureTracker } from './procedure-tracker.js';

/** Cases, the procedure state of their requests, and deadline clocks and timers. */
@Module({
  imports: [BullModule.registerQueue({ name: DEADLINE_QUEUE.name })],
  providers: [
    { provide: DEADLINE_PROFILES, useFactory: () => loadCheckedDeadlineProfiles() },
    CaseRepository,
    ProcedureTracker,
    DeadlineTimerRepository,
    DeadlineTimers,
    CaseQueries,
    CaseStatistics,
    IndicatorSource,
    OperationalIndicators,
  ],
  exports: [
    DEADLINE_PROFILES,
    CaseRepository,
    ProcedureTracker,
    DeadlineTimerRepository,
    DeadlineTimers,
    CaseQueries,
    CaseStatistics,
    OperationalIndicators,
  ],
})
export class CasesModule {}

/** The worker side: fires deadline timers and feeds those due within the horizon into Redis. */
@Module({
  imports: [CasesModule],
  providers: [HandleDeadlineDue, DeadlineProcessor, DeadlineHorizonFeed],
  exports: [DeadlineHorizonFeed, DeadlineProcessor],
})
export class DeadlineWorkerModule {}
