import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

export const DELIVERY_QUEUE = 'delivery';

export interface DeliveryJobData {
  messageId: string;
  correlationId: string | null;
}

/** Producer side of the delivery queue. The job id is the message id: a message has at most one job. */
@Injectable()
export class DeliveryQueue {
  constructor(@InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJobData>) {}

  async enqueue(data: DeliveryJobData): Promise<void> {
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
  async ensure(data: DeliveryJobData): Promise<'added' | 'revived' | 'present'> {
    const job = await this.queue.getJob(data.messageId);
    if (!job) {
      await this.enqueue(data);
      return 'added';
    }
    if (await job.isFailed()) {
      await job.retry('failed');
      return 'revived';
    }
    return 'present';
  }

  /** Readiness probe: a round trip to Redis through the queue, bounded in time. */
  async probe(timeoutMs = 1000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`redis did not answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.queue.getJobCounts('waiting'), expiry]);
    } finally {
      clearTimeout(timer);
    }
  }
}
