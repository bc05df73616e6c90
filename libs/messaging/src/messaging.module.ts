import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { CasesModule } from '#libs/cases';
import { SafeguardsModule } from '#libs/safeguards';
import { AnswerRequest } from './answer-request.use-case.js';
import { DELIVERY_QUEUE, DeliveryQueue } from './delivery-queue.js';
import { ForwardMessage } from './forward-message.use-case.js';
import { MessageRepository } from './message.repository.js';
import { GetMessage, ListMessages, MarkMessageRead } from './read-message.use-case.js';
import { ReceiveEnvelope } from './receive-envelope.use-case.js';
import { SubmitMessage } from './submit-message.use-case.js';

const useCases = [
  SubmitMessage,
  ForwardMessage,
  AnswerRequest,
  ReceiveEnvelope,
  ListMessages,
  GetMessage,
  MarkMessageRead,
];

/** Messages: submission, reception, queries and the delivery queue's producer. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE }), CasesModule, SafeguardsModule],
  providers: [MessageRepository, DeliveryQueue, ...useCases],
  exports: [MessageRepository, DeliveryQueue, CasesModule, SafeguardsModule, ...useCases],
})
export class MessagingModule {}
