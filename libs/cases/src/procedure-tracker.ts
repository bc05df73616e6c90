import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Kysely, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { AuthorityDirectory } from '#libs/directory';
import {
  applyDeadlineEvent,
  clockEventFor,
  conditionHolds,
  deadlineCalendar,
  type DeadlineProfile,
  type DeadlineProfiles,
} from '#libs/deadlines';
import type { Procedure } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NodeIdentity } from '#libs/node-config';
import type { Database, JoinedWrite } from '#libs/persistence';
import {
  applyMessage,
  applySystemEvent,
  type ProcedureState,
  type SenderRole,
  type StateOf,
} from '#libs/procedures';
import {
  CaseRepository,
  reviveClock,
  type DeadlineRow,
  type RequestRow,
  type NewRequest,
} from './case.repository.js';
import { DEADLINE_PROFILES, DEFAULT_DEADLINE_PROFILES } from './deadline-profiles.js';
import { DeadlineTimerRepository } from './deadline-timer.repository.js';

type Trx = Transaction<Database>;

export interface TrackedMessage {
  requestId: string;
  procedure: Procedure;
  messageType: string;
  body: Record<string, unknown>;
  /** The sending authority. */
  sender: string;
  /** The hosted authority whose request this is: the sender if outbound, the recipient if inbound. */
  authority: string;
  /** For the message that opens a request: the other party or parties. */
  counterparts: string[];
  caseReference: string | null;
  deadlineProfiles: string[];
  direction: 'outbound' | 'inbound';
  at: Date;
  /**
   * When the message is delivered as it is stored: a receiving node issues the receipt of an
   * opening message in the storing transaction, so the procedure's `delivered` event applies with
   * it, at that instant.
   */
  deliveredAt?: Date;
  /**
   * The message opens a request under an id no request has here (one just made for it, or a
   * received opening message's own id after the copy check): there is no row to look up. Were
   * there one, storing the request fails on its unique id.
   */
  opensNewRequest?: boolean;
}

export interface TrackingResult {
  role: SenderRole;
  /** The state the message led to (what `deliveredAt` applies with it is stored, not shown here). */
  state: ProcedureState;
  deadlineProfiles: string[];
  /** Deadlines started, paused, resumed or met by this message: their timers are queued if due soon. */
  deadlines: DeadlineRow[];
  /**
   * The rows of a request this message opens (its case if new, the request, its clocks and their
   * timers), for the caller to write in the statement that stores the message: nothing is written
   * for it until then. Empty when the message moves an existing request (written under its lock).
   */
  opening: JoinedWrite[];
}

/** A request's row is locked, and its changes written, only in a transaction. */
function transactionOf(db: Kysely<Database>): Trx {
  if (!db.isTransaction) throw new Error('an existing request is moved in a transaction only');
  return db as Trx;
}

/** Clock statuses no message reopens. */
const CLOSED_CLOCKS: readonly string[] = ['met', 'expired', 'cancelled'];

/** The state once the opening message is delivered; procedures without that stage (or past it) keep theirs. */
function afterDelivery(procedure: Procedure, state: ProcedureState): ProcedureState {
  try {
    return applySystemEvent({ procedure, state, event: 'delivered' });
  } catch (error) {
    if (error instanceof GatewayError && error.code === ErrorCode.PROCEDURE_TRANSITION_REFUSED)
      return state;
    throw error;
  }
}

/** The role of the other side, as seen from a role. */
function counterpartRole(role: SenderRole): SenderRole {
  return role === 'requesting' ? 'requested' : role === 'requested' ? 'requesting' : 'member';
}

/**
 * Keeps each request's procedure state and deadline clocks in step with its signed messages. The
 * same code runs on the sending node (before sealing) and on the receiving node (after opening),
 * and what it changes is stored with the message (in its transaction, or in its one statement for a
 * request the message opens), so both nodes hold the same state.
 */
@Injectable()
export class ProcedureTracker {
  private readonly logger = new Logger(ProcedureTracker.name);

  constructor(
    private readonly cases: CaseRepository,
    private readonly timers: DeadlineTimerRepository,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    @Inject(DEADLINE_PROFILES) private readonly profiles: DeadlineProfiles,
  ) {}

  /** A new request id for an opening message, or the given one. */
  newRequestId(at: Date): string {
    return uuidv7({ msecs: at.getTime() });
  }

  /**
   * Moves the request the message belongs to, or opens it. `db` is a transaction when the message
   * may belong to an existing request (its row is locked); a message that opens a new request
   * (`opensNewRequest`) reads at most its condition's text, and its rows come back in `opening`,
   * so it may be tracked outside a transaction and stored by one statement.
   */
  async track(db: Kysely<Database>, message: TrackedMessage): Promise<TrackingResult> {
    const existing = message.opensNewRequest
      ? undefined
      : await this.cases.lockRequest(transactionOf(db), message.requestId);
    if (existing) {
      const trx = transactionOf(db);
      const result = await this.advance(trx, existing, message);
      const deadlines = await this.moveClocks(
        trx,
        message,
        result.role,
        result.deadlineProfiles,
        existing,
      );
      return { ...result, deadlines, opening: [] };
    }
    const { request, ...result } = this.opening(message);
    const clocks: JoinedWrite[] = [];
    const deadlines = await this.moveClocks(
      db,
      message,
      result.role,
      result.deadlineProfiles,
      undefined,
      clocks,
    );
    return { ...result, deadlines, opening: [...this.cases.requestInsertsOf(request), ...clocks] };
  }

  /**
   * The receipt of the opening message was verified by the sender: the request's move, if the
   * procedure has one, for the caller to write with the receipt (its row stays locked until then).
   */
  async delivered(trx: Trx, requestId: string, at: Date): Promise<JoinedWrite[]> {
    const request = await this.cases.lockRequest(trx, requestId);
    if (!request) return [];
    const before = request.state as unknown as ProcedureState;
    const state = afterDelivery(request.procedure as Procedure, before);
    return state === before ? [] : [this.cases.stateUpdateOf(requestId, state, at)];
  }

  /** The request a message opens, as it is to be stored. */
  private opening(message: TrackedMessage): Omit<TrackingResult, 'deadlines' | 'opening'> & {
    request: NewRequest;
  } {
    const jit = message.procedure === 'jit';
    const role: SenderRole = jit
      ? 'member'
      : message.direction === 'outbound'
        ? 'requesting'
        : 'requested';
    const senderRole: SenderRole = message.direction === 'outbound' ? role : counterpartRole(role);
    if (!message.caseReference) {
      throw new GatewayError(
        ErrorCode.VALIDATION_FAILED,
        'a message that opens a request names its case',
        [{ field: 'caseReference' }],
      );
    }
    const deadlineProfiles =
      message.deadlineProfiles.length > 0
        ? message.deadlineProfiles
        : (DEFAULT_DEADLINE_PROFILES[message.procedure] ?? []);
    for (const id of deadlineProfiles) {
      const profile = this.profiles.has(id) ? this.profiles.get(id) : undefined;
      if (!profile || profile.procedure !== message.procedure) {
        throw new GatewayError(
          ErrorCode.VALIDATION_FAILED,
          `${id} is not a deadline profile of ${message.procedure}`,
          [{ field: 'deadlineProfiles' }],
        );
      }
    }
    const applied = applyMessage({
      procedure: message.procedure,
      messageType: message.messageType,
      senderRole,
      sender: message.sender,
      body: message.body,
    });
    const state = message.deliveredAt ? afterDelivery(message.procedure, applied) : applied;
    const suggested = (message.body.suggestedDeadline ?? null) as {
      date: string;
      reasons: string;
    } | null;
    return {
      role,
      state: applied,
      deadlineProfiles,
      request: {
        id: message.requestId,
        authority: message.authority,
        caseReference: message.caseReference,
        openedBy: message.sender,
        procedure: message.procedure,
        role,
        counterparts:
          this.jitMembers(state, message.authority) ??
          (message.direction === 'outbound' ? message.counterparts : [message.sender]),
        deadlineProfiles,
        state,
        suggestedDeadline: suggested,
        at: message.at,
        updatedAt: state === applied ? message.at : message.deliveredAt,
      },
    };
  }

  private async advance(
    trx: Trx,
    request: RequestRow,
    message: TrackedMessage,
  ): Promise<Omit<TrackingResult, 'deadlines' | 'opening'>> {
    const role = request.role;
    // A request of another authority served by this node is not there for this one.
    if (request.authority !== message.authority) {
      throw new GatewayError(ErrorCode.REQUEST_NOT_FOUND, `no request ${request.id}`, [
        { field: 'requestId' },
      ]);
    }
    if (request.procedure !== message.procedure) {
      throw new GatewayError(
        ErrorCode.PROCEDURE_TRANSITION_REFUSED,
        `request ${request.id} is a ${request.procedure} request, not ${message.procedure}`,
        [{ field: 'procedure' }],
      );
    }
    // JIT membership is the procedure's own rule (the agreement's parties); elsewhere the parties are fixed.
    if (
      message.procedure !== 'jit' &&
      message.direction === 'inbound' &&
      !request.counterparts.includes(message.sender)
    ) {
      throw new GatewayError(
        ErrorCode.PROCEDURE_TRANSITION_REFUSED,
        `${message.sender} is not a party to request ${request.id}`,
        [{ field: 'sender' }],
      );
    }
    const senderRole = message.direction === 'outbound' ? role : counterpartRole(role);
    const applied = applyMessage({
      procedure: message.procedure,
      state: request.state as unknown as StateOf<Procedure>,
      messageType: message.messageType,
      senderRole,
      sender: message.sender,
      body: message.body,
    });
    const state = message.deliveredAt ? afterDelivery(message.procedure, applied) : applied;
    await this.cases.updateState(
      trx,
      request.id,
      state,
      state === applied ? message.at : message.deliveredAt!,
      this.jitMembers(state, request.authority),
    );
    return { role, state: applied, deadlineProfiles: request.deadline_profiles };
  }

  private async moveClocks(
    db: Kysely<Database>,
    message: TrackedMessage,
    role: SenderRole,
    profileIds: string[],
    existing: RequestRow | undefined,
    /** For a request being opened: its clocks' rows go here, written with the request's. */
    opening?: JoinedWrite[],
  ): Promise<DeadlineRow[]> {
    const changed: DeadlineRow[] = [];
    // A request this message opens has no clock yet.
    const rows = existing ? await this.cases.deadlinesOf(message.requestId, db) : [];
    for (const id of profileIds) {
      const profile = this.profiles.get(id);
      const event = clockEventFor(profile, message.messageType);
      if (!event) continue;
      const row = rows.find((r) => r.profile_id === id);
      if (!row && event !== 'start') continue;
      // A closed clock stays as it closed: a late answer is recorded in the thread, not on the clock.
      if (row && event !== 'start' && CLOSED_CLOCKS.includes(row.status)) continue;
      // A clock whose profile has a condition starts only where the text it names says so (the
      // freezing certificate marks freezing urgent, Reg. (EU) 2018/1805 art. 9).
      if (event === 'start' && !(await this.conditionHolds(db, profile, message))) continue;
      // A start event on an existing clock is a new text or a new request (an amended JIT agreement,
      // a follow-up freeze): the clock starts afresh, with its reminders.
      const restart = row !== undefined && event === 'start';
      const executingState = row?.executing_state ?? this.executingState(role, message, existing);
      const calendar = deadlineCalendar(executingState, row?.time_zone);
      if (event === 'start' && calendar.holidays === 'weekends-only') {
        this.logger.warn(
          {
            alert: 'deadline-calendar-fallback',
            requestId: message.requestId,
            profileId: id,
            executingState,
            timeZone: calendar.timeZone,
          },
          'no public-holiday calendar for the executing State: working days count weekends only',
        );
      }
      const suggestedDueAt =
        event === 'start' && profile.useSuggestedDeadline
          ? this.suggestedDueAt(message.body)
          : undefined;
      const clock = applyDeadlineEvent(
        row && !restart ? reviveClock(row.clock) : undefined,
        event === 'start'
          ? { type: 'start', at: message.at, ...(suggestedDueAt ? { suggestedDueAt } : {}) }
          : event === 'extend'
            ? {
                type: 'extend',
                at: message.at,
                reason: this.reasonsOf(message.body),
                by: message.sender,
              }
            : { type: event, at: message.at },
        profile,
        calendar,
      );
      const deadline = {
        id: row?.id ?? uuidv7({ msecs: message.at.getTime() }),
        requestId: message.requestId,
        profileId: id,
        clock,
        executingState,
        timeZone: calendar.timeZone,
        at: message.at,
      };
      if (opening) {
        const fresh = this.cases.newDeadlineOf(deadline);
        opening.push(fresh.insert, ...this.timers.insertsOfNew(fresh.row, message.authority));
        changed.push(fresh.row);
        continue;
      }
      const trx = transactionOf(db);
      if (restart) await this.cases.markReminderSent(trx, row.id, 0);
      const saved = await this.cases.saveDeadline(trx, deadline);
      // The timers move with the clock, in its transaction: PostgreSQL is their record.
      await this.timers.sync(trx, saved, message.authority, { fresh: row === undefined });
      changed.push(saved);
    }
    return changed;
  }

  /** The profile's condition, read from the current message or the latest one it names. */
  private async conditionHolds(
    db: Kysely<Database>,
    profile: DeadlineProfile,
    message: TrackedMessage,
  ): Promise<boolean> {
    const when = profile.when;
    if (when === undefined) return true;
    const body =
      when.message === message.messageType
        ? message.body
        : await this.cases.latestBodyOf(db, message.requestId, message.authority, when.message);
    return conditionHolds(when, body);
  }

  /** A JIT's counterparts are its other parties, as the proposal and then the agreement name them. */
  private jitMembers(state: ProcedureState, own: string): string[] | undefined {
    if (state.procedure !== 'jit') return undefined;
    return state.parties.filter((party) => party !== own);
  }

  /** Deadlines run on the calendar of the State that must act: the requested side's. */
  private executingState(
    role: SenderRole,
    message: TrackedMessage,
    existing: RequestRow | undefined,
  ): string {
    const own = this.identity.hostedAuthority(message.authority).state;
    if (role === 'requested') return own;
    if (role === 'requesting')
      return this.stateOf(existing?.counterparts[0] ?? message.counterparts[0]) ?? own;
    // JIT: the team's clocks run on the calendar of the State whose member proposed it.
    return existing && existing.counterparts.length > 0 && message.direction === 'inbound'
      ? (this.stateOf(message.sender) ?? own)
      : own;
  }

  private stateOf(authorityId: string | undefined): string | undefined {
    return authorityId ? this.directory.find(authorityId)?.state : undefined;
  }

  private reasonsOf(body: Record<string, unknown>): string {
    return typeof body.reasons === 'string' ? body.reasons : '';
  }

  /** A date-only deadline counts to the end of that day, UTC. */
  private suggestedDueAt(body: Record<string, unknown>): Date | undefined {
    // MLA: the requesting State's suggested deadline (18(24)); JIT: the agreement's last day.
    const date =
      (body.suggestedDeadline as { date?: string } | undefined)?.date ??
      (body.duration as { end?: string } | undefined)?.end;
    if (!date) return undefined;
    const end = Date.parse(`${date}T23:59:59.999Z`);
    return Number.isNaN(end) ? undefined : new Date(end);
  }
}
