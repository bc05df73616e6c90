import fc from 'fast-check';
import { ErrorCode } from '#libs/errors';
import {
  packBackup,
  SECRET_VARIABLES,
  unpackBackup,
  type BackupContents,
} from './backup-archive.js';

const bytes = fc.uint8Array({ maxLength: 512 }).map((array) => Buffer.from(array));

const contents: fc.Arbitrary<BackupContents> = fc.record({
  createdAt: fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
  authorityId: fc.constantFrom('FR-MOJ-BEPI', 'NG-MOJ-CA'),
  schema: fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/),
  postgres: fc.record({
    serverVersion: fc.constant('150020'),
    toolVersion: fc.constant('pg_dump (PostgreSQL) 15.20'),
  }),
  tables: fc.dictionary(fc.stringMatching(/^[a-z_]{1,12}$/), fc.nat()),
  database: bytes,
  secrets: fc.array(
    fc.record({ variable: fc.constantFrom(...SECRET_VARIABLES), index: fc.nat(3), content: bytes }),
    { maxLength: 6 },
  ),
});

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('backup archive', () => {
  it('reads back exactly what it packed', () => {
    fc.assert(
      fc.property(contents, (original) => {
        expect(unpackBackup(packBackup(original))).toEqual(original);
      }),
    );
  });

  it('refuses an archive with any part changed: BACKUP_INVALID naming the part', () => {
    fc.assert(
      fc.property(
        contents.filter((c) => c.database.byteLength > 0),
        fc.nat(),
        (original, position) => {
          const document = JSON.parse(packBackup(original).toString('utf8')) as {
            database: { data: string };
          };
          const database = Buffer.from(document.database.data, 'base64');
          database[position % database.byteLength] ^= 0x01;
          document.database.data = database.toString('base64');
          let caught: { code?: string; details?: unknown } | undefined;
          try {
            unpackBackup(Buffer.from(JSON.stringify(document)));
          } catch (error) {
            caught = error as { code?: string; details?: unknown };
          }
          expect(caught?.code).toBe(ErrorCode.BACKUP_INVALID);
          expect(caught?.details).toEqual([{ field: 'database' }]);
        },
      ),
    );
  });

  it('refuses what is not an archive of this format', () => {
    expect(codeOf(() => unpackBackup(Buffer.from('not json')))).toBe(ErrorCode.BACKUP_INVALID);
    expect(codeOf(() => unpackBackup(Buffer.from('{"format":"tip-node-backup/0"}')))).toBe(
      ErrorCode.BACKUP_INVALID,
    );
    const packed = JSON.parse(
      packBackup({
        createdAt: '2026-12-05T00:00:00.000Z',
        authorityId: 'FR-MOJ-BEPI',
        schema: 'fr',
        postgres: { serverVersion: '150020', toolVersion: '15.20' },
        tables: {},
        database: Buffer.from('dump'),
        secrets: [{ variable: 'GATEWAY_DATA_KEY_FILE', index: 0, content: Buffer.alloc(32) }],
      }).toString('utf8'),
    ) as { secrets: Array<{ variable: string }> };
    packed.secrets[0].variable = 'HOME';
    expect(codeOf(() => unpackBackup(Buffer.from(JSON.stringify(packed))))).toBe(
      ErrorCode.BACKUP_INVALID,
    );
  });
});
