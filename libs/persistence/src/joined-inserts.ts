import type { InsertQueryBuilder, QueryCreator } from 'kysely';
import type { Database } from './schema.js';

/** One insert of a change, built on the statement that will carry it (see insertTogether). */
export type JoinedInsert = (
  db: Pick<QueryCreator<Database>, 'insertInto'>,
  // Any table, any output: a joined insert's rows are not read (kysely's CTE type needs `any`).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
) => InsertQueryBuilder<Database, any, any>;

/** What can carry joined inserts: the database or a transaction. */
export type InsertExecutor = Pick<QueryCreator<Database>, 'with' | 'insertInto'>;

/**
 * Writes the inserts of one change as one statement (data-modifying CTEs, the last insert as the
 * main statement): one round trip instead of one each, and all or none even outside a
 * transaction. Rows may refer to one another in any order: foreign keys are checked at the
 * statement's end.
 */
export async function insertTogether(
  executor: InsertExecutor,
  inserts: readonly JoinedInsert[],
): Promise<void> {
  if (inserts.length === 0) return;
  let creator: InsertExecutor = executor;
  for (const [index, insert] of inserts.slice(0, -1).entries()) {
    creator = creator.with(`joined_${index}`, insert);
  }
  await inserts[inserts.length - 1](creator).execute();
}
