import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { CasesModule } from '#libs/cases';
import { FILES_CONFIG, FilesModule, loadFilesConfig } from '#libs/files';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { SafeguardsModule } from '#libs/safeguards';
import { AnswerRequest } from './answer-request.use-case.js';
import { InboundChunks } from './attachments/inbound-chunks.js';
import { MessageAttachmentsRepository } from './attachments/message-attachments.repository.js';
import { ReadAttachment } from './attachments/read-attachment.js';
import { OutboundAttachments } from './attachments/outbound-attachments.js';
import { DELIVERY_QUEUE, DeliveryQueue } from './delivery-queue.js';
import { ForwardMessage } from './forward-message.use-case.js';
import { HeldSubmissionsRepository } from './held-submissions.repository.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { InboundDecryption } from './inbound-decryption.js';
import { MessageRepository } from './message.repository.js';
import { GetMessage, ListMessages, MarkMessageRead } from './read-message.use-case.js';
import { ReceiveEnvelope } from './receive-envelope.use-case.js';
import { ReleaseHeldSubmissions } from './release-held-submissions.js';
import { SubmitMessage } from './submit-message.use-case.js';
import { SuperviseSubmissions } from './supervise-submissions.use-case.js';
import { SupervisedSubmissionsRepository } from './supervised-submissions.repository.js';

const receiving = [
  ReceiveEnvelope,
  InboundChunks,
  ReadAttachment,
  ListMessages,
  GetMessage,
  MarkMessageRead,
];

/** Messages: the record, the delivery queue's producer, reception and queries. */
@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE.name }), CasesModule],
  providers: [
    // Where files are kept (the same GATEWAY_FILES_* settings as the uploads of libs/files).
    {
      provide: FILES_CONFIG,
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) => loadFilesConfig(config.database.schema),
    },
    MessageRepository,
    MessageAttachmentsRepository,
    DeliveryQueue,
    InboundDecryption,
    ...receiving,
  ],
  exports: [
    FILES_CONFIG,
    MessageRepository,
    MessageAttachmentsRepository,
    DeliveryQueue,
    CasesModule,
    ...receiving,
  ],
})
export class MessagingModule {}

const sending = [
  SubmitMessage,
  OutboundAttachments,
  AnswerRequest,
  ForwardMessage,
  HeldSubmissionsRepository,
  SupervisedSubmissionsRepository,
  SuperviseSubmissions,
  IdempotencyKeysRepository,
  ReleaseHeldSubmissions,
];

/**
 * Sending: every path out of the node, each through the policy decision point. Only the gateway
 * sends, so only it loads the safeguards (and the protected-persons register into memory).
 */
@Module({
  imports: [MessagingModule, SafeguardsModule, FilesModule],
  providers: sending,
  exports: [MessagingModule, SafeguardsModule, ...sending],
})
export class SendingModule {}
