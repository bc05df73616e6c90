import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { EVENTS_CLIENT, EventsPublisher } from './events-publisher.js';
import { MailboxEventLog } from './mailbox-event-log.js';
import { eventBusClient, queueConnection } from './redis-connection.js';

/**
 * Redis, as this node's processes share it: the BullMQ connection and key prefix for every queue,
 * and the event bus (`@nestjs/microservices`, Redis transport) the apps notify each other on; and
 * the mailbox events as PostgreSQL records them.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => ({
        connection: queueConnection(config.redis),
        // A hash tag ({tip:<node>}): every queue key of the node in one Redis Cluster slot.
        prefix: config.redis.prefix,
      }),
    }),
    ClientsModule.registerAsync([
      {
        name: EVENTS_CLIENT,
        inject: [NODE_CONFIG],
        useFactory: (config: NodeConfig) => eventBusClient(config.redis),
      },
    ]),
  ],
  providers: [EventsPublisher, MailboxEventLog],
  exports: [EventsPublisher, MailboxEventLog],
})
export class BusModule {}
