import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { exitOnStartupFailure } from '#libs/observability';
import { WorkerModule } from './worker.module.js';

/**
 * The delivery worker: no HTTP server, only the queue consumer and the outbox reconciler.
 * On SIGTERM it stops taking jobs and waits for the ones in flight (BullMQ worker.close()).
 */
async function bootstrap(): Promise<void> {
  // A start-up failure is rethrown to exitOnStartupFailure (one structured line), not ended by Nest.
  const app = await NestFactory.createApplicationContext(WorkerModule, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch(exitOnStartupFailure('worker'));
