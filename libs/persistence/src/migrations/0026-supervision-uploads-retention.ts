import { sql, type Kysely } from 'kysely';

/**
 * Uploads a draft kept for a supervisor references are held for it (state `held`, `held_for` the
 * supervised submission): the expiry sweep leaves them and no other message attaches them while
 * the item waits. A declined or blocked item releases them (`released_at`), from when the usual
 * unattached-upload expiry counts again, so that the submitter can still use them in a new draft.
 *
 * A decided supervised submission's sealed draft, warning texts and reason are erased some time
 * after the decision (GATEWAY_RETENTION_SUPERVISED_AFTER_MS): the columns become nullable and
 * `content_erased_at` says when; the routing facts and rule ids stay.
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
  await db.schema
    .alterTable('supervised_submissions')
    .alterColumn('draft', (c) => c.dropNotNull())
    .alterColumn('explanations', (c) => c.dropNotNull())
    .addColumn('content_erased_at', 'timestamptz')
    .execute();
  // The erasure's candidates: decided, by decision time, not yet erased.
  await sql`create index supervised_submissions_erasure_idx on supervised_submissions (decided_at)
    where status <> 'awaiting-supervisor' and content_erased_at is null`.execute(db);
  // Releasing an item's uploads finds them by the item.
  await sql`create index uploads_held_for_idx on uploads (held_for) where held_for is not null`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the held uploads and supervision retention schema is not reversible');
}
