import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PeriodicTasks } from '#libs/scheduling';
import { AuditTrail } from './audit-trail.js';

/**
 * Chains new audit entries every 200 ms, once per node (whichever process leads the task), and
 * once more as each process stops.
 */
@Injectable()
export class AuditChainer implements OnModuleInit {
  constructor(
    private readonly audit: AuditTrail,
    private readonly tasks: PeriodicTasks,
  ) {}

  onModuleInit(): void {
    this.tasks.register({
      name: 'audit-chain',
      intervalMs: 200,
      atShutdown: true,
      run: () => this.audit.chainPending(),
    });
  }
}
