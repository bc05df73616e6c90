import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Accounts of people and services. Roles and JIT membership live here, not in tokens, so that a
  // change or a disabled account takes effect on the next request.
  await db.schema
    .createTable('users')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('person', 'service')`))
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('roles', sql`text[]`, (c) => c.notNull())
    .addColumn('jits', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'timestamptz')
    .execute();
  // Service accounts' API keys: only the SHA-256 of a 256-bit random key is kept.
  await db.schema
    .createTable('api_keys')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().references('users.username'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  // The hosted authority each message, request and set of case facts belongs to: what every query
  // filters on, so that two authorities served by one node never see each other's cases.
  await sql`alter table messages add column authority text generated always as
    (case when direction = 'outbound' then sender else recipient end) stored`.execute(db);
  await db.schema
    .createIndex('messages_authority_idx')
    .on('messages')
    .columns(['authority', 'created_at'])
    .execute();

  await db.schema.alterTable('requests').addColumn('authority', 'text').execute();
  await sql`update requests r set authority = (
      select m.authority from messages m where m.request_id = r.id order by m.created_at limit 1)`.execute(
    db,
  );
  await sql`alter table requests alter column authority set not null`.execute(db);
  await db.schema
    .createIndex('requests_authority_idx')
    .on('requests')
    .columns(['authority', 'procedure', 'status'])
    .execute();

  await db.schema.alterTable('case_facts').addColumn('authority', 'text').execute();
  await sql`update case_facts set authority = substring(updated_by from '@([^@]+)$')`.execute(db);
  await sql`alter table case_facts alter column authority set not null`.execute(db);
  await sql`alter table case_facts drop constraint case_facts_pkey`.execute(db);
  await sql`alter table case_facts add primary key (authority, case_reference)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the access schema is not reversible');
}
