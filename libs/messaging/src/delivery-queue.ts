import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { whileQueueReachable } from '#libs/bus';

export const DELIVERY_QUEUE = 'delivery';

export interface DeliveryJobData {
  messageId: string;
  correlationId: string | null;
}

/** Producer side of the delivery queue. The job id is the message id: a message has at most one job. */
@Injectable()
export class DeliveryQueue {
  constructor(@InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJobData>) {}

  /** Fails at once (QUEUE_UNAVAILABLE) while Redis is away: the reconciler adds the job later. */
  async enqueue(data: DeliveryJobData): Promise<void> {
    await whileQueueReachable(this.queue, () => this.add(data));
  }

  private async add(data: DeliveryJobData): Promise<void> {
    await this.queue.add('deliver', data, {
      jobId: data.messageId,
      // Transport failures are retried by the delivery use-case inside the retry window; these
      // attempts only cover unexpected faults (e.g. the database briefly unavailable).
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  }

  /** Makes sure a job exists for a pending message: adds it, or revives it if it failed. */
  ensure(data: DeliveryJobData): Promise<'added' | 'revived' | 'present'> {
    return whileQueueReachable(this.queue, async () => {
      const job = await this.queue.getJob(data.messageId);
      if (!job) {
        await this.add(data);
        return 'added';
      }
      if (await job.isFailed()) {
        await job.retry('failed');
        return 'revived';
      }
      return 'present';
    });
  }

  /** Jobs by state, for the metrics and the operators' view. */
  depths(): Promise<Record<string, number>> {
    return whileQueueReachable(this.queue, () =>
      this.queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
    );
  }

  /** Readiness probe: a round trip to Redis through the queue, bounded in time. */
  async probe(timeoutMs = 1000): Promise<void> {
    await whileQueueReachable(this.queue, () => this.queue.getJobCounts('waiting'), timeoutMs);
  }
}
