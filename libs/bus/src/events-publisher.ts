import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
import type { MailboxEvent } from './events.js';

export const EVENTS_CLIENT = Symbol('EVENTS_CLIENT');

/**
 * Tells the other apps of this node what happened, over the Redis transport. Best effort: the
 * database is the record, events only drive live notifications.
 */
@Injectable()
export class EventsPublisher {
  private readonly logger = new Logger(EventsPublisher.name);

  constructor(@Inject(EVENTS_CLIENT) private readonly client: ClientProxy) {}

  async publish(event: MailboxEvent): Promise<void> {
    try {
      await firstValueFrom(this.client.emit(event.pattern, event).pipe(timeout(2000)), {
        defaultValue: undefined,
      });
    } catch (error) {
      this.logger.warn(
        { messageId: event.messageId, pattern: event.pattern, err: (error as Error).message },
        'event not published',
      );
    }
  }
}

export function redisTransportOptions(url: string): {
  host: string;
  port: number;
  password?: string;
  db?: number;
} {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.pathname.length > 1 ? { db: Number(parsed.pathname.slice(1)) } : {}),
  };
}
