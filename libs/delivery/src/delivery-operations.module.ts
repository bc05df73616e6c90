import { Module } from '@nestjs/common';
import { MessagingModule } from '#libs/messaging';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { ListDeliveries } from './list-deliveries.use-case.js';
import { RetryDelivery } from './retry-delivery.use-case.js';

/** The administrators' delivery view and "retry delivery", served by the gateway. */
@Module({
  imports: [MessagingModule],
  providers: [DeliveryLogRepository, ListDeliveries, RetryDelivery],
  exports: [ListDeliveries, RetryDelivery],
})
export class DeliveryOperationsModule {}
