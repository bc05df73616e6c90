import { Injectable } from '@nestjs/common';
import { DelayedError } from 'bullmq';
import { OnJob, type JobOf } from '#libs/bus';
import { DELIVERY_QUEUE, type DeliveryJobs } from '#libs/messaging';
import { DeliverMessage, type DeliveryOutcome } from './deliver-message.use-case.js';

/**
 * The delivery queue's handler (the queue, its options and its worker are libs/messaging's and
 * libs/bus's). Retries are scheduled by the use-case (inside the retry window) by moving the job
 * back to the delayed set; BullMQ's own attempts only cover unexpected faults.
 */
@Injectable()
export class DeliveryProcessor {
  constructor(private readonly deliver: DeliverMessage) {}

  @OnJob(DELIVERY_QUEUE, 'deliver')
  async process(job: JobOf<DeliveryJobs, 'deliver'>, token?: string): Promise<DeliveryOutcome> {
    const outcome = await this.deliver.execute(job.data);
    if (outcome.kind === 'retry') {
      await job.moveToDelayed(outcome.at.getTime(), token);
      throw new DelayedError();
    }
    return outcome;
  }
}
