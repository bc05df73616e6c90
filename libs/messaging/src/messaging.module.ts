import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ClientsModule, Transport } from '@nestjs/microservices';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { DELIVERY_QUEUE, DeliveryQueue } from './delivery-queue.js';
import { EVENTS_CLIENT, EventsPublisher, redisTransportOptions } from './events-publisher.js';
import { MessageRepository } from './message.repository.js';
import { GetMessage, ListMessages, MarkMessageRead } from './read-message.use-case.js';
import { ReceiveEnvelope } from './receive-envelope.use-case.js';
import { SubmitMessage } from './submit-message.use-case.js';

/** Messages: submission, reception, queries, the delivery queue's producer and the event bus. */
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => ({
        connection: { ...redisTransportOptions(config.redis.url), maxRetriesPerRequest: null },
        prefix: config.redis.prefix,
      }),
    }),
    BullModule.registerQueue({ name: DELIVERY_QUEUE }),
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
  providers: [
    MessageRepository,
    DeliveryQueue,
    EventsPublisher,
    SubmitMessage,
    ReceiveEnvelope,
    ListMessages,
    GetMessage,
    MarkMessageRead,
  ],
  exports: [
    MessageRepository,
    DeliveryQueue,
    EventsPublisher,
    SubmitMessage,
    ReceiveEnvelope,
    ListMessages,
    GetMessage,
    MarkMessageRead,
  ],
})
export class MessagingModule {}
