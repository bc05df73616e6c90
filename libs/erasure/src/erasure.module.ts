import { Module } from '@nestjs/common';
import { FILES_CONFIG, loadFilesConfig } from '#libs/files';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { EraseDueContent, ERASURE_SETTINGS } from './erase-due-content.use-case.js';
import { ErasureRepository } from './erasure.repository.js';
import { LegalHolds } from './legal-holds.js';
import { loadNodeRetention, RETENTION } from './retention-profiles.js';
import { RetentionTask } from './retention.task.js';

/** The erasure batches per run: a backlog is worked off over runs, each batch one transaction. */
const MAX_BATCHES_PER_RUN = 20;

/** Legal holds, set and released by supervisors (the gateway). */
@Module({ providers: [LegalHolds], exports: [LegalHolds] })
export class LegalHoldsModule {}

/** The periodic erasure under the retention profiles (the worker), once per node. */
@Module({
  providers: [
    { provide: RETENTION, useFactory: () => loadNodeRetention() },
    {
      provide: ERASURE_SETTINGS,
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => ({
        batchSize: config.retention.batchSize,
        maxBatches: MAX_BATCHES_PER_RUN,
        supervisedAfterMs: config.retention.supervisedAfterMs,
      }),
    },
    {
      provide: FILES_CONFIG,
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => loadFilesConfig(config.database.schema),
    },
    ErasureRepository,
    EraseDueContent,
    RetentionTask,
  ],
  exports: [EraseDueContent, RETENTION],
})
export class RetentionWorkerModule {}
