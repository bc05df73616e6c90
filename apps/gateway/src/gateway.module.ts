import { BullModule } from '@nestjs/bullmq';
import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { TerminusModule } from '@nestjs/terminus';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessModule } from '#libs/access';
import { AuditModule } from '#libs/audit';
import { BusModule } from '#libs/bus';
import { DEADLINE_QUEUE } from '#libs/cases';
import { DeliveryOperationsModule } from '#libs/delivery';
import { EvidenceModule } from '#libs/evidence';
import { FilesModule } from '#libs/files';
import { validationDetails } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { DELIVERY_QUEUE, SendingModule } from '#libs/messaging';
import { KeysModule } from '#libs/keys';
import { NODE_CONFIG, NodeModule, type NodeConfig } from '#libs/node-config';
import { NotificationsModule } from '#libs/notifications';
import { LegalHoldsModule } from '#libs/erasure';
import { loggerModule } from '#libs/observability';
import { PersistenceModule } from '#libs/persistence';
import { SchedulingModule } from '#libs/scheduling';
import { AccessController } from './http/access.controller.js';
import { AccessGuard } from './http/access/access.guard.js';
import { PeerBudget } from './http/access/peer-budget.js';
import {
  AddressRateLimitGuard,
  rateLimitOptions,
  RedisRateLimitStorage,
  UserRateLimitGuard,
} from './http/access/rate-limit.js';
import { AuditController } from './http/audit.controller.js';
import { CaseFactsController } from './http/case-facts.controller.js';
import { DeliveriesController } from './http/deliveries.controller.js';
import { DirectoryController } from './http/directory.controller.js';
import { ProceduresController } from './http/procedures.controller.js';
import { MetricsController, NodeMetrics } from './http/metrics.controller.js';
import { GatewayErrorFilter } from './http/error.filter.js';
import { HealthController } from './http/health.controller.js';
import { HeldSubmissionsController } from './http/held-submissions.controller.js';
import {
  OwnSupervisedSubmissionsController,
  SupervisionController,
} from './http/supervision.controller.js';
import { InboundController } from './http/inbound.controller.js';
import { MailboxController, MailboxStream } from './http/mailbox.controller.js';
import { MessagesController } from './http/messages.controller.js';
import { NotificationsController } from './http/notifications.controller.js';
import { QueueDashboardController } from './http/queue-dashboard.controller.js';
import { RequestsController } from './http/requests.controller.js';
import { LegalHoldsController } from './http/legal-holds.controller.js';
import { RegisterCheckController } from './http/register-check.controller.js';
import { RegisterController } from './http/register.controller.js';
import { SafeguardsController } from './http/safeguards.controller.js';
import { SessionController } from './http/session.controller.js';
import { StatisticsController } from './http/statistics.controller.js';
import { UploadsController } from './http/uploads.controller.js';
import { WitnessController } from './http/witness.controller.js';

@Module({
  imports: [
    loggerModule('gateway'),
    NodeModule,
    PersistenceModule,
    AuditModule.forComponent('gateway'),
    SchedulingModule,
    KeysModule,
    BusModule,
    AccessModule,
    SendingModule,
    DeliveryOperationsModule,
    EvidenceModule,
    FilesModule,
    // The queues the dashboard shows (their owners, messaging and cases, keep them to themselves).
    BullModule.registerQueue({ name: DELIVERY_QUEUE.name }, { name: DEADLINE_QUEUE.name }),
    NotificationsModule.forComponent({ sender: false }),
    LegalHoldsModule,
    ThrottlerModule.forRootAsync({
      inject: [NODE_CONFIG],
      useFactory: (config: NodeConfig) =>
        rateLimitOptions(config, new RedisRateLimitStorage(config)),
    }),
    TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 1000 }),
    PrometheusModule.register({
      path: '/metrics',
      defaultLabels: { component: 'gateway' },
      controller: MetricsController,
    }),
  ],
  controllers: [
    MessagesController,
    HeldSubmissionsController,
    SupervisionController,
    OwnSupervisedSubmissionsController,
    DeliveriesController,
    RequestsController,
    LegalHoldsController,
    SafeguardsController,
    RegisterController,
    CaseFactsController,
    InboundController,
    RegisterCheckController,
    WitnessController,
    MailboxController,
    DirectoryController,
    ProceduresController,
    AccessController,
    SessionController,
    NotificationsController,
    AuditController,
    StatisticsController,
    UploadsController,
    QueueDashboardController,
    HealthController,
  ],
  providers: [
    NodeMetrics,
    MailboxStream,
    PeerBudget,
    { provide: APP_FILTER, useClass: GatewayErrorFilter },
    // In this order: how often from this address, who is calling and may they, how often they call.
    { provide: APP_GUARD, useClass: AddressRateLimitGuard },
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_GUARD, useClass: UserRateLimitGuard },
    {
      provide: APP_PIPE,
      useValue: new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        exceptionFactory: (errors) =>
          new GatewayError(
            ErrorCode.VALIDATION_FAILED,
            'the request does not match its schema',
            validationDetails(errors),
          ),
      }),
    },
  ],
})
export class GatewayModule {}
