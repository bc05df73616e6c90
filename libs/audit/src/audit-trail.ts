import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Clock } from '#libs/node-config';
import { countAuditEvent } from '#libs/observability';
import {
  ColumnCipher,
  InjectDatabase,
  writeTogether,
  type AuditRow,
  type Db,
  type JoinedWrite,
} from '#libs/persistence';
import {
  annexDigest,
  ChainVerifier,
  hashEntry,
  type AuditEntry,
  type AuditRecord,
  type ChainVerification,
} from './chain.js';

/** The database or the transaction of the change an entry describes. */
export type AuditExecutor = Pick<Db, 'insertInto' | 'selectFrom' | 'updateTable' | 'with'>;

/**
 * Told of every entry, inside the transaction that writes it (when there is one), so that what an
 * event causes (a notification in the outbox) commits or rolls back with it. An observer that
 * fails fails the change, as the entry itself would.
 */
export interface AuditObserver {
  recorded(record: AuditRecord, trx: AuditExecutor): Promise<void>;
}

/**
 * The append-only audit trail. An entry is written in the same transaction as the change it
 * describes (if it cannot be written, the change does not happen); the chainer then gives it its
 * place in the hash chain, in commit order, within a fraction of a second. Writers never wait on
 * one another for the chain head.
 */
@Injectable()
export class AuditTrail {
  private readonly observers: AuditObserver[] = [];
  /** The last chaining found nothing: the next one looks before it locks. */
  private idle = true;

  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly clock: Clock,
    private readonly cipher: ColumnCipher,
  ) {}

  /** Registered once at start-up (e.g. by the notifications module when e-mail is configured). */
  observe(observer: AuditObserver): void {
    this.observers.push(observer);
  }

  async record(record: AuditRecord, trx: AuditExecutor = this.db): Promise<void> {
    await this.recordAll([record], trx);
  }

  /**
   * Several entries of one change, written by one statement in their order, with the change's
   * other writes when given (`alongside`: the message, its receipt, its mailbox event...). A
   * `main` write goes last, as the statement itself: the rows it changed are returned, so that
   * a change conditional on a row's state (a message still waiting for its receipt) is judged.
   */
  async recordAll(
    records: readonly AuditRecord[],
    trx: AuditExecutor = this.db,
    alongside: readonly JoinedWrite[] = [],
    main?: JoinedWrite,
  ): Promise<bigint> {
    if (records.length === 0) return 0n;
    const now = this.clock.now();
    const entries: JoinedWrite = (db) =>
      db.insertInto('audit_log').values(
        records.map((record) => {
          const annexSha256 = record.annex && annexDigest(record.annex);
          return {
            occurred_at: now,
            event: record.event,
            actor: record.actor,
            message_id: record.messageId ?? null,
            correlation_id: record.correlationId ?? null,
            details: JSON.stringify(
              annexSha256 ? { ...record.details, annexSha256 } : (record.details ?? {}),
            ),
            // Sealed under its digest: an annex moved to another entry does not open there.
            annex: annexSha256
              ? this.cipher.seal('audit_log.annex', annexSha256, record.annex)
              : null,
          };
        }),
      );
    const changed = await writeTogether(trx, [...alongside, entries, ...(main ? [main] : [])]);
    for (const record of records) {
      // Counted when written: an entry of a transaction that then rolls back is counted too.
      countAuditEvent(record.event, record.details);
      for (const observer of this.observers) await observer.recorded(record, trx);
    }
    return changed;
  }

  /**
   * Chains the entries written since the last run, in the order they became visible. One chainer
   * at a time per node (the head's row lock: a second one waits, then reads the head and the
   * entries the first left); safe to call from every process.
   */
  async chainPending(batchSize = 2000): Promise<number> {
    let chained = 0;
    for (;;) {
      // An idle node (nothing chained last time) first looks, without a transaction or a lock.
      if (this.idle && !(await this.anyUnchained())) return chained;
      const count = await this.db.transaction().execute(async (trx) => {
        const head = await trx
          .selectFrom('audit_head')
          .select(['seq', 'hash'])
          .where('id', '=', 1)
          .forUpdate()
          .executeTakeFirstOrThrow();
        const rows = await trx
          .selectFrom('audit_log')
          .selectAll()
          .where('seq', 'is', null)
          .orderBy('id')
          .limit(batchSize)
          .execute();
        if (rows.length === 0) return 0;
        let seq = BigInt(head.seq);
        let prevHash = head.hash;
        const chained = rows.map((row) => {
          seq += 1n;
          const unsigned = { ...toEntry(row), seq: seq.toString(), prevHash };
          const hash = hashEntry(unsigned);
          prevHash = hash;
          return { id: row.id, seq: unsigned.seq, prevHash: unsigned.prevHash, hash };
        });
        // The entries and the head move together: one statement.
        await sql`
          with chained as (
            update audit_log as a
            set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
            from unnest(${chained.map((c) => c.id)}::bigint[], ${chained.map((c) => c.seq)}::bigint[],
                        ${chained.map((c) => c.prevHash)}::text[], ${chained.map((c) => c.hash)}::text[])
                 as v(id, seq, prev_hash, hash)
            where a.id = v.id)
          update audit_head set seq = ${seq.toString()}::bigint, hash = ${prevHash} where id = 1`.execute(
          trx,
        );
        return rows.length;
      });
      this.idle = count === 0;
      chained += count;
      if (count < batchSize) return chained;
    }
  }

  private async anyUnchained(): Promise<boolean> {
    const row = await this.db
      .selectFrom('audit_log')
      .select('id')
      .where('seq', 'is', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Chains what is pending, then re-computes the whole chain and names the first broken entry. */
  async verify(batchSize = 5000): Promise<ChainVerification> {
    await this.chainPending();
    // One snapshot for the entries and the head: other processes keep chaining meanwhile, and a
    // head read after the entries could otherwise be ahead of them with nothing missing.
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const verifier = new ChainVerifier();
        let after = '0';
        for (;;) {
          const rows = await trx
            .selectFrom('audit_log')
            .selectAll()
            .where('seq', 'is not', null)
            .where(sql<boolean>`seq > ${after}::bigint`)
            .orderBy('seq')
            .limit(batchSize)
            .execute();
          if (rows.length === 0) break;
          if (!rows.every((row) => verifier.feed(toEntry(row)))) break;
          after = rows[rows.length - 1].seq!;
        }
        const head = await trx
          .selectFrom('audit_head')
          .select(['seq', 'hash'])
          .executeTakeFirstOrThrow();
        return verifier.result(head);
      });
  }

  /** The chain's head: the last chained position and its hash (`0` and the genesis hash if none). */
  async head(): Promise<{ seq: string; hash: string }> {
    const head = await this.db
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { seq: String(head.seq), hash: head.hash };
  }

  /** The hash stored at each of these positions; a position with no chained entry is absent. */
  async hashesAt(seqs: readonly string[]): Promise<Map<string, string>> {
    if (seqs.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .where(sql<boolean>`seq = any(${[...new Set(seqs)]}::bigint[])`)
      .execute();
    return new Map(rows.map((row) => [String(row.seq), row.hash ?? '']));
  }

  /** A page of the chained trail, in chain order, for auditors. */
  async entries(filter: {
    afterSeq: string;
    limit: number;
    event?: string;
    /** Only what one authority's users did or its messages went through (hosted authorities). */
    authorityId?: string;
  }): Promise<AuditEntry[]> {
    await this.chainPending();
    let query = this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', 'is not', null)
      .where(sql<boolean>`seq > ${filter.afterSeq}::bigint`)
      .orderBy('seq')
      .limit(filter.limit);
    if (filter.event) query = query.where('event', '=', filter.event);
    if (filter.authorityId) {
      const authority = filter.authorityId;
      query = query.where(
        sql<boolean>`(actor like ${`%@${authority}`} or message_id in
          (select id from messages where authority = ${authority}))`,
      );
    }
    return (await query.execute()).map((row) => this.withAnnex(row));
  }

  async entriesFor(messageId: string): Promise<AuditEntry[]> {
    await this.chainPending();
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('seq')
      .execute();
    return rows.map((row) => this.withAnnex(row));
  }

  /**
   * Erases the annexes of these messages' entries (retention): the chain, which holds only their
   * digests, verifies as before. In the caller's transaction, with the content it erases.
   */
  async eraseAnnexesOf(messageIds: readonly string[], trx: AuditExecutor): Promise<number> {
    if (messageIds.length === 0) return 0;
    const erased = await trx
      .updateTable('audit_log')
      .set({ annex: null })
      .where('message_id', 'in', [...messageIds])
      .where('annex', 'is not', null)
      .executeTakeFirst();
    return Number(erased.numUpdatedRows);
  }

  /**
   * Erases the annexes of the entries about these supervised submissions (a decline's reason):
   * with the submission's texts, under the same retention; the chain verifies as before.
   */
  async eraseAnnexesOfSupervised(ids: readonly string[], trx: AuditExecutor): Promise<number> {
    if (ids.length === 0) return 0;
    const erased = await trx
      .updateTable('audit_log')
      .set({ annex: null })
      .where(sql<string>`details->>'supervisedSubmissionId'`, 'in', [...ids])
      .where('annex', 'is not', null)
      .executeTakeFirst();
    return Number(erased.numUpdatedRows);
  }

  private withAnnex(row: AuditRow): AuditEntry {
    const entry = toEntry(row);
    const digest = entry.details.annexSha256;
    if (typeof digest !== 'string') return entry;
    return {
      ...entry,
      annex: row.annex
        ? this.cipher.open<Record<string, unknown>>('audit_log.annex', digest, row.annex)
        : 'erased',
    };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: String(row.seq),
    occurredAt: row.occurred_at.toISOString(),
    event: row.event,
    actor: row.actor,
    messageId: row.message_id,
    correlationId: row.correlation_id,
    details: row.details,
    prevHash: row.prev_hash ?? '',
    hash: row.hash ?? '',
  };
}
