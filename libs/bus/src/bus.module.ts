import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { EVENTS_CLIENT, EventsPublisher, redisTransportOptions } from './events-publisher.js';

/**
 * Redis, as this node's processes share it: the BullMQ connection and key prefix for every queue,
 * and the event bus (`@nestjs/microservices`, Redis transport) the apps notify each other on.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => ({
        connection: { ...redisTransportOptions(config.redis.url), maxRetriesPerRequest: null },
        prefix: config.redis.prefix,
      }),
    }),
    ClientsModule.registerAsync([
      {
        name: EVENTS_CLIENT,
        inject: [NODE_CONFIG],
        useFactory: (config: NodeConfig) => ({
          transport: Transport.REDIS,
          options: redisTransportOptions(config.redis.url),
        }),
      },
    ]),
  ],
  providers: [EventsPublisher],
  exports: [EventsPublisher],
})
export class BusModule {}
