import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { AuditModule } from '#libs/audit';
import { BusModule } from '#libs/bus';
import { DeadlineWorkerModule } from '#libs/cases';
import { DeliveryModule } from '#libs/delivery';
import { KeysModule } from '#libs/keys';
import { NodeModule } from '#libs/node-config';
import { loggerModule } from '#libs/observability';
import { PersistenceModule } from '#libs/persistence';
import { SchedulingModule } from '#libs/scheduling';
import { WorkerHealthController } from './worker-health.controller.js';

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
    PrometheusModule.register({ path: '/metrics', defaultLabels: { component: 'worker' } }),
  ],
  // Served only when the worker has an HTTP port (GATEWAY_WORKER_HTTP_PORT).
  controllers: [WorkerHealthController],
})
export class WorkerModule {}
