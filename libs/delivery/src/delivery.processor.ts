import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import { DELIVERY_QUEUE, type DeliveryJobData } from '#libs/messaging';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { DeliverMessage, type DeliveryOutcome } from './deliver-message.use-case.js';

/**
 * The delivery worker. Retries are scheduled by the use-case (inside the retry window) by moving
 * the job back to the delayed set; BullMQ's own attempts only cover unexpected faults.
 * Started after bootstrap so that per-node settings apply before the first job is taken.
 */
@Processor(DELIVERY_QUEUE, { autorun: false, maxStalledCount: 100 })
export class DeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(DeliveryProcessor.name);

  constructor(
    private readonly deliver: DeliverMessage,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.delivery.concurrency;
    this.worker.opts.stalledInterval = this.config.delivery.stalledIntervalMs;
    void this.worker.run();
  }

  async process(job: Job<DeliveryJobData>, token?: string): Promise<DeliveryOutcome> {
    const outcome = await this.deliver.execute(job.data);
    if (outcome.kind === 'retry') {
      await job.moveToDelayed(outcome.at.getTime(), token);
      throw new DelayedError();
    }
    return outcome;
  }

  @OnWorkerEvent('failed')
  onFailed(job: Job<DeliveryJobData> | undefined, error: Error): void {
    this.logger.warn(
      {
        messageId: job?.data.messageId,
        correlationId: job?.data.correlationId,
        err: error.message,
      },
      'delivery job faulted',
    );
  }
}
