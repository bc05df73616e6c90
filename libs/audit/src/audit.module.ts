import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { ANONYMOUS_REFUSAL_WINDOW_MS, AnonymousRefusals } from './anonymous-refusals.js';
import { AuditChainer } from './audit-chainer.js';
import { AuditTrail } from './audit-trail.js';
import { AUDIT_COMPONENT, StartupAudit } from './startup-audit.js';

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
        ...(options.longRunning ? [StartupAudit, AuditChainer] : []),
      ],
      exports: [AuditTrail, AnonymousRefusals],
    };
  }
}
