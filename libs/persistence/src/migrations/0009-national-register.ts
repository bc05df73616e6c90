import { sql, type Kysely } from 'kysely';

/**
 * The protected-persons register as a State's national register (domain.md 4):
 * - every entry belongs to the asylum authority that made it (`owner`): only its owner changes it;
 * - entries carry the version of the identifier keys they were hashed with (`key_version`): an
 *   entry of another version cannot be matched, so the register counts as unavailable (fail
 *   closed) until it is registered again;
 * - `claim_pending` records a pending claim explicitly (H-4); an entry alone records shielding;
 * - every change takes the next register version (`register_state`, one row, locked by each
 *   writer so versions commit in order) and is announced with NOTIFY; a removed entry keeps its
 *   row, without hashes, as a tombstone, so that every process can follow the changes in order;
 * - register hits open a review for the entry's owner (`register_reviews`), never for the sender;
 * - messages that name persons wait in `held_submissions` while a register cannot be consulted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table protected_persons
    add column owner text,
    add column key_version text not null default 'v1',
    add column claim_pending boolean not null default false,
    add column version bigint,
    add column removed_at timestamptz,
    add column removed_by text`.execute(db);
  await sql`update protected_persons set owner = substring(registered_by from '@([^@]+)$')`.execute(
    db,
  );
  await sql`update protected_persons p set version = v.n
    from (select id, row_number() over (order by registered_at, id) as n from protected_persons) v
    where p.id = v.id`.execute(db);
  await sql`alter table protected_persons
    alter column owner set not null,
    alter column version set not null,
    alter column key_version drop default`.execute(db);
  await db.schema
    .createIndex('protected_persons_version_idx')
    .on('protected_persons')
    .column('version')
    .execute();

  await db.schema
    .createTable('register_state')
    .addColumn('id', 'smallint', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await sql`insert into register_state (id, version)
    select 1, coalesce(max(version), 0) from protected_persons`.execute(db);

  await db.schema
    .createTable('register_reviews')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('entry_id', 'uuid', (c) => c.notNull().references('protected_persons.id'))
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('requester', 'text', (c) => c.notNull())
    .addColumn('case_reference', 'text')
    .addColumn('recipient_states', sql`text[]`, (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'confirmed', 'cleared')`),
    )
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addColumn('reason', 'bytea')
    .execute();
  await sql`create unique index register_reviews_subject_idx
    on register_reviews (entry_id, requester, coalesce(case_reference, ''))`.execute(db);
  await db.schema
    .createIndex('register_reviews_owner_idx')
    .on('register_reviews')
    .columns(['owner', 'status', 'opened_at'])
    .execute();

  await db.schema
    .createTable('held_submissions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('procedure', 'text', (c) => c.notNull())
    .addColumn('case_reference', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('context', 'jsonb', (c) => c.notNull())
    .addColumn('draft', 'bytea', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .check(sql`status in ('awaiting-safeguard-check', 'released', 'blocked', 'failed')`),
    )
    .addColumn('awaiting', sql`text[]`, (c) => c.notNull())
    .addColumn('outcome', 'jsonb')
    .addColumn('checks', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('next_check_at', 'timestamptz', (c) => c.notNull())
    .addColumn('give_up_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index held_submissions_due_idx on held_submissions (next_check_at)
    where status = 'awaiting-safeguard-check'`.execute(db);
  await db.schema
    .createIndex('held_submissions_authority_idx')
    .on('held_submissions')
    .columns(['authority', 'created_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('the national register schema is not reversible');
}
