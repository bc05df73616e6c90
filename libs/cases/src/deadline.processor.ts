import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { DEADLINE_QUEUE, type DeadlineJobData } from './deadline-timers.js';
import { HandleDeadlineDue, type DeadlineOutcome } from './handle-deadline-due.use-case.js';

/**
 * Fires deadline timers; a timer that fires before its instant by the node's clock waits again.
 * Eight at a time (each one short transaction, within the pool of 10), so that the overdue
 * backlog a cold start finds drains in parallel.
 */
@Processor(DEADLINE_QUEUE, { concurrency: 8, maxStalledCount: 100 })
export class DeadlineProcessor extends WorkerHost {
  private readonly logger = new Logger(DeadlineProcessor.name);

  constructor(private readonly handle: HandleDeadlineDue) {
    super();
  }

  async process(job: Job<DeadlineJobData>, token?: string): Promise<DeadlineOutcome> {
    const outcome = await this.handle.execute(job.data);
    if (outcome.kind === 'early') {
      await job.moveToDelayed(Date.now() + Math.max(1000, outcome.inMs), token);
      throw new DelayedError();
    }
    return outcome;
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<DeadlineJobData> | undefined, error: Error): void {
    this.logger.warn(
      { deadlineId: job?.data.deadlineId, kind: job?.data.kind, err: error.message },
      'deadline job faulted',
    );
  }
}
