import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('direction', 'text', (c) =>
      c.notNull().check(sql`direction in ('outbound', 'inbound')`),
    )
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('sender', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('case_reference', 'text')
    .addColumn('in_reply_to', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('retry_until', 'timestamptz')
    .addColumn('status_changed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messages_status_idx')
    .on('messages')
    .columns(['direction', 'status'])
    .execute();

  await db.schema
    .createTable('envelopes')
    .addColumn('message_id', 'uuid', (c) => c.primaryKey().references('messages.id'))
    .addColumn('armored', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('receipts')
    .addColumn('message_id', 'uuid', (c) => c.primaryKey().references('messages.id'))
    .addColumn('armored', 'text', (c) => c.notNull())
    .addColumn('envelope_sha256', 'text', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('signer_fingerprint', 'text', (c) => c.notNull())
    .addColumn('stored_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('evidences')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('message_id', 'uuid', (c) => c.notNull().references('messages.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evidences_message_idx')
    .on('evidences')
    .column('message_id')
    .execute();

  await db.schema
    .createTable('audit_log')
    // id orders writes; seq is the entry's place in the hash chain, given when it is chained.
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.unique())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('message_id', 'uuid')
    .addColumn('correlation_id', 'text')
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addColumn('prev_hash', 'text')
    .addColumn('hash', 'text')
    .execute();
  await db.schema
    .createIndex('audit_log_message_idx')
    .on('audit_log')
    .column('message_id')
    .execute();

  // The chain head, locked by each writer so that entries are chained strictly in sequence.
  await db.schema
    .createTable('audit_head')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into audit_head (id, seq, hash) values (1, 0, ${'0'.repeat(64)})`.execute(db);

  await db.schema
    .createIndex('audit_log_unchained_idx')
    .on('audit_log')
    .column('id')
    .where(sql.ref('seq'), 'is', null)
    .execute();

  // Append-only: entries are never deleted, and never changed except once, when the chainer gives
  // an unchained entry its place and hashes. The database refuses anything else.
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and old.hash is null and old.seq is null
         and new.id = old.id and new.occurred_at = old.occurred_at and new.event = old.event
         and new.actor = old.actor and new.message_id is not distinct from old.message_id
         and new.correlation_id is not distinct from old.correlation_id and new.details = old.details then
        return new;
      end if;
      raise exception 'audit_log is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_log_append_only()`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the spine schema is not reversible: it holds evidence');
}
