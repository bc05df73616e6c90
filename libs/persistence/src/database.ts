import { Kysely, Migrator, PostgresDialect, sql, type Migration } from 'kysely';
import pg from 'pg';
import type { ColumnCipher } from './column-cipher.js';
import * as spine from './migrations/0001-spine.js';
import * as cases from './migrations/0002-cases.js';
import * as safeguards from './migrations/0003-safeguards.js';
import { sealColumns } from './migrations/0004-sealed-columns.js';
import { bindCaseFactsToAuthority } from './migrations/0007-case-facts-authority-binding.js';
import { recordCaseFactsHistory } from './migrations/0008-case-facts-history.js';
import * as access from './migrations/0005-access.js';
import * as directoryVersions from './migrations/0006-directory-versions.js';
import * as nationalRegister from './migrations/0009-national-register.js';
import * as roleGrants from './migrations/0010-role-grants.js';
import * as mailboxEvents from './migrations/0011-mailbox-events.js';
import * as idempotencyKeys from './migrations/0012-idempotency-keys.js';
import * as uploads from './migrations/0013-uploads.js';
import * as deadlineTimers from './migrations/0014-deadline-timers.js';
import * as messageAttachments from './migrations/0015-message-attachments.js';
import * as consoleSessions from './migrations/0016-console-sessions.js';
import * as auditWitnesses from './migrations/0017-audit-witnesses.js';
import * as notifications from './migrations/0018-notifications.js';
import * as retention from './migrations/0022-retention.js';
import * as auditAnnex from './migrations/0023-audit-annex.js';
import * as supervisedSubmissions from './migrations/0024-supervised-submissions.js';
import * as apiKeyIds from './migrations/0025-api-key-ids.js';
import * as supervisionUploadsRetention from './migrations/0026-supervision-uploads-retention.js';
import type { Database } from './schema.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-spine': spine,
  '0002-cases': cases,
  '0003-safeguards': safeguards,
  '0005-access': access,
  '0006-directory-versions': directoryVersions,
  '0009-national-register': nationalRegister,
  '0010-role-grants': roleGrants,
  '0011-mailbox-events': mailboxEvents,
  '0012-idempotency-keys': idempotencyKeys,
  '0013-uploads': uploads,
  '0014-deadline-timers': deadlineTimers,
  '0015-message-attachments': messageAttachments,
  '0016-console-sessions': consoleSessions,
  '0017-audit-witnesses': auditWitnesses,
  '0018-notifications': notifications,
  '0022-retention': retention,
  '0023-audit-annex': auditAnnex,
  '0024-supervised-submissions': supervisedSubmissions,
  '0025-api-key-ids': apiKeyIds,
  '0026-supervision-uploads-retention': supervisionUploadsRetention,
};

/** How long a new connection may take before the query that needed it fails (and is retried). */
const CONNECT_TIMEOUT_MS = 5000;

/**
 * The node's connection pool. Bigint sequence numbers are read as strings; timestamps as Date (pg
 * defaults). A connection the server closes (a PostgreSQL restart, `pg_terminate_backend`, an idle
 * timeout) emits an error event wherever it is, idle in the pool or checked out between two
 * queries: both are listened to, so that the process rides the outage out instead of dying of an
 * unhandled 'error' event; the broken connection is discarded and the next query opens a new one.
 */
export function createDatabase(
  url: string,
  schema: string,
  maxConnections = 10,
  onConnectionError: (error: Error) => void = () => undefined,
): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    // Every connection works inside this node's own schema.
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // A peer that vanished without closing (a network partition) is noticed by TCP keep-alive.
    keepAlive: true,
  });
  pool.on('connect', (client) => client.on('error', onConnectionError));
  // The same error, passed on by the pool for an idle connection: already reported above.
  pool.on('error', () => undefined);
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Creates the node's schema if needed and applies pending migrations. A session-level advisory
 * lock serialises the gateway, workers and CLI of one node when they start together.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  schema: string,
  cipher: ColumnCipher,
): Promise<string[]> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(hashtext(${`migrate:${schema}`}))`.execute(connection);
    try {
      await sql`create schema if not exists ${sql.id(schema)}`.execute(connection);
      const migrator = new Migrator({
        db: connection,
        // Qualified, or kysely would find another node's migration tables through introspection.
        migrationTableSchema: schema,
        provider: {
          // 0004 seals the rows already stored, 0007 and 0008 re-seal case facts: they need the data key.
          getMigrations: async () => ({
            ...MIGRATIONS,
            '0004-sealed-columns': sealColumns(cipher),
            '0007-case-facts-authority-binding': bindCaseFactsToAuthority(cipher),
            '0008-case-facts-history': recordCaseFactsHistory(cipher),
          }),
        },
      });
      for (let attempt = 1; ; attempt++) {
        const { error, results } = await migrator.migrateToLatest();
        // Kysely looks for its migration table through the catalogue of every schema: another
        // node's schema dropped at that moment (a local network being reset on the same
        // database) fails the look-up with 3F000. Nothing was applied then; look again.
        if (error && (error as { code?: unknown }).code === '3F000' && attempt < 5) continue;
        if (error)
          throw error instanceof Error ? error : new Error('migration failed', { cause: error });
        return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      }
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${`migrate:${schema}`}))`.execute(connection);
    }
  });
}
