import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { UnrecoverableError, Worker, type Job, type WorkerOptions } from 'bullmq';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { queueConnection } from './redis-connection.js';
import {
  buildJobRegistry,
  jobHandlerMarks,
  type AnyQueueDefinition,
  type FoundHandler,
  type JobHandler,
  type JobRegistry,
} from './jobs.js';

/** While Redis is away a worker reports every failed poll: one warning per this period. */
const WARNING_PERIOD_MS = 30_000;

export const CONSUMED_QUEUES = Symbol('CONSUMED_QUEUES');

/**
 * A consuming process's BullMQ options for a queue: the owner's (concurrency, lock, stalled-job
 * check), on the node's Redis connection and key prefix. `name` is recorded on each job the worker
 * takes (BullMQ `processedBy`): which process holds a job. Workers wait for Redis for ever.
 */
export function workerOptions(
  queue: AnyQueueDefinition,
  config: NodeConfig,
  name: string,
): WorkerOptions {
  return {
    ...queue.worker(config),
    name,
    connection: queueConnection(config.redis),
    prefix: config.redis.prefix,
    autorun: false,
  };
}

/**
 * The queues this process consumes and their workers. At module init it finds every `@OnJob`
 * method on the process's providers and checks that each job of each consumed queue has one
 * handler: a job without a handler stops start-up with an error naming it. Workers start after
 * bootstrap; on shutdown they stop taking jobs and wait for those in flight, before the database
 * closes.
 */
@Injectable()
export class JobWorkers implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobWorkers.name);
  private registry?: JobRegistry;
  private readonly workers: Worker[] = [];
  private readonly lastWarningAt = new Map<string, number>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(CONSUMED_QUEUES) private readonly queues: readonly AnyQueueDefinition[],
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  onModuleInit(): void {
    this.registry = buildJobRegistry(this.queues, this.findHandlers());
    this.logger.log(
      {
        queues: Object.fromEntries(
          [...this.registry].map(([queue, jobs]) => [queue, [...jobs.keys()]]),
        ),
      },
      'job handlers registered',
    );
  }

  /** The handler of a job, as registered; undefined before module init or for an unknown job. */
  handlerOf(queue: string, job: string): JobHandler | undefined {
    return this.registry?.get(queue)?.get(job);
  }

  onApplicationBootstrap(): void {
    const name = `${hostname()}:${process.pid}`;
    for (const queue of this.queues) {
      const worker = new Worker(
        queue.name,
        (job, token) => this.process(queue, job, token),
        workerOptions(queue, this.config, name),
      );
      worker.on('failed', (job, error) => this.onFailed(queue, job, error));
      worker.on('error', (error) => {
        if (Date.now() - (this.lastWarningAt.get(queue.name) ?? 0) < WARNING_PERIOD_MS) return;
        this.lastWarningAt.set(queue.name, Date.now());
        this.logger.warn(
          { queue: queue.name, err: error.message },
          `${queue.name} worker cannot reach Redis; retrying`,
        );
      });
      this.workers.push(worker);
      void worker
        .run()
        .catch((error: Error) =>
          this.logger.error({ queue: queue.name, err: error.message }, 'worker stopped'),
        );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.close()));
  }

  /** Whether every queue consumer of the process runs (the worker's readiness). */
  allRunning(): boolean {
    return this.workers.length > 0 && this.workers.every((worker) => worker.isRunning());
  }

  /** Runs a job by its handler; a job name the registry does not know fails at once, for good. */
  process(queue: AnyQueueDefinition, job: Job, token?: string): Promise<unknown> {
    const handler = this.handlerOf(queue.name, job.name);
    if (!handler) {
      throw new UnrecoverableError(`queue ${queue.name} has no handler for job ${job.name}`);
    }
    return handler(job, token);
  }

  private findHandlers(): FoundHandler[] {
    return findJobHandlers(
      this.discovery.getProviders().map((wrapper) => wrapper.instance as unknown),
    );
  }

  private onFailed(queue: AnyQueueDefinition, job: Job | undefined, error: Error): void {
    this.logger.warn(
      {
        queue: queue.name,
        job: job?.name,
        jobId: job?.id,
        ...(job && queue.faultContext?.(job.data as never)),
        err: error.message,
      },
      `${queue.name} job faulted`,
    );
  }
}

/** The `@OnJob` methods of these provider instances, bound to them. */
export function findJobHandlers(instances: readonly unknown[]): FoundHandler[] {
  const found: FoundHandler[] = [];
  for (const instance of instances) {
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance) as object | null;
    if (!prototype || prototype === Object.prototype) continue;
    for (const key of methodNames(prototype)) {
      for (const mark of jobHandlerMarks(prototype, key)) {
        const method = (instance as Record<string, JobHandler>)[key];
        found.push({
          ...mark,
          handler: method.bind(instance),
          where: `${instance.constructor.name}.${key}`,
        });
      }
    }
  }
  return found;
}

/** Method names along a prototype chain, up to Object.prototype. */
function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (
    let p: object | null = prototype;
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(p, name);
      if (typeof descriptor?.value === 'function') names.add(name);
    }
  }
  return [...names];
}

/**
 * The queues a process consumes: `JobsModule.consume([DELIVERY_QUEUE, DEADLINE_QUEUE])` in the
 * app's module, beside the modules that hold their handlers.
 */
@Module({})
export class JobsModule {
  static consume(queues: readonly AnyQueueDefinition[]): DynamicModule {
    return {
      module: JobsModule,
      imports: [DiscoveryModule],
      providers: [{ provide: CONSUMED_QUEUES, useValue: queues }, JobWorkers],
      exports: [JobWorkers],
    };
  }
}
