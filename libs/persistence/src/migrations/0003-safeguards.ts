import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The protected-persons register: keyed hashes of normalised identifiers and the States to
  // shield from. Never names, never the claim itself; never exported, never sent.
  await db.schema
    .createTable('protected_persons')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('hashes', sql`text[]`, (c) => c.notNull())
    .addColumn('shield_from', sql`text[]`, (c) => c.notNull())
    .addColumn('registered_at', 'timestamptz', (c) => c.notNull())
    .addColumn('registered_by', 'text', (c) => c.notNull())
    .execute();

  // What this authority knows about the persons of a case (domain.md 4): local, never sent.
  await db.schema
    .createTable('case_facts')
    .addColumn('case_reference', 'text', (c) => c.primaryKey())
    .addColumn('facts', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('the safeguards schema is not reversible');
}
