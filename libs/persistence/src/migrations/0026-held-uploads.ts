import { sql, type Kysely } from 'kysely';

/**
 * Uploads a draft kept for a supervisor references are held for it (state `held`, `held_for` the
 * supervised submission): the expiry sweep leaves them and no other message attaches them while
 * the item waits. A declined or blocked item releases them (`released_at`), from when the usual
 * unattached-upload expiry counts again, so that the submitter can still use them in a new draft.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table uploads drop constraint uploads_state_check`.execute(db);
  await db.schema
    .alterTable('uploads')
    .addColumn('held_for', 'uuid')
    .addColumn('released_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('uploads')
    .addCheckConstraint(
      'uploads_state_check',
      sql`state in ('uploading', 'complete', 'held', 'attached', 'expired')`,
    )
    .execute();
  await db.schema
    .alterTable('uploads')
    .addCheckConstraint('uploads_held_for_check', sql`(state = 'held') = (held_for is not null)`)
    .execute();
  // Releasing an item's uploads finds them by the item.
  await sql`create index uploads_held_for_idx on uploads (held_for) where held_for is not null`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the held uploads schema is not reversible');
}
