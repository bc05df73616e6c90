import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PeriodicTasks } from '#libs/scheduling';
import { AuditTrail } from './audit-trail.js';

/**
 * Chains new audit entries every second, once per node (whichever process leads the task), and
 * once more as each process stops. Whatever reads the chain (verification, the audit views and
 * exports, the witness) chains first, so the period only bounds how long an entry waits unchained:
 * each run costs its node five statements, whatever it chains.
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
      intervalMs: 1000,
      atShutdown: true,
      run: () => this.audit.chainPending(),
    });
  }
}
