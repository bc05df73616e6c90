import { sql, type Kysely } from 'kysely';

/**
 * Submissions refused only for warnings (W-rules) that wait for a supervisor: the draft sealed at
 * rest as held submissions keep theirs, the warnings' rule ids and legal bases in clear (what the
 * supervisors' list shows), their explanations sealed (they may quote a person's reference), and
 * the supervisor's decision. One item waits per submitter and draft: the same draft submitted
 * again finds it (partial unique index on the draft's digest while it waits).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('supervised_submissions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('message_type', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('case_reference', 'text')
    .addColumn('request_id', 'text')
    .addColumn('recipients', sql`text[]`, (c) => c.notNull())
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('context', 'jsonb', (c) => c.notNull())
    .addColumn('draft', 'bytea', (c) => c.notNull())
    .addColumn('draft_sha256', 'text', (c) => c.notNull())
    .addColumn('warnings', 'jsonb', (c) => c.notNull())
    .addColumn('explanations', 'bytea', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(sql`status in ('awaiting-supervisor', 'acknowledged', 'declined', 'blocked')`),
    )
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('reason', 'bytea')
    .addColumn('outcome', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create unique index supervised_submissions_waiting_draft_idx
    on supervised_submissions (submitted_by, draft_sha256)
    where status = 'awaiting-supervisor'`.execute(db);
  await db.schema
    .createIndex('supervised_submissions_authority_idx')
    .on('supervised_submissions')
    .columns(['authority', 'status', 'created_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('the supervised submissions schema is not reversible');
}
