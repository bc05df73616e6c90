import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom, timeout } from 'rxjs';
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
