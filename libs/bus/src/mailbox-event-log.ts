import { Injectable } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import {
  InjectDatabase,
  writeTogether,
  type Database,
  type Db,
  type JoinedWrite,
} from '#libs/persistence';
import type { MailboxEvent } from './events.js';

/** A mailbox event with its place in the stream: the SSE `id:` a client resumes from. */
export interface SequencedEvent {
  seq: string;
  event: MailboxEvent;
}

type Executor = Transaction<Database> | Db;

/** How long events stay replayable: a stream resuming from an older id resumes from the oldest kept. */
export const MAILBOX_EVENT_RETENTION_MS = 7 * 24 * 3600_000;

const SEQUENCE_BATCH = 1000;

/**
 * The mailbox events in PostgreSQL, the record of what officers are told live. An event is written
 * in the transaction of the change it reports, so that no event of a committed change can be lost,
 * whatever becomes of Redis or of a process; the Redis bus only wakes the streams up sooner.
 */
@Injectable()
export class MailboxEventLog {
  constructor(@InjectDatabase() private readonly db: Db) {}

  /** Records the event with the change, in the change's transaction. */
  async record(trx: Executor, event: MailboxEvent): Promise<void> {
    await writeTogether(trx, [this.insertOf(event)]);
  }

  /** The event's row, to be written with the change's other rows (AuditTrail.recordAll). */
  insertOf(event: MailboxEvent): JoinedWrite {
    return (db) =>
      db.insertInto('mailbox_events').values({
        authority_id: event.authorityId,
        pattern: event.pattern,
        event: JSON.stringify(event),
        recorded_at: new Date(event.occurredAt),
      });
  }

  /**
   * Gives the committed events their place in the stream, in the order they became visible. One
   * sequencer at a time per node (a transaction-scoped advisory lock, released at commit): a caller
   * that finds it taken returns at once, the holder does the work. Returns how many were placed.
   */
  async sequence(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const { rows } = await sql<{ locked: boolean }>`
        select pg_try_advisory_xact_lock(hashtextextended(current_schema() || ':mailbox-events', 0)) as locked`.execute(
        trx,
      );
      if (!rows[0]?.locked) return 0;
      const placed = await sql`
        with head as (select coalesce(max(seq), 0) as seq from mailbox_events),
             pending as (
               select id, row_number() over (order by id) as n from mailbox_events
               where seq is null order by id limit ${SEQUENCE_BATCH})
        update mailbox_events e set seq = head.seq + pending.n
        from pending, head
        where e.id = pending.id`.execute(trx);
      return Number(placed.numAffectedRows ?? 0);
    });
  }

  /** The last place given, or 0 when there is none. */
  async head(): Promise<string> {
    return (await this.state()).head;
  }

  /** Whether events wait for their place, and the last place given: what a reader has to do. */
  async state(): Promise<{ unsequenced: boolean; head: string }> {
    const { rows } = await sql<{ unsequenced: boolean; head: string }>`
      select exists(select 1 from mailbox_events where seq is null) as unsequenced,
             (select coalesce(max(seq), 0)::text from mailbox_events) as head`.execute(this.db);
    return rows[0];
  }

  /** Sequenced events after `seq`, in order, of the given authorities. */
  async after(
    seq: string,
    authorities: readonly string[],
    limit: number,
  ): Promise<SequencedEvent[]> {
    if (authorities.length === 0) return [];
    const rows = await this.db
      .selectFrom('mailbox_events')
      .select(['seq', 'event'])
      .where(sql<boolean>`seq > ${seq}::bigint`)
      .where('authority_id', 'in', [...authorities])
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      seq: String(row.seq),
      event: row.event as unknown as MailboxEvent,
    }));
  }

  /**
   * Removes the events older than the retention period, never the last sequenced one: the stream's
   * places keep growing, so that an id a client holds never names a later event.
   */
  async prune(now: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('mailbox_events')
      .where('recorded_at', '<', new Date(now.getTime() - MAILBOX_EVENT_RETENTION_MS))
      .where(sql<boolean>`seq < (select max(seq) from mailbox_events)`)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
