import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { AuditModule } from '#libs/audit';
import { BusModule, JobsModule } from '#libs/bus';
import { DEADLINE_QUEUE, DeadlineWorkerModule } from '#libs/cases';
import { DeliveryModule } from '#libs/delivery';
import { RetentionWorkerModule } from '#libs/erasure';
import { KeysModule } from '#libs/keys';
import { DELIVERY_QUEUE } from '#libs/messaging';
import { NodeModule } from '#libs/node-config';
import { NotificationsModule } from '#libs/notifications';
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
    NotificationsModule.forComponent({ sender: true }),
    RetentionWorkerModule,
    PrometheusModule.register({ path: '/metrics', defaultLabels: { component: 'worker' } }),
    // Every job of these queues must have its @OnJob handler among the modules above.
    JobsModule.consume([DELIVERY_QUEUE, DEADLINE_QUEUE]),
  ],
  // Served only when the worker has an HTTP port (GATEWAY_WORKER_HTTP_PORT).
  controllers: [WorkerHealthController],
})
export class WorkerModule {}
