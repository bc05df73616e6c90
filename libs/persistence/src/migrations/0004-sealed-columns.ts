import { sql, type Kysely, type Migration } from 'kysely';
import type { ColumnCipher, SealedColumn } from '../column-cipher.js';

interface Target {
  table: string;
  column: string;
  /** The row's key, which the ciphertext is bound to. */
  key: string;
  keyType: 'uuid' | 'text';
  nullable: boolean;
}

/** The sealed columns that existed when this migration was written; later ones are sealed from birth. */
type SealedBy0004 = Extract<
  SealedColumn,
  | 'messages.payload'
  | 'requests.state'
  | 'requests.suggested_deadline'
  | 'deadlines.clock'
  | 'case_facts.facts'
>;

/** Case content about persons, and what is derived from it: sealed with the node's data key. */
const TARGETS: Record<SealedBy0004, Target> = {
  'messages.payload': {
    table: 'messages',
    column: 'payload',
    key: 'id',
    keyType: 'uuid',
    nullable: false,
  },
  'requests.state': {
    table: 'requests',
    column: 'state',
    key: 'id',
    keyType: 'uuid',
    nullable: false,
  },
  'requests.suggested_deadline': {
    table: 'requests',
    column: 'suggested_deadline',
    key: 'id',
    keyType: 'uuid',
    nullable: true,
  },
  'deadlines.clock': {
    table: 'deadlines',
    column: 'clock',
    key: 'id',
    keyType: 'uuid',
    nullable: false,
  },
  'case_facts.facts': {
    table: 'case_facts',
    column: 'facts',
    key: 'case_reference',
    keyType: 'text',
    nullable: false,
  },
};

const BATCH = 500;

/**
 * jsonb columns become bytea holding AES-256-GCM ciphertexts (column-cipher.ts). Rows already
 * stored are sealed in place with the current data key; the plaintext column is dropped only once
 * every value it held has its sealed copy, in the same transaction as the rest of the migration.
 */
export function sealColumns(cipher: ColumnCipher): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const [name, target] of Object.entries(TARGETS) as Array<[SealedBy0004, Target]>) {
        await sealColumn(db, cipher, name, target);
      }
    },
    async down(): Promise<void> {
      throw new Error('sealed columns are never turned back into plaintext by a migration');
    },
  };
}

async function sealColumn(
  db: Kysely<unknown>,
  cipher: ColumnCipher,
  name: SealedColumn,
  { table, column, key, keyType, nullable }: Target,
): Promise<void> {
  const sealedColumn = `${column}_sealed`;
  await sql`alter table ${sql.table(table)} add column ${sql.id(sealedColumn)} bytea`.execute(db);
  let after: string | undefined;
  for (;;) {
    const { rows } = await sql<{ key: string; value: unknown }>`
      select ${sql.ref(key)} as key, ${sql.ref(column)} as value from ${sql.table(table)}
      where ${sql.ref(column)} is not null
        ${after === undefined ? sql`` : sql`and ${sql.ref(key)} > ${after}`}
      order by ${sql.ref(key)} limit ${BATCH}`.execute(db);
    if (rows.length === 0) break;
    const keys = rows.map((row) => row.key);
    const sealed = rows.map((row) => cipher.seal(name, row.key, row.value));
    await sql`
      update ${sql.table(table)} as t set ${sql.id(sealedColumn)} = v.sealed
      from unnest(${keys}::${sql.raw(keyType)}[], ${sealed}::bytea[]) as v(key, sealed)
      where t.${sql.id(key)} = v.key`.execute(db);
    after = keys[keys.length - 1];
  }
  const { rows } = await sql<{ missing: number }>`
    select count(*)::int as missing from ${sql.table(table)}
    where ${sql.ref(column)} is not null and ${sql.id(sealedColumn)} is null`.execute(db);
  if (rows[0].missing > 0) {
    throw new Error(
      `${name}: ${rows[0].missing} rows have no sealed copy; the migration is rolled back and nothing is dropped`,
    );
  }
  await sql`alter table ${sql.table(table)} drop column ${sql.id(column)}`.execute(db);
  await sql`alter table ${sql.table(table)} rename column ${sql.id(sealedColumn)} to ${sql.id(column)}`.execute(
    db,
  );
  if (!nullable) {
    await sql`alter table ${sql.table(table)} alter column ${sql.id(column)} set not null`.execute(
      db,
    );
  }
}
