import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Separation of duties: a role that opens case content, the register, the audit trail or
  // account management is granted only once a second administrator of the authority approves.
  await db.schema
    .createTable('role_grants')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().references('users.username'))
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('roles', sql`text[]`, (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'approved', 'refused')`),
    )
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('reason', 'text')
    .execute();
  await db.schema
    .createIndex('role_grants_pending_idx')
    .on('role_grants')
    .columns(['authority', 'status', 'requested_at'])
    .execute();

  // Accounts signed in through the organisation's identity provider are matched on the provider's
  // stable, unique identity (issuer and subject), never on a display name.
  await db.schema.alterTable('users').addColumn('external_issuer', 'text').execute();
  await db.schema.alterTable('users').addColumn('external_subject', 'text').execute();
  await sql`alter table users add constraint users_external_identity_complete
    check ((external_issuer is null) = (external_subject is null))`.execute(db);
  await sql`create unique index users_external_identity_idx on users (external_issuer, external_subject)
    where external_issuer is not null`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('role grants are part of the audit record and are not dropped');
}
