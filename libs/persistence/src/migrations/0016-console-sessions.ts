import { sql, type Kysely } from 'kysely';

/**
 * Sessions of the officer console: a credential (an API key, a bearer token) exchanged once for a
 * session cookie. Only SHA-256 digests of the session token and of its CSRF token are stored; a
 * session ends at its expiry or when its user signs out (`ended_at`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('token_sha256', 'text', (c) => c.primaryKey())
    .addColumn('csrf_sha256', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('authority', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await sql`create index console_sessions_expires_idx on console_sessions (expires_at)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('the console sessions schema is not reversible');
}
