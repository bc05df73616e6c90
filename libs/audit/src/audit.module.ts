import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { ANONYMOUS_REFUSAL_WINDOW_MS, AnonymousRefusals } from './anonymous-refusals.js';
import { AuditChainer } from './audit-chainer.js';
import { AuditTrail } from './audit-trail.js';
import { AUDIT_COMPONENT, StartupAudit } from './startup-audit.js';
import { AnswerWitnessQuery } from './witness/answer-witness-query.use-case.js';
import { AuditWitnesses } from './witness/audit-witnesses.repository.js';
import { CheckAuditWitnesses } from './witness/check-audit-witnesses.use-case.js';
import { PublishAuditHead } from './witness/publish-audit-head.js';
import { ReceiveHeadStatement } from './witness/receive-head-statement.use-case.js';
import { WitnessRefusals } from './witness/witness-refusals.js';

@Global()
@Module({})
export class AuditModule {
  /**
   * `component` names the deployable (gateway, worker, cli) in start-up entries. Long-running
   * components record their start-up and chain entries in the background; the CLI chains on demand.
   */
  static forComponent(
    component: string,
    options: { longRunning: boolean } = { longRunning: true },
  ): DynamicModule {
    return {
      module: AuditModule,
      providers: [
        AuditTrail,
        AnonymousRefusals,
        {
          provide: ANONYMOUS_REFUSAL_WINDOW_MS,
          inject: [NODE_CONFIG],
          useFactory: (config: NodeConfig) => config.audit.anonymousRefusalWindowSeconds * 1000,
        },
        { provide: AUDIT_COMPONENT, useValue: component },
        AuditWitnesses,
        WitnessRefusals,
        ReceiveHeadStatement,
        AnswerWitnessQuery,
        CheckAuditWitnesses,
        ...(options.longRunning ? [StartupAudit, AuditChainer, PublishAuditHead] : []),
      ],
      exports: [
        AuditTrail,
        AnonymousRefusals,
        ReceiveHeadStatement,
        AnswerWitnessQuery,
        CheckAuditWitnesses,
        WitnessRefusals,
      ],
    };
  }
}
