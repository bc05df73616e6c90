import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import type { NodeConfig } from '#libs/node-config';
import type { MailboxEvent } from './events.js';

export const EVENTS_CLIENT = Symbol('EVENTS_CLIENT');

const PUBLISH_TIMEOUT_MS = 2000;
/** While Redis is away every publication fails: one warning per this period is enough. */
const WARNING_PERIOD_MS = 30_000;

/**
 * Tells the other apps of this node what happened, over the Redis transport. A wake-up call only:
 * the event itself is recorded in PostgreSQL with the change (MailboxEventLog), and the mailbox
 * streams read it from there. So publication never delays the caller and a lost one costs a
 * stream at most its polling interval.
 */
@Injectable()
export class EventsPublisher {
  private readonly logger = new Logger(EventsPublisher.name);
  private lastWarningAt = 0;
  private failures = 0;

  constructor(@Inject(EVENTS_CLIENT) private readonly client: ClientProxy) {}

  publish(event: MailboxEvent): void {
    firstValueFrom(this.client.emit(event.pattern, event).pipe(timeout(PUBLISH_TIMEOUT_MS)), {
      defaultValue: undefined,
    }).then(
      () => {
        this.failures = 0;
      },
      (error: Error) => {
        this.failures += 1;
        if (Date.now() - this.lastWarningAt < WARNING_PERIOD_MS) return;
        this.lastWarningAt = Date.now();
        this.logger.warn(
          {
            messageId: event.messageId,
            pattern: event.pattern,
            failures: this.failures,
            err: error.message,
          },
          'event bus unreachable; mailbox streams follow PostgreSQL meanwhile',
        );
      },
    );
  }
}

/** Where the node's Redis is: `REDIS_URL`, or the Sentinels that name the primary. */
export type RedisLocation = Pick<NodeConfig['redis'], 'url' | 'sentinels' | 'sentinelName'>;

/**
 * An ioredis connection to the node's Redis (BullMQ, the event bus, the rate counters). Behind
 * Sentinels, ioredis asks them for the primary and asks again after a failover; the URL then
 * gives only the password and the database.
 */
export function redisConnectionOptions(redis: RedisLocation): {
  host?: string;
  port?: number;
  sentinels?: Array<{ host: string; port: number }>;
  name?: string;
  password?: string;
  db?: number;
} {
  const parsed = new URL(redis.url);
  const credentials = {
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
  };
  if (redis.sentinels?.length && redis.sentinelName) {
    return { sentinels: redis.sentinels, name: redis.sentinelName, ...credentials };
  }
  return { host: parsed.hostname, port: Number(parsed.port || 6379), ...credentials };
}

/** Delay between two reconnection attempts of the event bus. */
export const BUS_RETRY_DELAY_MS = 1000;

/**
 * The `@nestjs/microservices` Redis transport's options. Unless told to retry, the transport
 * gives up on the first lost connection and never subscribes again (a Redis restart would end
 * the mailbox events for good): it retries for ever, once a second, and ioredis subscribes again
 * on reconnection.
 */
export function redisTransportOptions(redis: RedisLocation) {
  return {
    ...redisConnectionOptions(redis),
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryDelay: BUS_RETRY_DELAY_MS,
  };
}
