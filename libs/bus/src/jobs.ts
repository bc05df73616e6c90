import 'reflect-metadata';
import type { Job, JobsOptions, Queue, WorkerOptions } from 'bullmq';
import type { NodeConfig } from '#libs/node-config';

/** Job name → payload type of one queue (an interface: `{ deliver: DeliveryJobData }`). */
export type JobMap<M = object> = { [K in keyof M]: object };

/** The options a queue's owner sets for the processes that consume it (the rest is the node's). */
export type QueueWorkerOptions = Omit<WorkerOptions, 'connection' | 'prefix' | 'name' | 'autorun'>;

/**
 * A BullMQ queue as its owner lib declares it: its name, every job name it carries (the keys of
 * its job map), how a consuming process runs it, and what to log of a job that faulted. A process
 * that consumes the queue must have a handler (`@OnJob`) for each job name, or it does not start.
 */
export interface QueueDefinition<M extends JobMap<M>> {
  readonly name: string;
  readonly jobs: ReadonlyArray<keyof M & string>;
  readonly worker: (config: NodeConfig) => QueueWorkerOptions;
  readonly faultContext?: (data: M[keyof M]) => Record<string, unknown>;
}

export type AnyQueueDefinition = QueueDefinition<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function defineQueue<M extends JobMap<M>>(
  definition: QueueDefinition<M>,
): QueueDefinition<M> {
  if (new Set(definition.jobs).size !== definition.jobs.length) {
    throw new Error(`queue ${definition.name} lists a job name twice`);
  }
  return Object.freeze({ ...definition, jobs: Object.freeze([...definition.jobs]) });
}

/** A job of the queue, typed by its name. */
export type JobOf<M extends JobMap<M>, K extends keyof M & string = keyof M & string> = Job<
  M[K],
  unknown,
  K
>;

/** The producer side: only the queue's job names, each with its own payload type. */
export interface TypedQueue<M extends JobMap<M>> {
  add<K extends keyof M & string>(name: K, data: M[K], opts?: JobsOptions): Promise<JobOf<M, K>>;
  addBulk<K extends keyof M & string>(
    jobs: Array<{ name: K; data: M[K]; opts?: JobsOptions }>,
  ): Promise<Array<JobOf<M, K>>>;
}

export function typedQueue<M extends JobMap<M>>(
  definition: QueueDefinition<M>,
  queue: Queue,
): TypedQueue<M> {
  if (queue.name !== definition.name) {
    throw new Error(`queue ${queue.name} is not ${definition.name}`);
  }
  return {
    add: (name, data, opts) => queue.add(name, data, opts) as never,
    addBulk: (jobs) => queue.addBulk(jobs) as never,
  };
}

const ON_JOB = Symbol('tip:on-job');

/** What `@OnJob` records on a method. */
export interface JobHandlerMark {
  queue: AnyQueueDefinition;
  job: string;
}

/**
 * Declares the method that handles one job of a queue (after the Immich server's `@OnJob`). The
 * method receives the BullMQ job and the worker's lock token; what it returns is the job's result.
 * Found at start-up on the providers of the process (JobWorkers).
 */
export function OnJob<M extends JobMap<M>, K extends keyof M & string>(
  queue: QueueDefinition<M>,
  job: K,
) {
  return <T extends (job: JobOf<M, K>, token?: string) => Promise<unknown>>(
    target: object,
    key: string | symbol,
    _descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    const marks = (Reflect.getMetadata(ON_JOB, target, key) as JobHandlerMark[] | undefined) ?? [];
    Reflect.defineMetadata(ON_JOB, [...marks, { queue, job }], target, key);
  };
}

/** The `@OnJob` marks of a method, if any. */
export function jobHandlerMarks(target: object, key: string | symbol): JobHandlerMark[] {
  return (Reflect.getMetadata(ON_JOB, target, key) as JobHandlerMark[] | undefined) ?? [];
}

export type JobHandler = (job: Job, token?: string) => Promise<unknown>;

/** A handler found on a provider, with where it was found (for the error messages). */
export interface FoundHandler extends JobHandlerMark {
  handler: JobHandler;
  where: string;
}

/** The handlers of every consumed queue, by queue and job name. */
export type JobRegistry = Map<string, Map<string, JobHandler>>;

/**
 * Builds the registry of the queues this process consumes and checks it: each job of each queue
 * has exactly one handler, and no handler waits for a queue the process does not consume or a job
 * its queue does not carry. Every problem is listed in the error; start-up stops on it.
 */
export function buildJobRegistry(
  consumed: readonly AnyQueueDefinition[],
  found: readonly FoundHandler[],
): JobRegistry {
  const problems: string[] = [];
  const registry: JobRegistry = new Map();
  const names = new Set<string>();
  for (const queue of consumed) {
    if (names.has(queue.name)) problems.push(`queue '${queue.name}' is consumed twice`);
    names.add(queue.name);
    registry.set(queue.name, new Map());
  }
  for (const { queue, job, handler, where } of found) {
    const handlers = registry.get(queue.name);
    if (!handlers) {
      problems.push(
        `${where} handles job '${job}' of queue '${queue.name}', which this process does not consume`,
      );
    } else if (!queue.jobs.includes(job)) {
      problems.push(`${where} handles job '${job}', which queue '${queue.name}' does not carry`);
    } else if (handlers.has(job)) {
      problems.push(`job '${job}' of queue '${queue.name}' has a second handler: ${where}`);
    } else {
      handlers.set(job, handler);
    }
  }
  for (const queue of consumed) {
    for (const job of queue.jobs) {
      if (!registry.get(queue.name)?.has(job)) {
        problems.push(
          `job '${job}' of queue '${queue.name}' has no handler (an @OnJob(${queue.name}, '${job}') method on a provider of this process)`,
        );
      }
    }
  }
  if (problems.length > 0) {
    throw new JobRegistryError(problems);
  }
  return registry;
}

export class JobRegistryError extends Error {
  constructor(readonly problems: string[]) {
    super(`job handlers incomplete: ${problems.join('; ')}`);
    this.name = 'JobRegistryError';
  }
}
