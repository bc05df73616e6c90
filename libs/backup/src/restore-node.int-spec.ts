import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { generateAuthorityKeyPair } from '#libs/envelope';
import { ErrorCode } from '#libs/errors';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import { backUpNode, type BackupWritten } from './back-up-node.js';
import { restoreNode, type RestoreRequest } from './restore-node.js';

/*
 * Backup and restore against the real PostgreSQL with the real pg_dump / pg_restore: a restore is
 * refused on a schema that holds anything, with another operator's key or a wrong passphrase,
 * and over a key file of other content, each before anything is changed; on an empty schema it
 * brings back every row and every key file byte for byte.
 */

const FR = 'FR-MOJ-BEPI';

describe('backup and restore of a node', () => {
  let database: FreshDatabase;
  let admin: pg.Pool;
  let folder: string;
  let env: Record<string, string>;
  let operator: { publicKeyArmored: string; privateKeyArmored: string };
  let stranger: { privateKeyArmored: string };
  let written: BackupWritten;
  const secretFiles = () =>
    Object.fromEntries(Object.values(env).map((file) => [file, readFileSync(file)]));
  let originals: Record<string, Buffer>;

  beforeAll(async () => {
    database = await freshDatabase('backup');
    admin = new pg.Pool({ connectionString: database.url, max: 1 });
    folder = mkdtempSync(join(tmpdir(), 'backup-int-'));
    const node = await generateAuthorityKeyPair({
      authorityId: FR,
      authorityName: 'Bureau',
      passphrase: 'node passphrase',
    });
    env = {
      GATEWAY_PRIVATE_KEY_FILE: join(folder, 'node.key.asc'),
      GATEWAY_DATA_KEY_FILE: join(folder, 'data.key'),
      GATEWAY_DATA_KEY_RETIRED_FILES: `${join(folder, 'old-1.key')},${join(folder, 'old-2.key')}`,
      GATEWAY_TOKEN_SECRET_FILE: join(folder, 'token.secret'),
      GATEWAY_REGISTER_SECRET_FILE: join(folder, 'register.secret'),
    };
    writeFileSync(env.GATEWAY_PRIVATE_KEY_FILE, node.privateKeyArmored, { mode: 0o600 });
    for (const file of [
      env.GATEWAY_DATA_KEY_FILE,
      join(folder, 'old-1.key'),
      join(folder, 'old-2.key'),
      env.GATEWAY_TOKEN_SECRET_FILE,
      env.GATEWAY_REGISTER_SECRET_FILE,
    ]) {
      writeFileSync(file, randomBytes(32), { mode: 0o600 });
    }
    env = Object.fromEntries(
      Object.entries(env).flatMap(([variable, files]) =>
        files.split(',').map((file, index) => [index ? `${variable}#${index}` : variable, file]),
      ),
    );
    originals = secretFiles();
    operator = await generateAuthorityKeyPair({
      authorityId: 'FR-MOJ-OPS',
      authorityName: 'Operator',
      passphrase: 'operator passphrase',
    });
    stranger = await generateAuthorityKeyPair({
      authorityId: 'FR-MOJ-OTH',
      authorityName: 'Another operator',
      passphrase: 'operator passphrase',
    });
    await database.db
      .insertInto('audit_log')
      .values({
        occurred_at: new Date(),
        event: 'user.created',
        actor: 'operator@test',
        details: JSON.stringify({ username: 'officer' }),
      })
      .execute();
  });

  afterAll(async () => {
    await database?.close();
    await admin?.end();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The node's environment as the CLI reads it: lists joined again. */
  const nodeEnv = () => ({
    ...env,
    GATEWAY_DATA_KEY_RETIRED_FILES: `${env.GATEWAY_DATA_KEY_RETIRED_FILES},${env['GATEWAY_DATA_KEY_RETIRED_FILES#1']}`,
  });

  const restore = (overrides: Partial<RestoreRequest> = {}) =>
    restoreNode({
      authorityId: FR,
      database: { url: database.url, schema: database.schema },
      env: nodeEnv(),
      from: join(folder, 'fr.backup'),
      operatorSecretKeyArmored: operator.privateKeyArmored,
      passphrase: 'operator passphrase',
      ...overrides,
    });

  const refusal = async (work: Promise<unknown>) =>
    work.then(
      () => undefined,
      (error: { code?: string; details?: unknown }) => ({
        code: error.code,
        details: error.details,
      }),
    );

  const rows = async (table: string) =>
    Number(
      (await admin.query<{ n: string }>(`select count(*) as n from ${database.schema}.${table}`))
        .rows[0].n,
    );

  it('writes one file encrypted to the operator, with the schema’s tables and the key files', async () => {
    written = await backUpNode({
      authorityId: FR,
      database: { url: database.url, schema: database.schema },
      env: nodeEnv(),
      operatorPublicKeyArmored: operator.publicKeyArmored,
      out: join(folder, 'fr.backup'),
      now: new Date(),
    });
    const file = readFileSync(written.file);
    expect(written.bytes).toBe(file.byteLength);
    expect(written.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(written.tables.audit_log).toBe(1);
    expect(written.tables.audit_head).toBe(1);
    expect(Object.keys(written.tables).length).toBeGreaterThan(20);
    expect(written.secrets).toEqual([
      'GATEWAY_PRIVATE_KEY_FILE',
      'GATEWAY_DATA_KEY_FILE',
      'GATEWAY_DATA_KEY_RETIRED_FILES',
      'GATEWAY_DATA_KEY_RETIRED_FILES',
      'GATEWAY_TOKEN_SECRET_FILE',
      'GATEWAY_REGISTER_SECRET_FILE',
    ]);
    // Nothing of the key ring or the data keys in clear in the file.
    for (const content of Object.values(originals)) {
      expect(file.includes(content.subarray(0, 16))).toBe(false);
    }
    expect(file.includes(Buffer.from('audit_log'))).toBe(false);
  });

  it('refuses a schema that holds the node: RESTORE_TARGET_NOT_EMPTY, nothing changed', async () => {
    expect(await refusal(restore())).toEqual({
      code: ErrorCode.RESTORE_TARGET_NOT_EMPTY,
      details: [
        {
          field: 'GATEWAY_DB_SCHEMA',
          schema: database.schema,
          objects: expect.any(Number) as number,
          auditTrail: true,
          sha256: written.sha256,
        },
      ],
    });
    expect(await rows('audit_log')).toBe(1);
    expect(secretFiles()).toEqual(originals);
  });

  it('refuses another operator’s key and a wrong passphrase before touching anything', async () => {
    expect(
      await refusal(restore({ operatorSecretKeyArmored: stranger.privateKeyArmored })),
    ).toEqual({
      code: ErrorCode.BACKUP_KEY_MISMATCH,
      details: [expect.objectContaining({ field: '--operator-secret-key' })],
    });
    expect((await refusal(restore({ passphrase: 'wrong' })))?.code).toBe(ErrorCode.KEY_UNAVAILABLE);
    expect((await refusal(restore({ passphrase: undefined })))?.code).toBe(
      ErrorCode.KEY_UNAVAILABLE,
    );
    expect(await rows('audit_log')).toBe(1);
  });

  it('refuses a key file of other content in its way, before the schema is restored', async () => {
    await admin.query(`drop schema ${database.schema} cascade`);
    writeFileSync(env.GATEWAY_TOKEN_SECRET_FILE, randomBytes(32));
    expect(await refusal(restore())).toEqual({
      code: ErrorCode.RESTORE_TARGET_NOT_EMPTY,
      details: [{ field: 'GATEWAY_TOKEN_SECRET_FILE' }],
    });
    const schemas = await admin.query('select 1 from pg_namespace where nspname = $1', [
      database.schema,
    ]);
    expect(schemas.rowCount).toBe(0);
  });

  it('restores every row and every key file on an empty schema', async () => {
    for (const file of Object.values(env)) rmSync(file);
    // An empty schema (created, never migrated) counts as empty.
    await admin.query(`create schema ${database.schema}`);
    const restored = await restore();
    expect(restored.sha256).toBe(written.sha256);
    expect(restored.tables).toEqual(written.tables);
    for (const [table, count] of Object.entries(written.tables)) {
      expect([table, await rows(table)]).toEqual([table, count]);
    }
    expect(secretFiles()).toEqual(originals);
    for (const file of Object.values(env)) {
      expect(existsSync(`${file}.restoring`)).toBe(false);
    }
    // The schema's functions and triggers are back: the audit trail is still append-only.
    await expect(admin.query(`delete from ${database.schema}.audit_log`)).rejects.toThrow(
      /append-only/,
    );
    // And restoring again is refused: the schema is the node now.
    expect((await refusal(restore()))?.code).toBe(ErrorCode.RESTORE_TARGET_NOT_EMPTY);
  });
});
