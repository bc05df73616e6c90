import { Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { BusModule, JobsModule } from '#libs/bus';
import { DEADLINE_QUEUE, DeadlineWorkerModule } from '#libs/cases';
import { DeliveryModule } from '#libs/delivery';
import { KeysModule } from '#libs/keys';
import { DELIVERY_QUEUE } from '#libs/messaging';
import { NodeModule } from '#libs/node-config';
import { loggerModule } from '#libs/observability';
import { PersistenceModule } from '#libs/persistence';
import { SchedulingModule } from '#libs/scheduling';

@Module({
  imports: [
    loggerModule('worker'),
    NodeModule,
    PersistenceModule,
    AuditModule.forComponent('worker'),
    SchedulingModule,
    KeysModule,
    BusModule,
    DeliveryModule,
    DeadlineWorkerModule,
    // Every job of these queues must have its @OnJob handler among the modules above.
    JobsModule.consume([DELIVERY_QUEUE, DEADLINE_QUEUE]),
  ],
})
export class WorkerModule {}
