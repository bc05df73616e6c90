import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { AuditTrail, type AuditRecord } from '#libs/audit';
import {
  EventsPublisher,
  MailboxEventLog,
  MailboxEventPattern,
  type MailboxEvent,
} from '#libs/bus';
import {
  applyDeadlineEvent,
  deadlineCalendar,
  expiryActions,
  remindersDue,
  type DeadlineProfiles,
} from '#libs/deadlines';
import type { Procedure } from '#libs/envelope';
import { isGatewayError } from '#libs/errors';
import { Clock } from '#libs/node-config';
import type { Database } from '#libs/persistence';
import { applySystemEvent, type ProcedureState } from '#libs/procedures';
import { CaseRepository, reviveClock, type RequestRow } from './case.repository.js';
import { DEADLINE_PROFILES } from './deadline-profiles.js';
import { DeadlineTimerRepository } from './deadline-timer.repository.js';
import type { DeadlineJobData } from './deadline-timers.js';

export type DeadlineOutcome =
  { kind: 'done' } | { kind: 'early'; inMs: number } | { kind: 'stale' };

/**
 * A deadline timer fired. A reminder alerts the mailbox; an expiry closes the clock and does what
 * its profile says: escalate to supervisors, record a negative evidence (each node records its own,
 * as both run the same clock), or apply deemed consent where the agreement treats silence so.
 */
@Injectable()
export class HandleDeadlineDue {
  private readonly logger = new Logger(HandleDeadlineDue.name);

  constructor(
    private readonly cases: CaseRepository,
    private readonly timers: DeadlineTimerRepository,
    private readonly audit: AuditTrail,
    private readonly events: EventsPublisher,
    private readonly eventLog: MailboxEventLog,
    private readonly clock: Clock,
    @Inject(DEADLINE_PROFILES) private readonly profiles: DeadlineProfiles,
  ) {}

  async execute(job: DeadlineJobData): Promise<DeadlineOutcome> {
    const now = this.clock.now();
    if (now.getTime() < Date.parse(job.at))
      return { kind: 'early', inMs: Date.parse(job.at) - now.getTime() };
    // The mailbox event is recorded with the change: a stream resuming later replays it.
    const outcome = await this.cases.transaction(async (trx) => {
      const decided = await this.decide(trx, job, now);
      if (!decided) return undefined;
      const event = this.mailboxEvent(decided, now);
      // The audit entry and the mailbox event: one statement.
      await this.audit.recordAll([decided.entry], trx, [
        ...decided.alongside,
        this.eventLog.insertOf(event),
      ]);
      return { ...decided, event };
    });
    if (!outcome) return { kind: 'stale' };
    if (
      outcome.pattern === MailboxEventPattern.deadlineExpired &&
      outcome.actions.includes('escalate')
    ) {
      this.logger.warn(
        {
          alert: 'deadline-escalated',
          requestId: outcome.request.id,
          profileId: outcome.row.profile_id,
        },
        'deadline expired: escalated to supervisors',
      );
    }
    this.events.publish(outcome.event);
    return { kind: 'done' };
  }

  /** What the timer does, in the transaction; undefined when the timer is stale. */
  private async decide(trx: Transaction<Database>, job: DeadlineJobData, now: Date) {
    const row = await this.cases.lockDeadline(trx, job.deadlineId);
    if (!row || row.status !== 'running') return undefined;
    // The timer fires once: a duplicate job, or one queued before the timer moved, claims nothing.
    const timer = {
      deadlineId: job.deadlineId,
      kind: job.kind,
      rank: job.index,
      version: job.version,
    };
    if (!(await this.timers.claim(trx, timer, now))) return undefined;
    const request = (await this.cases.lockRequest(trx, row.request_id))!;
    const profile = this.profiles.get(row.profile_id);
    const calendar = deadlineCalendar(row.executing_state, row.time_zone);
    const clock = reviveClock(row.clock);
    const details = {
      requestId: row.request_id,
      profileId: profile.id,
      source: profile.source,
      check: profile.check,
      serviceLevel: profile.serviceLevel,
      dueAt: clock.dueAt.toISOString(),
      executingState: calendar.state,
      holidays: calendar.holidays,
    };

    if (job.kind === 'reminder') {
      const reminder = remindersDue(clock, profile, calendar)[job.index];
      if (!reminder || row.reminders_sent > job.index || reminder.at.toISOString() !== job.at)
        return undefined;
      await this.cases.markReminderSent(trx, row.id, job.index + 1);
      return {
        entry: {
          event: 'deadline.reminder',
          actor: 'system',
          details: { ...details, before: reminder.before },
        } satisfies AuditRecord,
        alongside: [],
        pattern: MailboxEventPattern.deadlineReminder,
        request,
        row,
        actions: [] as string[],
        dueAt: clock.dueAt,
      };
    }

    if (clock.dueAt.toISOString() !== job.at) return undefined;
    const expired = applyDeadlineEvent(clock, { type: 'expire', at: now }, profile, calendar);
    if (expired.status !== 'expired') return undefined;
    const saved = await this.cases.saveDeadline(trx, {
      id: row.id,
      requestId: row.request_id,
      profileId: row.profile_id,
      clock: expired,
      executingState: row.executing_state,
      timeZone: row.time_zone,
      at: now,
    });
    await this.timers.sync(trx, saved, request.authority);
    const actions = [...expiryActions(profile)];
    // Where the agreement treats silence as consent, the expiry is that consent; otherwise, or
    // where the procedure does not take it (no agreement named), the deadline simply expired.
    const before = request.state as unknown as ProcedureState;
    const consented = actions.includes('deemed-consent')
      ? this.applyIfAllowed(request, before, 'deemed-consent')
      : before;
    const state =
      consented !== before ? consented : this.applyIfAllowed(request, before, 'deadline-expired');
    await this.cases.updateState(trx, request.id, state, now);
    return {
      alongside: actions.includes('negative-evidence')
        ? [this.cases.negativeEvidenceInsertOf(request.id, now, details)]
        : [],
      entry: {
        event: 'deadline.expired',
        actor: 'system',
        details: { ...details, actions, requestStatus: state.status },
      } satisfies AuditRecord,
      pattern: MailboxEventPattern.deadlineExpired,
      request: { ...request, status: state.status },
      row: saved,
      actions,
      dueAt: clock.dueAt,
    };
  }

  private mailboxEvent(
    outcome: NonNullable<Awaited<ReturnType<HandleDeadlineDue['decide']>>>,
    now: Date,
  ): MailboxEvent {
    return {
      pattern: outcome.pattern,
      authorityId: outcome.request.authority,
      requestId: outcome.request.id,
      status: outcome.request.status,
      counterpart: outcome.request.counterparts.join(','),
      procedure: outcome.request.procedure,
      caseReference: outcome.request.case_reference,
      occurredAt: now.toISOString(),
      correlationId: null,
      deadline: {
        profileId: outcome.row.profile_id,
        dueAt: outcome.dueAt.toISOString(),
        source: this.profiles.get(outcome.row.profile_id).source,
        actions: outcome.actions,
      },
    };
  }

  /** System events a procedure does not take in its current state are not an error of the timer. */
  private applyIfAllowed(
    request: RequestRow,
    state: ProcedureState,
    event: 'deadline-expired' | 'deemed-consent',
  ): ProcedureState {
    try {
      return applySystemEvent({
        procedure: request.procedure as Procedure,
        state,
        event,
      });
    } catch (error) {
      if (isGatewayError(error)) return state;
      throw error;
    }
  }
}
