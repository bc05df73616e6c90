import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cases')
    .addColumn('reference', 'text', (c) => c.primaryKey())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('opened_by', 'text', (c) => c.notNull())
    .execute();

  // A request is one procedure's thread inside a case; its id travels in every envelope of the thread.
  await db.schema
    .createTable('requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('case_reference', 'text', (c) => c.notNull().references('cases.reference'))
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) =>
      c.notNull().check(sql`role in ('requesting', 'requested', 'member')`),
    )
    .addColumn('counterparts', sql`text[]`, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('state', 'jsonb', (c) => c.notNull())
    .addColumn('deadline_profiles', sql`text[]`, (c) => c.notNull())
    .addColumn('suggested_deadline', 'jsonb')
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('requests_case_idx')
    .on('requests')
    .column('case_reference')
    .execute();
  await db.schema
    .createIndex('requests_status_idx')
    .on('requests')
    .columns(['procedure', 'status'])
    .execute();

  await db.schema.alterTable('messages').addColumn('request_id', 'uuid').execute();
  await db.schema.createIndex('messages_request_idx').on('messages').column('request_id').execute();

  await db.schema
    .createTable('deadlines')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('request_id', 'uuid', (c) => c.notNull().references('requests.id'))
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('clock', 'jsonb', (c) => c.notNull())
    .addColumn('executing_state', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('deadlines_request_profile_key', ['request_id', 'profile_id'])
    .execute();
  await db.schema
    .createIndex('deadlines_open_idx')
    .on('deadlines')
    .columns(['status', 'due_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('the cases schema is not reversible: it holds evidence');
}
