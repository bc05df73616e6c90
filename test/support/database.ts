import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ColumnCipher, createDatabase, DataKey, migrateToLatest, type Db } from '#libs/persistence';

export interface FreshDatabase {
  db: Db;
  url: string;
  schema: string;
  cipher: ColumnCipher;
  /** Destroys the connections and drops the schema. */
  close(): Promise<void>;
}

/**
 * A PostgreSQL schema of its own, migrated to the latest version, for an adapter test: the tier
 * between plain unit tests and real processes (README, "Tests"). Dropped by `close`.
 */
export async function freshDatabase(name: string): Promise<FreshDatabase> {
  const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const schema = `int_${name}_${process.pid}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await admin.query(`drop schema if exists ${schema} cascade`);
  const cipher = new ColumnCipher(new DataKey(randomBytes(32)), []);
  const db = createDatabase(url, schema, 5);
  await migrateToLatest(db, schema, cipher);
  return {
    db,
    url,
    schema,
    cipher,
    async close() {
      await db.destroy();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    },
  };
}
