import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import { AuthorityDirectory } from '#libs/directory';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { ColumnCipher } from './column-cipher.js';
import { readDataKeys } from './data-keys.js';
import { whenDatabaseAnswers } from './database-faults.js';
import { createDatabase, migrateToLatest } from './database.js';
import { acceptDirectoryVersion } from './directory-versions.js';
import type { Database } from './schema.js';

export const DATABASE = Symbol('DATABASE');

/** A process started during a PostgreSQL restart or fail-over waits this long for it. */
const STARTUP_DATABASE_WAIT_MS = 120_000;
export const InjectDatabase = () => Inject(DATABASE);
export type Db = Kysely<Database>;

@Injectable()
class DatabaseShutdown implements OnApplicationShutdown {
  constructor(@InjectDatabase() private readonly db: Db) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}

/**
 * PostgreSQL, the system of record: one schema per node, migrated and the signed directory checked
 * against rollback (directory-versions.ts) before anything else runs, with
 * case content sealed by the node's data keys (a missing or malformed key file stops start-up).
 */
@Global()
@Module({
  providers: [
    { provide: ColumnCipher, useFactory: () => readDataKeys() },
    {
      provide: DATABASE,
      inject: [NODE_CONFIG, ColumnCipher, AuthorityDirectory, Clock],
      useFactory: async (
        config: NodeConfig,
        cipher: ColumnCipher,
        directory: AuthorityDirectory,
        clock: Clock,
      ) => {
        const logger = new Logger('Database');
        const db = createDatabase(config.database.url, config.database.schema, 10, (error) =>
          logger.warn(
            { err: error.message, code: (error as { code?: string }).code },
            'database connection lost; the next query opens a new one',
          ),
        );
        await whenDatabaseAnswers(
          async () => {
            await migrateToLatest(db, config.database.schema, cipher);
            await acceptDirectoryVersion(db, directory, clock.now());
          },
          {
            giveUpAfterMs: STARTUP_DATABASE_WAIT_MS,
            onWait: (error, retryInMs) =>
              logger.warn(
                { err: error.message, retryInMs },
                'database unavailable at start-up; waiting',
              ),
          },
        );
        return db;
      },
    },
    DatabaseShutdown,
  ],
  exports: [DATABASE, ColumnCipher],
})
export class PersistenceModule {}
