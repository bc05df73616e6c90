import { Module } from '@nestjs/common';
import { AccessModule } from '#libs/access';
import { AuditModule } from '#libs/audit';
import { NodeModule } from '#libs/node-config';
import { loggerModule } from '#libs/observability';
import { PersistenceModule } from '#libs/persistence';

/** The node's operator commands run against its database with its configuration. */
@Module({
  imports: [
    loggerModule('cli'),
    NodeModule,
    PersistenceModule,
    AuditModule.forComponent('cli', { longRunning: false }),
    AccessModule,
  ],
})
export class CliModule {}
