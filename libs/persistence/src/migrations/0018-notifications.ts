import { sql, type Kysely } from 'kysely';

/**
 * E-mail notifications (issue 14): each user's address and per-kind preferences, and the outbox of
 * notices written in the transaction of the event that causes them, then sent by the worker. A
 * notice holds a kind, a reference (a message, request, review id or key fingerprint) and a console
 * path: never case content.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('email', 'text').execute();
  // Only the kinds a user turned on or off; any other kind follows their roles' defaults.
  await db.schema
    .alterTable('users')
    .addColumn('notification_preferences', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().references('users.username'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('link', 'text', (c) => c.notNull())
    // One notice per user and cause: the same reminder or key warning recorded again adds nothing.
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'sending', 'sent', 'failed', 'skipped')`),
    )
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('claimed_at', 'timestamptz')
    .addColumn('sent_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .execute();
  await sql`create unique index notifications_dedupe_idx on notifications (username, kind, dedupe_key)`.execute(
    db,
  );
  await sql`create index notifications_due_idx on notifications (next_attempt_at) where status = 'pending'`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the notifications schema is not reversible');
}
