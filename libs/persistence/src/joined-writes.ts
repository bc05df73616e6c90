import type {
  InsertQueryBuilder,
  InsertResult,
  QueryCreator,
  UpdateQueryBuilder,
  UpdateResult,
} from 'kysely';
import type { Database } from './schema.js';

/** One insert or update of a change, built on the statement that will carry it (see writeTogether). */
export type JoinedWrite = (db: Pick<QueryCreator<Database>, 'insertInto' | 'updateTable'>) =>
  // Any table, any output: a joined write's rows are not read (kysely's CTE type needs `any`).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  InsertQueryBuilder<Database, any, any> | UpdateQueryBuilder<Database, any, any, any>;

/** What can carry joined writes: the database or a transaction. */
export type WriteExecutor = Pick<QueryCreator<Database>, 'with' | 'insertInto' | 'updateTable'>;

/**
 * Writes the inserts and updates of one change as one statement (data-modifying CTEs, the last
 * write as the main statement): one round trip instead of one each, and all or none even outside
 * a transaction. Rows may refer to one another in any order: foreign keys are checked at the
 * statement's end. Resolves to the number of rows the last write inserted or updated, which a
 * conditional update (a status that must still hold) is judged by.
 */
export async function writeTogether(
  executor: WriteExecutor,
  writes: readonly JoinedWrite[],
): Promise<bigint> {
  if (writes.length === 0) return 0n;
  let creator: WriteExecutor = executor;
  for (const [index, write] of writes.slice(0, -1).entries()) {
    creator = creator.with(`joined_${index}`, write);
  }
  // The last write returns nothing of its rows: its result is kysely's count.
  const result = (await writes[writes.length - 1](creator).executeTakeFirst()) as
    InsertResult | UpdateResult;
  return 'numUpdatedRows' in result
    ? result.numUpdatedRows
    : (result.numInsertedOrUpdatedRows ?? 0n);
}
