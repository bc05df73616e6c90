import { Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { BusModule } from '#libs/bus';
import { DeadlineWorkerModule } from '#libs/cases';
import { DeliveryModule } from '#libs/delivery';
import { KeysModule } from '#libs/keys';
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
  ],
})
export class WorkerModule {}
