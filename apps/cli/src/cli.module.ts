import { Module } from '@nestjs/common';
import { AuditModule } from '#libs/audit';
import { BusModule } from '#libs/bus';
import { CasesModule } from '#libs/cases';
import { EvidenceModule } from '#libs/evidence';
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
    BusModule,
    CasesModule,
    EvidenceModule,
  ],
})
export class CliModule {}
