import { sql, type Kysely } from 'kysely';

/**
 * Evidence files received through resumable uploads (tus): who uploaded what for which authority,
 * its declared category, size and SHA-256, and where it stands (uploading, complete, attached to a
 * message, expired). The content is on disk, encrypted at rest (libs/files); the name is sealed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('uploads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('uploader', 'text', (c) => c.notNull())
    .addColumn('name', 'bytea', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('received', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('sha256', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .addColumn('attached_at', 'timestamptz')
    .addColumn('expired_at', 'timestamptz')
    .addCheckConstraint(
      'uploads_state_check',
      sql`state in ('uploading', 'complete', 'attached', 'expired')`,
    )
    .addCheckConstraint(
      'uploads_category_check',
      sql`category in ('identity-document', 'photograph', 'fingerprints', 'health', 'evidence-item', 'translation', 'other')`,
    )
    .execute();
  // The quota (bytes held per authority) and the expiry sweep (unattached uploads by age).
  await sql`create index uploads_authority_state_idx on uploads (authority, state)`.execute(db);
  await sql`create index uploads_unattached_idx on uploads (created_at) where state in ('uploading', 'complete')`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('the uploads schema is not reversible');
}
