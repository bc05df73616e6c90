import { sql, type Kysely } from 'kysely';

/**
 * Files that travel with a message (issue 12): one row per attachment of a message, in its order.
 * Outbound: the upload it was sealed from and how many of its chunks the recipient acknowledged
 * (the delivery resumes at the first unacknowledged one). Inbound: how many chunks were received,
 * verified against the signed manifest and stored, and the SHA-256 of the file as received. The
 * manifest (it names the file) is sealed with the node's data key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_attachments')
    .addColumn('message_id', 'uuid', (c) => c.notNull().references('messages.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('direction', 'text', (c) =>
      c.notNull().check(sql`direction in ('outbound', 'inbound')`),
    )
    .addColumn('upload_id', 'text')
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('manifest', 'bytea', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('chunk_count', 'integer', (c) => c.notNull())
    .addColumn('chunks_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('received_sha256', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('message_attachments_pk', ['message_id', 'position'])
    .addCheckConstraint(
      'message_attachments_chunks_check',
      sql`chunks_done >= 0 and chunks_done <= chunk_count`,
    )
    .execute();
  // An upload is bound to one message copy (a JIT fan-out seals it once per recipient).
  await sql`create index message_attachments_upload_idx on message_attachments (upload_id) where upload_id is not null`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the message attachments schema is not reversible');
}
