export { BusModule } from './bus.module.js';
export { MailboxEventPattern, type MailboxEvent } from './events.js';
export { EventsPublisher } from './events-publisher.js';
export {
  BUS_RETRY_DELAY_MS,
  eventBusClient,
  eventBusServer,
  queueConnection,
  redisClient,
  type RedisLocation,
} from './redis-connection.js';
export {
  MAILBOX_EVENT_RETENTION_MS,
  MailboxEventLog,
  type SequencedEvent,
} from './mailbox-event-log.js';
export {
  QUEUE_OPERATION_TIMEOUT_MS,
  queueUnavailable,
  whileQueueReachable,
} from './queue-reach.js';
export { isRedisUnreachable } from './redis-faults.js';
export {
  buildJobRegistry,
  defineQueue,
  JobRegistryError,
  OnJob,
  typedQueue,
  type AnyQueueDefinition,
  type JobMap,
  type JobOf,
  type QueueDefinition,
  type QueueWorkerOptions,
  type TypedQueue,
} from './jobs.js';
export { findJobHandlers, JobsModule, JobWorkers, workerOptions } from './job-workers.js';
