import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { InjectDatabase, type AuditRow, type Db } from '#libs/persistence';
import { Clock } from '#libs/node-config';
import {
  ChainVerifier,
  hashEntry,
  type AuditEntry,
  type AuditRecord,
  type ChainVerification,
} from './chain.js';

type Executor = Pick<Db, 'selectFrom' | 'insertInto' | 'updateTable'>;

/**
 * The append-only, hash-chained audit trail. Entries are written in the same transaction as the
 * change they describe: if the audit entry cannot be written, the change does not happen.
 */
@Injectable()
export class AuditTrail {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Appends one entry inside the caller's transaction (or its own). */
  async record(record: AuditRecord, trx?: Executor): Promise<AuditEntry> {
    if (!trx) return this.db.transaction().execute((own) => this.record(record, own));
    const head = await trx
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .where('id', '=', 1)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const unsigned = {
      seq: (BigInt(head.seq) + 1n).toString(),
      occurredAt: this.clock.now().toISOString(),
      event: record.event,
      actor: record.actor,
      messageId: record.messageId ?? null,
      correlationId: record.correlationId ?? null,
      details: record.details ?? {},
      prevHash: head.hash,
    };
    const entry: AuditEntry = { ...unsigned, hash: hashEntry(unsigned) };
    await trx
      .insertInto('audit_log')
      .values({
        seq: entry.seq,
        occurred_at: entry.occurredAt,
        event: entry.event,
        actor: entry.actor,
        message_id: entry.messageId,
        correlation_id: entry.correlationId,
        details: JSON.stringify(entry.details),
        prev_hash: entry.prevHash,
        hash: entry.hash,
      })
      .execute();
    await trx
      .updateTable('audit_head')
      .set({ seq: entry.seq, hash: entry.hash })
      .where('id', '=', 1)
      .execute();
    return entry;
  }

  /** Re-computes the whole chain in batches and names the first broken entry. */
  async verify(batchSize = 5000): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    let after = '0';
    for (;;) {
      const rows = await this.db
        .selectFrom('audit_log')
        .selectAll()
        .where(sql<boolean>`seq > ${after}::bigint`)
        .orderBy('seq')
        .limit(batchSize)
        .execute();
      if (rows.length === 0) break;
      if (!rows.every((row) => verifier.feed(toEntry(row)))) break;
      after = rows[rows.length - 1].seq;
    }
    const head = await this.db
      .selectFrom('audit_head')
      .select(['seq', 'hash'])
      .executeTakeFirstOrThrow();
    return verifier.result(head);
  }

  async entriesFor(messageId: string): Promise<AuditEntry[]> {
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
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
