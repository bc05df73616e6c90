import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Every signed directory the node has accepted: the latest issue time is the high-water mark
  // below which a document is refused as a rollback.
  await db.schema
    .createTable('directory_versions')
    .addColumn('issued_at', 'timestamptz', (c) => c.primaryKey())
    .addColumn('document_sha256', 'text', (c) => c.notNull())
    .addColumn('signer', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('directory_versions').execute();
}
