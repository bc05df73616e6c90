import { sql, type Kysely } from 'kysely';

/**
 * API keys get an id to name them by (listing and revoking in the console; the hash stays the
 * lookup and is never shown) and the time of their last use, for spotting keys nobody uses any
 * more. The last use is written at most once a minute per key, not on every request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('id', 'uuid', (c) =>
      c
        .notNull()
        .unique()
        .defaultTo(sql`gen_random_uuid()`),
    )
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_username_idx').on('api_keys').column('username').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('api_keys_username_idx').execute();
  await db.schema.alterTable('api_keys').dropColumn('id').dropColumn('last_used_at').execute();
}
