import { Injectable } from '@nestjs/common';
import { DelayedError } from 'bullmq';
import { OnJob, type JobOf } from '#libs/bus';
import { DEADLINE_QUEUE, type DeadlineJobs } from './deadline-timers.js';
import { HandleDeadlineDue, type DeadlineOutcome } from './handle-deadline-due.use-case.js';

/** Fires deadline timers; a timer that fires before its instant by the node's clock waits again. */
@Injectable()
export class DeadlineProcessor {
  constructor(private readonly handle: HandleDeadlineDue) {}

  @OnJob(DEADLINE_QUEUE, 'reminder')
  @OnJob(DEADLINE_QUEUE, 'expiry')
  async process(job: JobOf<DeadlineJobs>, token?: string): Promise<DeadlineOutcome> {
    const outcome = await this.handle.execute(job.data);
    if (outcome.kind === 'early') {
      await job.moveToDelayed(Date.now() + Math.max(1000, outcome.inMs), token);
      throw new DelayedError();
    }
    return outcome;
  }
}
