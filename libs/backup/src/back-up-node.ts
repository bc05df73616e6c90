import { createHash } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { collectSecrets } from './node-secrets.js';
import { packBackup } from './backup-archive.js';
import { sealForOperator } from './operator-seal.js';
import { libpqEnvironment, postgresTools, runTool } from './postgres-tools.js';

type Env = Record<string, string | undefined>;

export interface BackupRequest {
  authorityId: string;
  database: { url: string; schema: string };
  /** The node's environment: the secret files it names (SECRET_VARIABLES), PG_BIN. */
  env: Env;
  operatorPublicKeyArmored: string;
  out: string;
  now: Date;
}

/** What `backup.written` records: digests and counts, never content. */
export interface BackupWritten {
  file: string;
  sha256: string;
  bytes: number;
  createdAt: string;
  schema: string;
  operatorKey: string;
  postgres: string;
  tables: Record<string, number>;
  secrets: string[];
}

/** The node's tables and their rows, read in the transaction whose snapshot pg_dump shares. */
async function countRows(client: pg.ClientBase, schema: string): Promise<Record<string, number>> {
  const { rows } = await client.query<{ tablename: string }>(
    'select tablename from pg_tables where schemaname = $1 order by tablename',
    [schema],
  );
  const tables: Record<string, number> = {};
  for (const { tablename } of rows) {
    const counted = await client.query<{ rows: string }>(
      `select count(*) as rows from ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(tablename)}`,
    );
    tables[tablename] = Number(counted.rows[0].rows);
  }
  return tables;
}

/**
 * Writes a node's backup: every table of its schema (pg_dump, custom format) and its key ring
 * and data keys (the files its environment names), encrypted together to the operator's key.
 * The dump and the row counts come from one exported snapshot, so the node may keep running;
 * what it writes afterwards is not in the backup.
 */
export async function backUpNode(request: BackupRequest): Promise<BackupWritten> {
  const { schema, url } = request.database;
  const connection = libpqEnvironment(url);
  const secrets = collectSecrets(request.env);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version_num: string }>('show server_version_num');
    const tools = await postgresTools(rows[0].server_version_num, request.env);
    await client.query('begin transaction isolation level repeatable read read only');
    const snapshot = (await client.query<{ id: string }>('select pg_export_snapshot() as id'))
      .rows[0].id;
    const tables = await countRows(client, schema);
    const database = await runTool(
      tools.pgDump,
      [
        '--format=custom',
        `--schema=${schema}`,
        `--snapshot=${snapshot}`,
        '--no-owner',
        '--no-privileges',
      ],
      connection,
    );
    await client.query('commit');
    const createdAt = request.now.toISOString();
    const { sealed, operatorFingerprint } = await sealForOperator(
      packBackup({
        createdAt,
        authorityId: request.authorityId,
        schema,
        postgres: { serverVersion: rows[0].server_version_num, toolVersion: tools.version },
        tables,
        database,
        secrets,
      }),
      request.operatorPublicKeyArmored,
    );
    const partial = `${request.out}.partial`;
    writeFileSync(partial, sealed, { mode: 0o600 });
    renameSync(partial, request.out);
    return {
      file: request.out,
      sha256: createHash('sha256').update(sealed).digest('hex'),
      bytes: sealed.byteLength,
      createdAt,
      schema,
      operatorKey: operatorFingerprint,
      postgres: tools.version,
      tables,
      secrets: secrets.map((secret) => secret.variable),
    };
  } finally {
    await client.end();
  }
}
