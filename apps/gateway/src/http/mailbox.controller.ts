import {
  Controller,
  Headers,
  Injectable,
  Logger,
  Sse,
  type MessageEvent,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  catchError,
  EMPTY,
  filter,
  from,
  interval,
  map,
  merge,
  mergeMap,
  NEVER,
  Observable,
  Subject,
  takeUntil,
  timer,
} from 'rxjs';
import { inScope, scopeOf, UserAccounts } from '#libs/access';
import {
  MailboxEventLog,
  MailboxEventPattern,
  type MailboxEvent,
  type SequencedEvent,
} from '#libs/bus';
import { Clock, NodeIdentity } from '#libs/node-config';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';

/** How often the event log is read when the bus says nothing (Redis away, a lost wake-up). */
const POLL_INTERVAL_MS = 500;
const PAGE = 500;
const PRUNE_INTERVAL_MS = 3600_000;
/** While PostgreSQL is away every poll fails: one warning per this period is enough. */
const WARNING_PERIOD_MS = 30_000;
const EVENT_ID = /^\d{1,18}$/;

/**
 * The mailbox events of the authorities this node serves, as PostgreSQL records them (R2): read
 * in stream order by one poll loop per process, woken at once by the Redis bus and every half
 * second without it, and fanned out to the open streams. A stream that resumes from an event id
 * replays what it missed from the log, then follows live, with nothing skipped or repeated.
 */
@Injectable()
export class MailboxStream implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MailboxStream.name);
  private readonly events = new Subject<SequencedEvent>();
  /** The last event fanned out. */
  private head = '0';
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private wokenWhilePolling = false;
  private lastPruneAt = 0;
  private lastWarningAt = 0;
  private failing = false;

  constructor(
    private readonly log: MailboxEventLog,
    private readonly identity: NodeIdentity,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.head = await this.log.head();
    this.timer = setInterval(() => this.wake(), POLL_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    this.events.complete();
  }

  /** An event was published on the bus: read the log now rather than at the next tick. */
  notified(event: MailboxEvent): void {
    // The bus is shared by every node on the same Redis: only this node's events wake it, and
    // only while a stream is open to tell; otherwise the next tick places them in the log.
    if (this.events.observed && this.identity.hosts(event.authorityId)) this.wake();
  }

  private wake(): void {
    if (this.polling) {
      this.wokenWhilePolling = true;
      return;
    }
    this.polling = this.poll().finally(() => {
      this.polling = undefined;
      if (this.wokenWhilePolling) {
        this.wokenWhilePolling = false;
        this.wake();
      }
    });
  }

  private async poll(): Promise<void> {
    try {
      // One look first: an idle node neither sequences nor reads (one statement, not five).
      const { unsequenced, head } = await this.log.state();
      if (unsequenced) await this.log.sequence();
      for (let more = unsequenced || head !== this.head; more;) {
        const page = await this.log.after(this.head, this.authorities(), PAGE);
        for (const sequenced of page) {
          this.head = sequenced.seq;
          this.events.next(sequenced);
        }
        more = page.length === PAGE;
      }
      await this.prune();
      if (this.failing) {
        this.failing = false;
        this.logger.log({ head: this.head }, 'mailbox events followed again');
      }
    } catch (error) {
      this.failing = true;
      if (Date.now() - this.lastWarningAt >= WARNING_PERIOD_MS) {
        this.lastWarningAt = Date.now();
        this.logger.warn(
          { err: (error as Error).message },
          'mailbox events not read; streams resume when the database answers',
        );
      }
    }
  }

  private async prune(): Promise<void> {
    if (Date.now() - this.lastPruneAt < PRUNE_INTERVAL_MS) return;
    this.lastPruneAt = Date.now();
    const pruned = await this.log.prune(this.clock.now());
    if (pruned > 0) this.logger.log({ pruned }, 'mailbox events past retention removed');
  }

  private authorities(): string[] {
    return this.identity.hosted.map((authority) => authority.id);
  }

  /**
   * The events after `lastEventId` (replayed from the log), then every later one as it comes; or,
   * without an id, the events from now on.
   */
  stream(lastEventId?: string): Observable<SequencedEvent> {
    if (lastEventId === undefined) return this.events.asObservable();
    return new Observable<SequencedEvent>((subscriber) => {
      let sent = lastEventId;
      let replaying = true;
      const arrivedMeanwhile: SequencedEvent[] = [];
      const forward = (sequenced: SequencedEvent) => {
        if (BigInt(sequenced.seq) <= BigInt(sent)) return;
        sent = sequenced.seq;
        subscriber.next(sequenced);
      };
      // Subscribed before the replay starts: what the poll loop fans out meanwhile is kept.
      const live = this.events.subscribe({
        next: (sequenced) => (replaying ? arrivedMeanwhile.push(sequenced) : forward(sequenced)),
        complete: () => subscriber.complete(),
      });
      const replay = async () => {
        // An id from beyond the log (another node's, a database restored from backup) would
        // silence the stream: it resumes from the log's end instead.
        const latest = await this.log.head();
        if (BigInt(sent) > BigInt(latest)) sent = latest;
        for (;;) {
          const page = await this.log.after(sent, this.authorities(), PAGE);
          page.forEach(forward);
          if (page.length < PAGE || subscriber.closed) break;
        }
        replaying = false;
        arrivedMeanwhile.splice(0).forEach(forward);
      };
      replay().catch((error: Error) => {
        this.logger.warn({ err: error.message }, 'mailbox events not replayed');
        subscriber.error(error);
      });
      return () => live.unsubscribe();
    });
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
      'Live notifications (server-sent events) of the cases you may see: received, delivered, retrying, failed, deadline reminders and expiries. Each event has an id; reconnecting with Last-Event-ID replays what was missed',
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'the id of the last event received: the stream resumes after it',
  })
  @ApiOkResponse({
    description:
      'server-sent events: `event` is the pattern (message.received, message.delivered…), `id` the event id, `data` the event as JSON',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  events(
    @Officer() officer: OfficerContext,
    @Headers('last-event-id') lastEventId?: string,
  ): Observable<MessageEvent> {
    // A stream outlives the request that opened it: it ends when the credential lapses, or when
    // the account is disabled or its scope changes, as every other request would then be refused.
    // An account that cannot be read (the database away) is checked again at the next round.
    const revoked = interval(ACCOUNT_RECHECK_MS).pipe(
      mergeMap(() =>
        from(this.accounts.active(officer.principal.username)).pipe(catchError(() => EMPTY)),
      ),
      filter(
        (account) => !account || JSON.stringify(scopeOf(account)) !== JSON.stringify(officer.scope),
      ),
    );
    const lapsed = officer.credentialExpiresAt ? timer(officer.credentialExpiresAt) : NEVER;
    const resumeAfter = lastEventId && EVENT_ID.test(lastEventId) ? lastEventId : undefined;
    return this.mailbox.stream(resumeAfter).pipe(
      takeUntil(merge(revoked, lapsed)),
      filter(({ event }) =>
        inScope(officer.scope, {
          authorityId: event.authorityId,
          procedure: event.procedure,
          caseReference: event.caseReference,
        }),
      ),
      map(({ seq, event }) => ({ type: event.pattern, id: seq, data: event })),
    );
  }

  // The bus only wakes the stream up: the events themselves are read from PostgreSQL.
  @EventPattern(MailboxEventPattern.received)
  onReceived(@Payload() event: MailboxEvent): void {
    this.mailbox.notified(event);
  }

  @EventPattern(MailboxEventPattern.delivered)
  onDelivered(@Payload() event: MailboxEvent): void {
    this.mailbox.notified(event);
  }

  @EventPattern(MailboxEventPattern.retryScheduled)
  onRetryScheduled(@Payload() event: MailboxEvent): void {
    this.mailbox.notified(event);
  }

  @EventPattern(MailboxEventPattern.deliveryFailed)
  onDeliveryFailed(@Payload() event: MailboxEvent): void {
    this.mailbox.notified(event);
  }

  @EventPattern(MailboxEventPattern.deadlineReminder)
  onDeadlineReminder(@Payload() event: MailboxEvent): void {
    this.mailbox.notified(event);
  }

  @EventPattern(MailboxEventPattern.deadlineExpired)
  onDeadlineExpired(@Payload() event: MailboxEvent): void {
    this.mailbox.notified(event);
  }
}
