import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AuditTrail } from './audit-trail.js';
import { AUDIT_COMPONENT, StartupAudit } from './startup-audit.js';

@Global()
@Module({})
export class AuditModule {
  /** `component` names the deployable (gateway, worker, cli) in start-up entries. */
  static forComponent(
    component: string,
    options: { recordStartup: boolean } = { recordStartup: true },
  ): DynamicModule {
    return {
      module: AuditModule,
      providers: [
        AuditTrail,
        { provide: AUDIT_COMPONENT, useValue: component },
        ...(options.recordStartup ? [StartupAudit] : []),
      ],
      exports: [AuditTrail],
    };
  }
}
