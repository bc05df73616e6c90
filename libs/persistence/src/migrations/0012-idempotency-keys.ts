import { sql, type Kysely } from 'kysely';

/**
 * Idempotency keys of submissions (`Idempotency-Key`): a client retrying after a timeout gets the
 * answer of the first attempt instead of opening a second request. The record is written in the
 * transaction that stores the submission, so that an answer exists exactly when the work was done.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_sha256', 'text', (c) => c.notNull())
    .addColumn('response', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pkey', ['username', 'key'])
    .execute();
  await sql`create index idempotency_keys_created_idx on idempotency_keys (created_at)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the idempotency schema is not reversible');
}
