import { createHash } from 'node:crypto';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { SettingName } from '#libs/node-config';

/** The format of the archive inside the operator's OpenPGP message; a new layout gets a new one. */
export const BACKUP_FORMAT = 'tip-node-backup/1';

/**
 * The files that hold a node's secrets, by the variable that names each (README, "Running a
 * node"). The key ring stays as stored, under the node's passphrase, which is never in a backup:
 * the operator keeps it apart, so the backup and the operator's key alone do not sign for the node.
 */
export const SECRET_VARIABLES = [
  'GATEWAY_PRIVATE_KEY_FILE',
  'GATEWAY_DATA_KEY_FILE',
  'GATEWAY_DATA_KEY_RETIRED_FILES',
  'GATEWAY_TOKEN_SECRET_FILE',
  'GATEWAY_REGISTER_SECRET_FILE',
  'GATEWAY_TLS_CERT_FILE',
  'GATEWAY_TLS_KEY_FILE',
] as const satisfies readonly SettingName[];
export type SecretVariable = (typeof SECRET_VARIABLES)[number];

export interface BackupSecret {
  variable: SecretVariable;
  /** Place in the variable's comma-separated list (retired data keys); 0 otherwise. */
  index: number;
  content: Buffer;
}

export interface BackupContents {
  createdAt: string;
  authorityId: string;
  schema: string;
  postgres: { serverVersion: string; toolVersion: string };
  /** Rows of each table of the schema, counted in the snapshot pg_dump read. */
  tables: Record<string, number>;
  /** The schema as pg_dump's custom format. */
  database: Buffer;
  secrets: BackupSecret[];
}

interface PackedPart {
  sha256: string;
  bytes: number;
  data: string;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const pack = (content: Buffer): PackedPart => ({
  sha256: sha256(content),
  bytes: content.byteLength,
  data: content.toString('base64'),
});

/** The archive as bytes: JSON, each binary part in base64 with its size and SHA-256. */
export function packBackup(contents: BackupContents): Buffer {
  return Buffer.from(
    JSON.stringify({
      format: BACKUP_FORMAT,
      createdAt: contents.createdAt,
      authorityId: contents.authorityId,
      schema: contents.schema,
      postgres: contents.postgres,
      tables: contents.tables,
      database: pack(contents.database),
      secrets: contents.secrets.map(({ variable, index, content }) => ({
        variable,
        index,
        ...pack(content),
      })),
    }),
    'utf8',
  );
}

const invalid = (field: string, message: string): GatewayError =>
  new GatewayError(ErrorCode.BACKUP_INVALID, `not a node backup: ${message}`, [{ field }]);

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(field, `${field} must be a string`);
  return value;
}

function unpack(value: unknown, field: string): Buffer {
  const part = value as Partial<PackedPart> | null;
  if (typeof part !== 'object' || part === null || typeof part.data !== 'string') {
    throw invalid(field, `${field} is missing`);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(part.data)) throw invalid(field, `${field} is not base64`);
  const content = Buffer.from(part.data, 'base64');
  if (content.byteLength !== part.bytes || sha256(content) !== part.sha256) {
    throw invalid(field, `${field} does not match its size and SHA-256`);
  }
  return content;
}

/** Reads an archive, checking every part against its digest; BACKUP_INVALID names the part. */
export function unpackBackup(bytes: Buffer): BackupContents {
  let document: Record<string, unknown>;
  try {
    document = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('format', 'the archive is not JSON');
  }
  if (typeof document !== 'object' || document === null || document.format !== BACKUP_FORMAT) {
    throw invalid('format', `the archive is not ${BACKUP_FORMAT}`);
  }
  const postgres = document.postgres as Record<string, unknown> | undefined;
  const tables = document.tables as Record<string, unknown> | undefined;
  if (
    typeof tables !== 'object' ||
    tables === null ||
    Object.values(tables).some((rows) => !Number.isSafeInteger(rows) || (rows as number) < 0)
  ) {
    throw invalid('tables', 'tables must map each table to its row count');
  }
  if (!Array.isArray(document.secrets)) throw invalid('secrets', 'secrets must be a list');
  return {
    createdAt: text(document.createdAt, 'createdAt'),
    authorityId: text(document.authorityId, 'authorityId'),
    schema: text(document.schema, 'schema'),
    postgres: {
      serverVersion: text(postgres?.serverVersion, 'postgres.serverVersion'),
      toolVersion: text(postgres?.toolVersion, 'postgres.toolVersion'),
    },
    tables: tables as Record<string, number>,
    database: unpack(document.database, 'database'),
    secrets: (document.secrets as Array<Record<string, unknown>>).map((secret, position) => {
      const field = `secrets[${position}]`;
      if (!(SECRET_VARIABLES as readonly unknown[]).includes(secret?.variable)) {
        throw invalid(`${field}.variable`, 'unknown secret variable');
      }
      if (!Number.isSafeInteger(secret.index) || (secret.index as number) < 0) {
        throw invalid(`${field}.index`, 'index must be a non-negative integer');
      }
      return {
        variable: secret.variable as SecretVariable,
        index: secret.index as number,
        content: unpack(secret, field),
      };
    }),
  };
}
