import { Controller, Injectable, Sse, type MessageEvent } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  filter,
  interval,
  map,
  merge,
  mergeMap,
  NEVER,
  Subject,
  takeUntil,
  timer,
  type Observable,
} from 'rxjs';
import { inScope, scopeOf, UserAccounts } from '#libs/access';
import { MailboxEventPattern, type MailboxEvent } from '#libs/bus';
import { NodeIdentity } from '#libs/node-config';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';

/** Fan-in of the event bus for the authorities this node serves. */
@Injectable()
export class MailboxStream {
  private readonly events = new Subject<MailboxEvent>();

  constructor(private readonly identity: NodeIdentity) {}

  push(event: MailboxEvent): void {
    // The bus is shared by every node on the same Redis: keep only the events of this node's authorities.
    if (this.identity.hosts(event.authorityId)) this.events.next(event);
  }

  stream(): Observable<MailboxEvent> {
    return this.events.asObservable();
  }
}

/** How often an open stream re-reads its account. */
const ACCOUNT_RECHECK_MS = 5000;

@ApiTags('mailbox')
@Controller('api/v1/mailbox')
export class MailboxController {
  constructor(
    private readonly mailbox: MailboxStream,
    private readonly accounts: UserAccounts,
  ) {}

  @Sse('events')
  @Requires('mailbox.stream')
  @ApiOperation({
    summary:
      'Live notifications (server-sent events) of the cases you may see: received, delivered, retrying, failed, deadline reminders and expiries',
  })
  events(@Officer() officer: OfficerContext): Observable<MessageEvent> {
    // A stream outlives the request that opened it: it ends when the credential lapses, or when
    // the account is disabled or its scope changes, as every other request would then be refused.
    const revoked = interval(ACCOUNT_RECHECK_MS).pipe(
      mergeMap(() => this.accounts.active(officer.principal.username)),
      filter(
        (account) => !account || JSON.stringify(scopeOf(account)) !== JSON.stringify(officer.scope),
      ),
    );
    const lapsed = officer.credentialExpiresAt ? timer(officer.credentialExpiresAt) : NEVER;
    return this.mailbox.stream().pipe(
      takeUntil(merge(revoked, lapsed)),
      filter((event) =>
        inScope(officer.scope, {
          authorityId: event.authorityId,
          procedure: event.procedure,
          caseReference: event.caseReference,
        }),
      ),
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
