import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { DelayedError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { redisConnectionOptions } from '#libs/bus';
import { DELIVERY_QUEUE, type DeliveryJobData } from '#libs/messaging';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { DeliverMessage, type DeliveryOutcome } from './deliver-message.use-case.js';

/** While Redis is away the worker reports every failed poll: one warning per this period. */
const WARNING_PERIOD_MS = 30_000;

/**
 * The delivery worker's BullMQ options, from the node's configuration (R4): a job whose worker
 * died is taken up again once its lock (`delivery.lockDurationMs`, GATEWAY_JOB_LOCK_MS) has run
 * out, at the next stalled-job check (`delivery.stalledIntervalMs`). A job that stalls is taken up
 * again however often: the receiving node's duplicate detection makes a second delivery harmless.
 * `name` is recorded on each job it takes (BullMQ `processedBy`): which process holds a job.
 */
export function deliveryWorkerOptions(config: NodeConfig, name: string): WorkerOptions {
  return {
    name,
    connection: { ...redisConnectionOptions(config.redis.url), maxRetriesPerRequest: null },
    prefix: config.redis.prefix,
    concurrency: config.delivery.concurrency,
    lockDuration: config.delivery.lockDurationMs,
    stalledInterval: config.delivery.stalledIntervalMs,
    maxStalledCount: 100,
    autorun: false,
  };
}

/**
 * The delivery worker. Retries are scheduled by the use-case (inside the retry window) by moving
 * the job back to the delayed set; BullMQ's own attempts only cover unexpected faults. Built here
 * rather than by `@Processor`, whose options are fixed at compile time, so that the node's
 * settings apply; started after bootstrap, and on shutdown it stops taking jobs and waits for the
 * ones in flight before the database closes.
 */
@Injectable()
export class DeliveryProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DeliveryProcessor.name);
  private worker?: Worker<DeliveryJobData, DeliveryOutcome>;
  private lastWarningAt = 0;

  /** Whether the queue consumer runs (the worker's readiness). */
  isRunning(): boolean {
    return this.worker?.isRunning() ?? false;
  }

  constructor(
    private readonly deliver: DeliverMessage,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  onApplicationBootstrap(): void {
    const worker = new Worker<DeliveryJobData, DeliveryOutcome>(
      DELIVERY_QUEUE,
      (job, token) => this.process(job, token),
      deliveryWorkerOptions(this.config, `${hostname()}:${process.pid}`),
    );
    worker.on('failed', (job, error) => this.onFailed(job, error));
    worker.on('error', (error) => {
      if (Date.now() - this.lastWarningAt < WARNING_PERIOD_MS) return;
      this.lastWarningAt = Date.now();
      this.logger.warn({ err: error.message }, 'delivery worker cannot reach Redis; retrying');
    });
    this.worker = worker;
    void worker
      .run()
      .catch((error: Error) =>
        this.logger.error({ err: error.message }, 'delivery worker stopped'),
      );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }

  async process(job: Job<DeliveryJobData>, token?: string): Promise<DeliveryOutcome> {
    const outcome = await this.deliver.execute(job.data);
    if (outcome.kind === 'retry') {
      await job.moveToDelayed(outcome.at.getTime(), token);
      throw new DelayedError();
    }
    return outcome;
  }

  private onFailed(job: Job<DeliveryJobData> | undefined, error: Error): void {
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
