import { sql, type Kysely } from 'kysely';

/**
 * Retention (README, "Retention"): legal holds, and where content was erased under which profile.
 * An erased message keeps its row (metadata), its envelope's digest, its receipt and evidences;
 * its sealed payload is replaced by an erasure stub and its armored envelope is dropped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('legal_holds')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('authority', 'text', (c) => c.notNull())
    // Exactly one of the two: a hold on a whole case, or on one request.
    .addColumn('case_reference', 'text')
    .addColumn('request_id', 'uuid')
    // Sealed: a reason may name a person or a proceeding.
    .addColumn('reason', 'bytea', (c) => c.notNull())
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', 'timestamptz', (c) => c.notNull())
    .addColumn('released_by', 'text')
    .addColumn('released_at', 'timestamptz')
    .addColumn('release_reason', 'bytea')
    .addCheckConstraint(
      'legal_holds_one_target',
      sql`(case_reference is null) <> (request_id is null)`,
    )
    .execute();
  // At most one hold in force per target: setting it twice is one hold.
  await sql`create unique index legal_holds_request_in_force on legal_holds (authority, request_id)
    where released_at is null and request_id is not null`.execute(db);
  await sql`create unique index legal_holds_case_in_force on legal_holds (authority, case_reference)
    where released_at is null and case_reference is not null`.execute(db);

  await db.schema
    .alterTable('messages')
    .addColumn('content_erased_at', 'timestamptz')
    .addColumn('retention_profile', 'text')
    .execute();
  await db.schema.alterTable('requests').addColumn('content_erased_at', 'timestamptz').execute();
  await db.schema
    .alterTable('message_attachments')
    .addColumn('files_erased_at', 'timestamptz')
    .execute();
  // The envelope's digest stays (the receipt signs it); its armored text is case content.
  await sql`alter table envelopes alter column armored drop not null`.execute(db);
  // The erasure task reads closed requests not yet erased, oldest close first.
  await sql`create index requests_retention_idx on requests (status, updated_at)
    where content_erased_at is null`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the retention schema is not reversible');
}
