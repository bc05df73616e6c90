import { Controller, Injectable, Sse, type MessageEvent } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { filter, map, Subject, type Observable } from 'rxjs';
import { MailboxEventPattern, type MailboxEvent } from '#libs/bus';
import { NodeIdentity } from '#libs/node-config';

/** Fan-in of the event bus for this node's authority. */
@Injectable()
export class MailboxStream {
  private readonly events = new Subject<MailboxEvent>();

  constructor(private readonly identity: NodeIdentity) {}

  push(event: MailboxEvent): void {
    // The bus is shared by every node on the same Redis: keep only this authority's events.
    if (event.authorityId === this.identity.authorityId) this.events.next(event);
  }

  stream(): Observable<MailboxEvent> {
    return this.events.asObservable();
  }
}

@ApiTags('mailbox')
@Controller('api/v1/mailbox')
export class MailboxController {
  constructor(private readonly mailbox: MailboxStream) {}

  @Sse('events')
  @ApiOperation({
    summary:
      'Live notifications (server-sent events): received, delivered, retrying, failed, deadline reminders and expiries',
  })
  events(): Observable<MessageEvent> {
    return this.mailbox.stream().pipe(
      filter(Boolean),
      map((event) => ({
        type: event.pattern,
        id: `${event.messageId ?? event.requestId}:${event.status}`,
        data: event,
      })),
    );
  }

  @EventPattern(MailboxEventPattern.received)
  onReceived(@Payload() event: MailboxEvent): void {
    this.mailbox.push(event);
  }

  @EventPattern(MailboxEventPattern.delivered)
  onDelivered(@Payload() event: MailboxEvent): void {
    this.mailbox.push(event);
  }

  @EventPattern(MailboxEventPattern.retryScheduled)
  onRetryScheduled(@Payload() event: MailboxEvent): void {
    this.mailbox.push(event);
  }

  @EventPattern(MailboxEventPattern.deliveryFailed)
  onDeliveryFailed(@Payload() event: MailboxEvent): void {
    this.mailbox.push(event);
  }

  @EventPattern(MailboxEventPattern.deadlineReminder)
  onDeadlineReminder(@Payload() event: MailboxEvent): void {
    this.mailbox.push(event);
  }

  @EventPattern(MailboxEventPattern.deadlineExpired)
  onDeadlineExpired(@Payload() event: MailboxEvent): void {
    this.mailbox.push(event);
  }
}
