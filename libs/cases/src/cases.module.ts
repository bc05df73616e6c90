import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { CaseQueries } from './case-queries.js';
import { CaseStatistics } from './case-statistics.js';
import { CaseRepository } from './case.repository.js';
import { DEADLINE_PROFILES, loadCheckedDeadlineProfiles } from './deadline-profiles.js';
import { DEADLINE_QUEUE, DeadlineRederivation, DeadlineTimers } from './deadline-timers.js';
import { DeadlineProcessor } from './deadline.processor.js';
import { HandleDeadlineDue } from './handle-deadline-due.use-case.js';
import { ProcedureTracker } from './procedure-tracker.js';

/** Cases, the procedure state of their requests, and deadline clocks and timers. */
@Module({
  imports: [BullModule.registerQueue({ name: DEADLINE_QUEUE.name })],
  providers: [
    { provide: DEADLINE_PROFILES, useFactory: () => loadCheckedDeadlineProfiles() },
    CaseRepository,
    ProcedureTracker,
    DeadlineTimers,
    CaseQueries,
    CaseStatistics,
  ],
  exports: [
    DEADLINE_PROFILES,
    CaseRepository,
    ProcedureTracker,
    DeadlineTimers,
    CaseQueries,
    CaseStatistics,
  ],
})
export class CasesModule {}

/** The worker side: fires deadline timers and re-derives them from PostgreSQL. */
@Module({
  imports: [CasesModule],
  providers: [HandleDeadlineDue, DeadlineProcessor, DeadlineRederivation],
  exports: [DeadlineRederivation, DeadlineProcessor],
})
export class DeadlineWorkerModule {}
