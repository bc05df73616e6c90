import { Inject, Injectable } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import { deadlineCalendar, remindersDue, type DeadlineProfiles } from '#libs/deadlines';
import { InjectDatabase, type Database, type Db, type JoinedWrite } from '#libs/persistence';
import { CaseRepository, reviveClock, type DeadlineRow } from './case.repository.js';
import { DEADLINE_PROFILES } from './deadline-profiles.js';

type Trx = Transaction<Database>;

/** A timer a clock calls for: its reminders not yet sent, and its expiry, while it runs. */
export interface PlannedTimer {
  kind: 'reminder' | 'expiry';
  /** The reminder's order, earliest first; 0 for the expiry. */
  rank: number;
  dueAt: Date;
}

/** An open timer as stored: what a job carries. */
export interface OpenTimer extends PlannedTimer {
  deadlineId: string;
  version: string;
}

/** What the clock of a deadline row calls for now; nothing unless it runs. */
export function plannedTimers(
  row: Pick<
    DeadlineRow,
    'status' | 'clock' | 'profile_id' | 'executing_state' | 'time_zone' | 'reminders_sent'
  >,
  profiles: DeadlineProfiles,
): PlannedTimer[] {
  if (row.status !== 'running') return [];
  const clock = reviveClock(row.clock);
  const reminders = remindersDue(
    clock,
    profiles.get(row.profile_id),
    deadlineCalendar(row.executing_state, row.time_zone),
  );
  return [
    ...reminders
      .map((reminder, rank) => ({ kind: 'reminder' as const, rank, dueAt: reminder.at }))
      .filter(({ rank }) => rank >= row.reminders_sent),
    { kind: 'expiry', rank: 0, dueAt: clock.dueAt },
  ];
}

/**
 * PostgreSQL adapter for deadline timers (migration 0014): the system of record of every reminder
 * and expiry. Rows follow their clock in the transaction that changes it; the horizon feed reads
 * them in due order; a firing claims its row with a conditional update, so that it fires once.
 */
@Injectable()
export class DeadlineTimerRepository {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly cases: CaseRepository,
    @Inject(DEADLINE_PROFILES) private readonly profiles: DeadlineProfiles,
  ) {}

  /**
   * The timer rows of a clock that does not exist yet, to be written with the clock's own row
   * (CaseRepository.newDeadlineOf); none when it plans none.
   */
  insertsOfNew(row: DeadlineRow, authority: string): JoinedWrite[] {
    const planned = plannedTimers(row, this.profiles);
    if (planned.length === 0) return [];
    return [
      (db) => db.insertInto('deadline_timers').values(this.timerRows(row, authority, planned)),
    ];
  }

  private timerRows(row: DeadlineRow, authority: string, planned: readonly PlannedTimer[]) {
    return planned.map((timer) => ({
      deadline_id: row.id,
      kind: timer.kind,
      rank: timer.rank,
      request_id: row.request_id,
      authority,
      due_at: timer.dueAt,
    }));
  }

  /**
   * Brings a deadline's timer rows in step with its clock: a timer moved (extension, resumption, a
   * new start) gets its new instant and a new version, a fired one the clock calls for again is
   * re-armed, and open timers the clock no longer calls for (met, cancelled, expired) are removed.
   * `fresh`: the clock was created in this transaction, so none of its timers can be stale.
   */
  async sync(
    trx: Trx,
    row: DeadlineRow,
    authority: string,
    { fresh = false }: { fresh?: boolean } = {},
  ): Promise<void> {
    const planned = plannedTimers(row, this.profiles);
    if (planned.length > 0) {
      await trx
        .insertInto('deadline_timers')
        .values(this.timerRows(row, authority, planned))
        .onConflict((oc) =>
          oc
            .columns(['deadline_id', 'kind', 'rank'])
            .doUpdateSet({
              due_at: (eb) => eb.ref('excluded.due_at'),
              fired_at: null,
              version: sql<string>`nextval('deadline_timer_versions')`,
            })
            .where((eb) =>
              eb.or([
                eb('deadline_timers.due_at', '<>', eb.ref('excluded.due_at')),
                eb('deadline_timers.fired_at', 'is not', null),
              ]),
            ),
        )
        .execute();
    }
    if (fresh) return;
    let stale = trx
      .deleteFrom('deadline_timers')
      .where('deadline_id', '=', row.id)
      .where('fired_at', 'is', null);
    if (planned.length > 0) {
      stale = stale.where((eb) =>
        eb.not(
          eb.or(planned.map((t) => eb.and([eb('kind', '=', t.kind), eb('rank', '=', t.rank)]))),
        ),
      );
    }
    await stale.execute();
  }

  /**
   * Marks the timer fired, if it is still open at this version: true for the one firing that
   * counts, false for a duplicate job, a job of a moved timer or one of a closed clock.
   */
  async claim(
    trx: Trx,
    timer: Pick<OpenTimer, 'deadlineId' | 'kind' | 'rank' | 'version'>,
    at: Date,
  ): Promise<boolean> {
    const result = await trx
      .updateTable('deadline_timers')
      .set({ fired_at: at })
      .where('deadline_id', '=', timer.deadlineId)
      .where('kind', '=', timer.kind)
      .where('rank', '=', timer.rank)
      .where('version', '=', timer.version)
      .where('fired_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Open timers due before `before`, oldest first: what belongs in Redis now. */
  async dueBefore(before: Date, limit: number): Promise<OpenTimer[]> {
    const rows = await this.db
      .selectFrom('deadline_timers')
      .select(['deadline_id', 'kind', 'rank', 'due_at', 'version'])
      .where('fired_at', 'is', null)
      .where('due_at', '<', before)
      .orderBy('due_at')
      .orderBy('deadline_id')
      .orderBy('kind')
      .orderBy('rank')
      .limit(limit)
      .execute();
    return rows.map(openTimer);
  }

  /**
   * The open timers of these deadlines due before `before` (just committed by a message). A clock's
   * open timers are its plan (`sync`), so only clocks planning one due by then are looked up.
   */
  async dueOf(deadlines: DeadlineRow[], before: Date): Promise<OpenTimer[]> {
    const deadlineIds = deadlines
      .filter((row) => plannedTimers(row, this.profiles).some((timer) => timer.dueAt < before))
      .map((row) => row.id);
    if (deadlineIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('deadline_timers')
      .select(['deadline_id', 'kind', 'rank', 'due_at', 'version'])
      .where('deadline_id', 'in', deadlineIds)
      .where('fired_at', 'is', null)
      .where('due_at', '<', before)
      .orderBy('due_at')
      .execute();
    return rows.map(openTimer);
  }

  /**
   * Compares the digests of the profiles in force with those the timers were derived with: the
   * running deadlines of a changed profile are marked for derivation. Returns how many were.
   */
  async flagChangedProfiles(digests: ReadonlyMap<string, string>, at: Date): Promise<number> {
    const known = await this.db
      .selectFrom('deadline_profile_digests')
      .select(['profile_id', 'digest'])
      .execute();
    const stored = new Map(known.map((row) => [row.profile_id, row.digest]));
    const differing = [...digests].filter(([id, digest]) => stored.get(id) !== digest);
    if (differing.length === 0) return 0;
    return this.cases.transaction(async (trx) => {
      // A profile seen for the first time has no deadline derived under another version of it.
      const changed = differing.map(([id]) => id).filter((id) => stored.has(id));
      let flagged = 0n;
      if (changed.length > 0) {
        const result = await trx
          .updateTable('deadlines')
          .set({ timers_pending: true })
          .where('profile_id', 'in', changed)
          .where('status', '=', 'running')
          .executeTakeFirst();
        flagged = result.numUpdatedRows;
      }
      await trx
        .insertInto('deadline_profile_digests')
        .values(
          differing.map(([profileId, digest]) => ({
            profile_id: profileId,
            digest,
            recorded_at: at,
          })),
        )
        .onConflict((oc) =>
          oc.column('profile_id').doUpdateSet({
            digest: (eb) => eb.ref('excluded.digest'),
            recorded_at: (eb) => eb.ref('excluded.recorded_at'),
          }),
        )
        .execute();
      return Number(flagged);
    });
  }

  /**
   * Derives the timer rows of up to `limit` running deadlines marked for it (stored before
   * migration 0014, or of a changed profile), soonest due first; returns how many it derived (0
   * when none is left). Rows locked by another deriver are skipped.
   */
  async derivePending(limit: number): Promise<number> {
    return this.cases.transaction(async (trx) => {
      const pending = await trx
        .selectFrom('deadlines')
        .innerJoin('requests', 'requests.id', 'deadlines.request_id')
        .select(['deadlines.id', 'requests.authority'])
        .where('deadlines.timers_pending', '=', true)
        .orderBy('deadlines.due_at')
        .limit(limit)
        .forUpdate('deadlines')
        .skipLocked()
        .execute();
      for (const { id, authority } of pending) {
        const row = await this.cases.lockDeadline(trx, id);
        if (row) await this.sync(trx, row, authority);
      }
      if (pending.length > 0) {
        await trx
          .updateTable('deadlines')
          .set({ timers_pending: false })
          .where(
            'id',
            'in',
            pending.map((p) => p.id),
          )
          .execute();
      }
      return pending.length;
    });
  }
}

function openTimer(row: {
  deadline_id: string;
  kind: 'reminder' | 'expiry';
  rank: number;
  due_at: Date;
  version: string;
}): OpenTimer {
  return {
    deadlineId: row.deadline_id,
    kind: row.kind,
    rank: row.rank,
    dueAt: row.due_at,
    version: row.version,
  };
}
