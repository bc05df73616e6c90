import { Injectable } from '@nestjs/common';
import { OutOfScopeError, rowInScope, type AccessScope } from '#libs/access';
import { sql, type Transaction } from 'kysely';
import type { DeadlineClock } from '#libs/deadlines';
import type { EnvelopePayload } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  ColumnCipher,
  InjectDatabase,
  type Database,
  type Db,
  type DeadlineRow as StoredDeadlineRow,
  type RequestRow as StoredRequestRow,
  visibleTo,
  type JoinedWrite,
} from '#libs/persistence';
import type { ProcedureState, SenderRole } from '#libs/procedures';

type Trx = Transaction<Database>;

/** Rows as the repository hands them out: the columns sealed at rest are opened. */
export type RequestRow = Omit<StoredRequestRow, 'state' | 'suggested_deadline'> & {
  state: Record<string, unknown>;
  suggested_deadline: { date: string; reasons: string } | null;
};
export type DeadlineRow = Omit<StoredDeadlineRow, 'clock'> & { clock: Record<string, unknown> };

export interface NewRequest {
  id: string;
  authority: string;
  caseReference: string;
  openedBy: string;
  procedure: string;
  role: SenderRole;
  counterparts: string[];
  deadlineProfiles: string[];
  state: ProcedureState;
  suggestedDeadline: { date: string; reasons: string } | null;
  at: Date;
  /** When the request last changed, if not when it opened (delivered as it was stored). */
  updatedAt?: Date;
}

/** A clock as it is saved. */
export interface SavedClock {
  id: string;
  requestId: string;
  profileId: string;
  clock: DeadlineClock;
  executingState: string;
  timeZone: string;
  at: Date;
}

export interface RequestFilter {
  procedure?: string;
  status?: string;
  /** Requests with a running deadline due before this instant. */
  dueBefore?: Date;
  /** Requests with a running deadline already past due. */
  overdueAt?: Date;
  limit: number;
}

/** Dates inside a clock are stored as ISO strings (JSON). */
export function reviveClock(stored: Record<string, unknown>): DeadlineClock {
  const date = (value: unknown) => (typeof value === 'string' ? new Date(value) : undefined);
  const clock = stored as unknown as DeadlineClock & Record<string, unknown>;
  return {
    ...clock,
    startedAt: date(clock.startedAt)!,
    dueAt: date(clock.dueAt)!,
    ...(clock.pausedAt ? { pausedAt: date(clock.pausedAt) } : {}),
    ...(clock.suggestedDueAt ? { suggestedDueAt: date(clock.suggestedDueAt) } : {}),
    ...(clock.closedAt ? { closedAt: date(clock.closedAt) } : {}),
    extensions: (clock.extensions ?? []).map((e) => ({ ...e, at: date(e.at)! })),
  };
}

/** PostgreSQL adapter for cases, the requests (procedure threads) in them, and their deadlines. */
@Injectable()
export class CaseRepository {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /**
   * The negative evidence of an expired deadline, on the request's latest message if it has one:
   * to be written with the expiry's other rows (AuditTrail.recordAll).
   */
  negativeEvidenceInsertOf(
    requestId: string,
    at: Date,
    details: Record<string, unknown>,
  ): JoinedWrite {
    return (db) =>
      db
        .insertInto('evidences')
        .columns(['message_id', 'kind', 'occurred_at', 'details'])
        .expression((eb) =>
          eb
            .selectFrom('messages')
            .select((eb) => [
              'id',
              eb.val('deadline-expired').as('kind'),
              // Typed here: a parameter in a select list would be read as text.
              sql<Date>`${at}::timestamptz`.as('occurred_at'),
              sql<string>`${JSON.stringify(details)}::jsonb`.as('details'),
            ])
            .where('request_id', '=', requestId)
            .orderBy('created_at', 'desc')
            .limit(1),
        );
  }

  async lockRequest(trx: Trx, requestId: string): Promise<RequestRow | undefined> {
    const row = await trx
      .selectFrom('requests')
      .selectAll()
      .where('id', '=', requestId)
      .forUpdate()
      .executeTakeFirst();
    return row && this.openRequest(row);
  }

  /** The rows of a new request and of its case if it is the case's first, to be written together. */
  requestInsertsOf(request: NewRequest): JoinedWrite[] {
    return [
      (db) =>
        db
          .insertInto('cases')
          .values({
            reference: request.caseReference,
            opened_at: request.at,
            opened_by: request.openedBy,
          })
          .onConflict((oc) => oc.column('reference').doNothing()),
      (db) =>
        db.insertInto('requests').values({
          id: request.id,
          authority: request.authority,
          case_reference: request.caseReference,
          procedure: request.procedure,
          role: request.role,
          counterparts: request.counterparts,
          deadline_profiles: request.deadlineProfiles,
          status: request.state.status,
          state: this.cipher.seal('requests.state', request.id, request.state),
          suggested_deadline: request.suggestedDeadline
            ? this.cipher.seal('requests.suggested_deadline', request.id, request.suggestedDeadline)
            : null,
          opened_at: request.at,
          updated_at: request.updatedAt ?? request.at,
        }),
    ];
  }

  async updateState(
    trx: Trx,
    requestId: string,
    state: ProcedureState,
    at: Date,
    counterparts?: string[],
  ): Promise<void> {
    await this.stateUpdateOf(requestId, state, at, counterparts)(trx).execute();
  }

  /** The same update as a write joined to the change it belongs to (writeTogether). */
  stateUpdateOf(
    requestId: string,
    state: ProcedureState,
    at: Date,
    counterparts?: string[],
  ): JoinedWrite {
    return (db) =>
      db
        .updateTable('requests')
        .set({
          status: state.status,
          state: this.cipher.seal('requests.state', requestId, state),
          updated_at: at,
          ...(counterparts ? { counterparts } : {}),
        })
        .where('id', '=', requestId);
  }

  async findRequest(requestId: string): Promise<RequestRow | undefined> {
    const row = await this.db
      .selectFrom('requests')
      .selectAll()
      .where('id', '=', requestId)
      .executeTakeFirst();
    return row && this.openRequest(row);
  }

  /** A request the scope may see; any other is reported as missing, so that none is revealed. */
  async requireRequest(requestId: string, scope: AccessScope): Promise<RequestRow> {
    const row = await this.db
      .selectFrom('requests')
      .selectAll()
      .where('id', '=', requestId)
      .where(visibleTo(scope))
      .executeTakeFirst();
    if (row) return this.openRequest(row);
    // Another authority's request and a missing one take the same path, one more look-up to tell
    // them apart for the audit trail: neither answers faster than the other.
    const exists = await this.db
      .selectFrom('requests')
      .select('id')
      .where('id', '=', requestId)
      .executeTakeFirst();
    const message = `request ${requestId} does not exist`;
    throw exists
      ? new OutOfScopeError(ErrorCode.REQUEST_NOT_FOUND, message)
      : new GatewayError(ErrorCode.REQUEST_NOT_FOUND, message);
  }

  listRequests(filter: RequestFilter, scope: AccessScope): Promise<RequestRow[]> {
    let query = this.db
      .selectFrom('requests')
      .selectAll()
      .where(visibleTo(scope))
      .orderBy('updated_at', 'desc')
      .limit(filter.limit);
    if (filter.procedure) query = query.where('procedure', '=', filter.procedure);
    if (filter.status) query = query.where('status', '=', filter.status);
    const due = filter.dueBefore ?? filter.overdueAt;
    if (due) {
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('deadlines')
            .select('deadlines.id')
            .whereRef('deadlines.request_id', '=', 'requests.id')
            .where('deadlines.status', 'in', ['running', ...(filter.overdueAt ? ['expired'] : [])])
            .where('deadlines.due_at', '<=', due),
        ),
      );
    }
    return query.execute().then((rows) => rows.map((row) => this.openRequest(row)));
  }

  /**
   * Whether a scope may read or record a case's facts: a case of its authority with a request it
   * may see, or one with no request yet (being prepared); a liaison officer, only their JITs.
   */
  async caseVisible(reference: string, scope: AccessScope): Promise<boolean> {
    if (scope.jitCases.includes(reference)) return true;
    if (scope.procedures.length === 0) return false;
    const rows = await this.db
      .selectFrom('requests')
      .select(['procedure', 'case_reference', 'authority'])
      .where('case_reference', '=', reference)
      .where('authority', '=', scope.authorityId)
      .execute();
    return rows.length === 0 || rows.some((row) => rowInScope(scope, row));
  }

  requestsOfCase(reference: string, scope: AccessScope): Promise<RequestRow[]> {
    return this.db
      .selectFrom('requests')
      .selectAll()
      .where('case_reference', '=', reference)
      .where(visibleTo(scope))
      .orderBy('opened_at')
      .execute()
      .then((rows) => rows.map((row) => this.openRequest(row)));
  }

  thread(requestId: string) {
    return this.db
      .selectFrom('messages')
      .select([
        'id',
        'direction',
        'status',
        'message_type',
        'sender',
        'recipient',
        'created_at',
        'in_reply_to',
      ])
      .where('request_id', '=', requestId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /**
   * The body of the authority's latest message of a type in a request (the freezing certificate a
   * deadline profile's condition reads), or undefined when the request has none.
   */
  async latestBodyOf(
    db: Db,
    requestId: string,
    authority: string,
    messageType: string,
  ): Promise<Record<string, unknown> | undefined> {
    const row = await db
      .selectFrom('messages')
      .select(['id', 'payload'])
      .where('request_id', '=', requestId)
      .where('authority', '=', authority)
      .where('message_type', '=', messageType)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && this.cipher.open<EnvelopePayload>('messages.payload', row.id, row.payload).body;
  }

  deadlinesOf(requestId: string, db: Db = this.db): Promise<DeadlineRow[]> {
    return db
      .selectFrom('deadlines')
      .selectAll()
      .where('request_id', '=', requestId)
      .orderBy('profile_id')
      .execute()
      .then((rows) => rows.map((row) => this.openDeadline(row)));
  }

  lockDeadline(trx: Trx, deadlineId: string): Promise<DeadlineRow | undefined> {
    return trx
      .selectFrom('deadlines')
      .selectAll()
      .where('id', '=', deadlineId)
      .forUpdate()
      .executeTakeFirst()
      .then((row) => row && this.openDeadline(row));
  }

  async saveDeadline(trx: Trx, deadline: SavedClock): Promise<DeadlineRow> {
    const columns = this.deadlineColumns(deadline);
    const { status, due_at, clock, updated_at } = columns;
    return trx
      .insertInto('deadlines')
      .values(columns)
      .onConflict((oc) => oc.column('id').doUpdateSet({ status, due_at, clock, updated_at }))
      .returningAll()
      .executeTakeFirstOrThrow()
      .then((row) => this.openDeadline(row));
  }

  /**
   * A clock that does not exist yet: its row to be written with the request's other rows, and the
   * row as saving it would return.
   */
  newDeadlineOf(deadline: SavedClock): { insert: JoinedWrite; row: DeadlineRow } {
    const columns = this.deadlineColumns(deadline);
    return {
      insert: (db) => db.insertInto('deadlines').values(columns),
      row: {
        ...columns,
        // As the sealed column opens: the clock's JSON.
        clock: JSON.parse(JSON.stringify(deadline.clock)) as Record<string, unknown>,
        reminders_sent: 0,
        timers_pending: false,
      },
    };
  }

  /** A clock's columns as stored, the clock sealed. */
  private deadlineColumns(deadline: SavedClock) {
    return {
      id: deadline.id,
      request_id: deadline.requestId,
      profile_id: deadline.profileId,
      executing_state: deadline.executingState,
      time_zone: deadline.timeZone,
      status: deadline.clock.status,
      due_at: deadline.clock.dueAt,
      clock: this.cipher.seal('deadlines.clock', deadline.id, deadline.clock),
      updated_at: deadline.at,
    };
  }

  async markReminderSent(trx: Trx, deadlineId: string, count: number): Promise<void> {
    await trx
      .updateTable('deadlines')
      .set({ reminders_sent: count })
      .where('id', '=', deadlineId)
      .execute();
  }

  /** Every running deadline, in batches: what the timers are re-derived from. */
  async *runningDeadlines(batchSize = 5000): AsyncGenerator<DeadlineRow[]> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await this.db
        .selectFrom('deadlines')
        .selectAll()
        .where('status', '=', 'running')
        .where('id', '>', after)
        .orderBy('id')
        .limit(batchSize)
        .execute();
      if (rows.length === 0) return;
      yield rows.map((row) => this.openDeadline(row));
      after = rows[rows.length - 1].id;
    }
  }

  private openRequest(row: StoredRequestRow): RequestRow {
    return {
      ...row,
      state: this.cipher.open('requests.state', row.id, row.state),
      suggested_deadline: row.suggested_deadline
        ? this.cipher.open('requests.suggested_deadline', row.id, row.suggested_deadline)
        : null,
    };
  }

  private openDeadline(row: StoredDeadlineRow): DeadlineRow {
    return { ...row, clock: this.cipher.open('deadlines.clock', row.id, row.clock) };
  }
}
