import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { ErrorCode, GatewayError } from '#libs/errors';
import { unpackBackup } from './backup-archive.js';
import { placeSecrets, writeSecrets } from './node-secrets.js';
import { openWithOperatorKey } from './operator-seal.js';
import { libpqEnvironment, postgresTools, runTool } from './postgres-tools.js';

type Env = Record<string, string | undefined>;

export interface RestoreRequest {
  authorityId: string;
  database: { url: string; schema: string };
  /** The restoring node's environment: where its secret files go, PG_BIN. */
  env: Env;
  from: string;
  operatorSecretKeyArmored: string;
  passphrase?: string;
}

/** What `node.restored` records. */
export interface NodeRestored {
  sha256: string;
  backupCreatedAt: string;
  schema: string;
  tables: Record<string, number>;
  secrets: string[];
}

interface SchemaContents {
  /** Relations and functions: anything at all makes it a schema not to restore over. */
  objects: number;
  /** It holds a node's audit trail: the refusal can be recorded there. */
  auditTrail: boolean;
}

async function contentsOf(client: pg.ClientBase, schema: string): Promise<SchemaContents> {
  const { rows } = await client.query<{ objects: string; audit_trail: boolean }>(
    `select (select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1)
          + (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = $1)
       as objects,
       exists (select 1 from pg_tables where schemaname = $1 and tablename = 'audit_log') as audit_trail`,
    [schema],
  );
  return { objects: Number(rows[0].objects), auditTrail: rows[0].audit_trail };
}

const notEmpty = (schema: string, contents: SchemaContents, sha256: string): GatewayError =>
  new GatewayError(
    ErrorCode.RESTORE_TARGET_NOT_EMPTY,
    `schema ${schema} is not empty (${contents.objects} objects): a backup is restored only on an empty database`,
    [{ field: 'GATEWAY_DB_SCHEMA', schema, ...contents, sha256 }],
  );

/**
 * Rebuilds a node from its backup on an empty schema: every check first (the operator's key, the
 * archive's digests, the authority and schema, an empty schema, no other key file in the way),
 * then the key files, then the schema in one pg_restore transaction, whose row counts must be
 * those counted at backup. Redis is not touched: the node's processes re-create its queues from
 * PostgreSQL (outbox reconciliation, deadline horizon feed) when they start.
 */
export async function restoreNode(request: RestoreRequest): Promise<NodeRestored> {
  const { schema, url } = request.database;
  let sealed: Buffer;
  try {
    sealed = readFileSync(request.from);
  } catch {
    throw new GatewayError(ErrorCode.BACKUP_INVALID, `cannot read ${request.from}`, [
      { field: '--from' },
    ]);
  }
  const sha256 = createHash('sha256').update(sealed).digest('hex');
  const backup = unpackBackup(
    await openWithOperatorKey(sealed, request.operatorSecretKeyArmored, request.passphrase),
  );
  if (backup.authorityId !== request.authorityId) {
    throw new GatewayError(
      ErrorCode.BACKUP_INVALID,
      `the backup is of ${backup.authorityId}, not of ${request.authorityId}`,
      [{ field: 'GATEWAY_AUTHORITY_ID' }],
    );
  }
  if (backup.schema !== schema) {
    throw new GatewayError(
      ErrorCode.BACKUP_INVALID,
      `the backup holds schema ${backup.schema}, not ${schema}: pg_restore recreates it under its own name`,
      [{ field: 'GATEWAY_DB_SCHEMA' }],
    );
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
    const tools = await postgresTools(rows[0].server_version_num, request.env);
    const contents = await contentsOf(client, schema);
    if (contents.objects > 0) throw notEmpty(schema, contents, sha256);
    const placements = placeSecrets(backup.secrets, request.env);
    writeSecrets(placements);
    try {
      // An empty schema left behind (created, never migrated): pg_restore creates its own.
      await client.query(`drop schema if exists ${pg.escapeIdentifier(schema)} restrict`);
    } catch (error) {
      if ((error as { code?: string }).code === '2BP01')
        throw notEmpty(schema, { objects: 1, auditTrail: false }, sha256);
      throw error;
    }
    const { PGDATABASE = 'postgres', ...connection } = libpqEnvironment(url);
    await runTool(
      tools.pgRestore,
      [
        `--dbname=${PGDATABASE}`,
        '--single-transaction',
        '--exit-on-error',
        '--no-owner',
        '--no-privileges',
      ],
      connection,
      backup.database,
    );
    for (const [table, expected] of Object.entries(backup.tables)) {
      const counted = await client.query<{ rows: string }>(
        `select count(*) as rows from ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`,
      );
      if (Number(counted.rows[0].rows) !== expected) {
        throw new GatewayError(
          ErrorCode.BACKUP_INVALID,
          `table ${table} holds ${counted.rows[0].rows} rows after restore, ${expected} at backup`,
          [{ field: `tables.${table}` }],
        );
      }
    }
    return {
      sha256,
      backupCreatedAt: backup.createdAt,
      schema,
      tables: backup.tables,
      secrets: placements.map((placement) => placement.variable),
    };
  } finally {
    await client.end();
  }
}
