import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadNodeConfig } from '#libs/node-config';
import { exitOnStartupFailure } from '#libs/observability';
import { WorkerModule } from './worker.module.js';

/**
 * The delivery worker: the queue consumers and the node's periodic work. With
 * GATEWAY_WORKER_HTTP_PORT it also serves /health/live, /health/ready and /metrics (loopback by
 * default: no officer ever calls a worker). On SIGTERM it stops taking jobs and waits for the
 * ones in flight (BullMQ worker.close()).
 */
async function bootstrap(): Promise<void> {
  const { worker } = loadNodeConfig();
  // A start-up failure is rethrown to exitOnStartupFailure (one structured line), not ended by Nest.
  const options = { bufferLogs: true, abortOnError: false };
  if (worker.httpPort === undefined) {
    const app = await NestFactory.createApplicationContext(WorkerModule, options);
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    await app.init();
    return;
  }
  const app = await NestFactory.create(WorkerModule, options);
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(worker.httpPort, worker.httpHost);
}

bootstrap().catch(exitOnStartupFailure('worker'));
