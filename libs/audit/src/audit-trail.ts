import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Clock } from '#libs/node-config';
import { countAuditEvent } from '#libs/observability';
import { InjectDatabase, type AuditRow, type Db } from '#libs/persistence';
import {
  ChainVerifier,
  hashEntry,
  type AuditEntry,
  type AuditRecord,
  type ChainVerification,
} from './chain.js';

type Executor = Pick<Db, 'insertInto'>;

/**
 * The append-only audit trail. An entry is written in the same transaction as the change it
 * describes (if it cannot be written, the change does not happen); the chainer then gives it its
 * place in the hash chain, in commit order, within a fraction of a second. Writers never wait on
 * one another for the chain head.
 */
@Injectable()
export class AuditTrail {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async record(record: AuditRecord, trx: Executor = this.db): Promise<void> {
    await trx
      .insertInto('audit_log')
      .values({
        occurred_at: this.clock.now(),
        event: record.event,
        actor: record.actor,
        message_id: record.messageId ?? null,
        correlation_id: record.correlationId ?? null,
        details: JSON.stringify(record.details ?? {}),
      })
      .execute();
    // Counted when written: an entry of a transaction that then rolls back is counted too.
    countAuditEvent(record.event, record.details);
  }

  /**
   * Chains the entries written since the last run, in the order they became visible. One chainer
   * at a time per node (advisory lock); safe to call from every process.
   */
  async chainPending(batchSize = 2000): Promise<number> {
    let chained = 0;
    for (;;) {
      const count = await this.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(current_schema() || ':audit-chain'))`.execute(
          trx,
        );
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
        await sql`
          update audit_log as a
          set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
          from unnest(${chained.map((c) => c.id)}::bigint[], ${chained.map((c) => c.seq)}::bigint[],
                      ${chained.map((c) => c.prevHash)}::text[], ${chained.map((c) => c.hash)}::text[])
               as v(id, seq, prev_hash, hash)
          where a.id = v.id`.execute(trx);
        await trx
          .updateTable('audit_head')
          .set({ seq: seq.toString(), hash: prevHash })
          .where('id', '=', 1)
          .execute();
        return rows.length;
      });
      chained += count;
      if (count < batchSize) return chained;
    }
  }

  /** Chains what is pending, then re-computes the whole chain and names the first broken entry. */
  async verify(batchSize = 5000): Promise<ChainVerification> {
    await this.chainPending();
    const verifier = new ChainVerifier();
    let after = '0';
    for (;;) {
      const rows = await this.db
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
    const head = await this.db
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .executeTakeFirstOrThrow();
    return verifier.result(head);
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
    return (await query.execute()).map(toEntry);
  }

  async entriesFor(messageId: string): Promise<AuditEntry[]> {
    await this.chainPending();
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('seq')
      .execute();
    return rows.map(toEntry);
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
