import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { defineQueue, typedQueue, whileQueueReachable, type TypedQueue } from '#libs/bus';

export interface DeliveryJobData {
  messageId: string;
  correlationId: string | null;
}

/** The delivery queue's jobs: one, `deliver`, per outbound message. */
export interface DeliveryJobs {
  deliver: DeliveryJobData;
}

/**
 * The delivery queue, owned here: its job map, its producer (below) and how the worker runs it
 * (R4): a job whose worker died is taken up again once its lock (`delivery.lockDurationMs`,
 * GATEWAY_JOB_LOCK_MS) has run out, at the next stalled-job check (`delivery.stalledIntervalMs`).
 * A job that stalls is taken up again however often: the receiving node's duplicate detection
 * makes a second delivery harmless. The handler is `DeliveryHandler` (libs/delivery).
 */
export const DELIVERY_QUEUE = defineQueue<DeliveryJobs>({
  name: 'delivery',
  jobs: ['deliver'],
  worker: (config) => ({
    concurrency: config.delivery.concurrency,
    lockDuration: config.delivery.lockDurationMs,
    stalledInterval: config.delivery.stalledIntervalMs,
    maxStalledCount: 100,
  }),
  faultContext: (data) => ({ messageId: data.messageId, correlationId: data.correlationId }),
});

/** Producer side of the delivery queue. The job id is the message id: a message has at most one job. */
@Injectable()
export class DeliveryQueue {
  private readonly jobs: TypedQueue<DeliveryJobs>;

  constructor(@InjectQueue(DELIVERY_QUEUE.name) private readonly queue: Queue<DeliveryJobData>) {
    this.jobs = typedQueue(DELIVERY_QUEUE, queue);
  }

  /** Fails at once (QUEUE_UNAVAILABLE) while Redis is away: the reconciler adds the job later. */
  async enqueue(data: DeliveryJobData): Promise<void> {
    await whileQueueReachable(this.queue, () => this.add(data));
  }

  private async add(data: DeliveryJobData): Promise<void> {
    await this.jobs.add('deliver', data, {
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

  /**
   * An operator's retry: the message's job runs now. A job waiting out its backoff is promoted, a
   * failed one revived, a missing one added; one already waiting or running is left as it is.
   */
  expedite(data: DeliveryJobData): Promise<'added' | 'revived' | 'promoted' | 'present'> {
    return whileQueueReachable(this.queue, async () => {
      const job = await this.queue.getJob(data.messageId);
      if (job && (await job.isDelayed())) {
        await job.promote();
        return 'promoted';
      }
      if (job && (await job.isFailed())) {
        await job.retry('failed');
        return 'revived';
      }
      if (job) return 'present';
      await this.add(data);
      return 'added';
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
