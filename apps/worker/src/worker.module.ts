import { Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { DeliveryModule } from '#libs/delivery';
import { NodeModule } from '#libs/node-config';
import { loggerModule } from '#libs/observability';
import { PersistenceModule } from '#libs/persistence';

@Module({
  imports: [
    loggerModule('worker'),
    NodeModule,
    PersistenceModule,
    AuditModule.forComponent('worker'),
    DeliveryModule,
  ],
})
export class WorkerModule {}
