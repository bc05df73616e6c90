import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ENVELOPE_MEDIA_TYPE } from '#libs/envelope';
import { redisTransportOptions } from '#libs/bus';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { exitOnStartupFailure } from '#libs/observability';
import { GatewayModule } from './gateway.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const config = app.get<NodeConfig>(NODE_CONFIG);

  app.useBodyParser('json', { limit: config.http.maxJsonBodyBytes });
  // The envelope is kept as raw bytes: the receipt attests its digest exactly as received.
  app.useBodyParser('raw', { type: ENVELOPE_MEDIA_TYPE, limit: config.http.maxEnvelopeBytes });
  app.set('trust proxy', false);
  app.enableShutdownHooks();

  // Events from this node's workers (delivered, retrying, failed) arrive over Redis.
  app.connectMicroservice<MicroserviceOptions>({
    transport: Transport.REDIS,
    options: redisTransportOptions(config.redis.url),
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Cooperation gateway')
      .setDescription(
        `Gateway node of ${config.authorityId}: signed, encrypted requests between competent authorities`,
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);

  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
}

bootstrap().catch(exitOnStartupFailure('gateway'));
