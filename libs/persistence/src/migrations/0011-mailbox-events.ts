import { sql, type Kysely } from 'kysely';

/**
 * The mailbox events officers see live, kept in PostgreSQL so that a stream can resume from the
 * last event it saw, whatever happened to Redis or to the gateway meanwhile. An event is written in
 * the transaction of the change it reports (a message received, delivered, retried, failed; a
 * deadline reminder or expiry): it exists if and only if the change does.
 *
 * `id` orders writes; `seq` is the event's place in the stream, given by one sequencer at a time
 * once the event is committed (as the audit chain does): events become visible in `seq` order, so
 * that "every event after seq N" never skips one that committed late.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mailbox_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.unique())
    .addColumn('authority_id', 'text', (c) => c.notNull())
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('mailbox_events_unsequenced_idx')
    .on('mailbox_events')
    .column('id')
    .where(sql.ref('seq'), 'is', null)
    .execute();
  await db.schema
    .createIndex('mailbox_events_recorded_at_idx')
    .on('mailbox_events')
    .column('recorded_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mailbox_events').execute();
}
