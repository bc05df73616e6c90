import { Module, ValidationPipe } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { AuditModule } from '#libs/audit';
import { BusModule } from '#libs/bus';
import { EvidenceModule } from '#libs/evidence';
import { validationDetails } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { SendingModule } from '#libs/messaging';
import { KeysModule } from '#libs/keys';
import { NodeModule } from '#libs/node-config';
import { loggerModule } from '#libs/observability';
import { PersistenceModule } from '#libs/persistence';
import { DirectoryController } from './http/directory.controller.js';
import { GatewayErrorFilter } from './http/error.filter.js';
import { HealthController } from './http/health.controller.js';
import { InboundController } from './http/inbound.controller.js';
import { MailboxController, MailboxStream } from './http/mailbox.controller.js';
import { MessagesController } from './http/messages.controller.js';
import { OfficerContext } from './http/officer-context.js';
import { RequestsController } from './http/requests.controller.js';
import { SafeguardsController } from './http/safeguards.controller.js';

@Module({
  imports: [
    loggerModule('gateway'),
    NodeModule,
    PersistenceModule,
    AuditModule.forComponent('gateway'),
    KeysModule.forComponent({ periodic: false }),
    BusModule,
    SendingModule,
    EvidenceModule,
    TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 1000 }),
  ],
  controllers: [
    MessagesController,
    RequestsController,
    SafeguardsController,
    InboundController,
    MailboxController,
    DirectoryController,
    HealthController,
  ],
  providers: [
    MailboxStream,
    OfficerContext,
    { provide: APP_FILTER, useClass: GatewayErrorFilter },
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
