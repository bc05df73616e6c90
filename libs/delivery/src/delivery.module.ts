import { Module } from '@nestjs/common';
import { MessagingModule } from '#libs/messaging';
import { DeliverMessage } from './deliver-message.use-case.js';
import { DeliveryProcessor } from './delivery.processor.js';
import { PeerClient } from './peer-client.js';
import { OutboxReconciler, ReconcileOutbox } from './reconcile-outbox.use-case.js';

/** The delivery worker: consumes the delivery queue and keeps it consistent with PostgreSQL. */
@Module({
  imports: [MessagingModule],
  providers: [PeerClient, DeliverMessage, DeliveryProcessor, ReconcileOutbox, OutboxReconciler],
  exports: [ReconcileOutbox, DeliveryProcessor],
})
export class DeliveryModule {}
