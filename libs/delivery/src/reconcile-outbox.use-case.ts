import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DeliveryQueue, MessageRepository } from '#libs/messaging';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { PeriodicTasks } from '#libs/scheduling';

export interface ReconciliationReport {
  pending: number;
  added: number;
  revived: number;
}

/**
 * Rebuilds the queue from PostgreSQL: every pending outbound message gets its delivery job back
 * (Redis flushed, a process killed between the commit and the enqueue, a job that faulted out).
 */
@Injectable()
export class ReconcileOutbox {
  private readonly logger = new Logger(ReconcileOutbox.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  async execute(): Promise<ReconciliationReport> {
    const report: ReconciliationReport = { pending: 0, added: 0, revived: 0 };
    for (const message of await this.messages.pendingOutbound()) {
      report.pending += 1;
      const result = await this.queue.ensure({
        messageId: message.id,
        correlationId: message.correlation_id,
      });
      if (result !== 'present') report[result] += 1;
    }
    if (report.added + report.revived > 0)
      this.logger.warn(report, 'delivery jobs re-created from the database');
    return report;
  }
}

/**
 * Runs the reconciliation at start-up and then periodically, once per node. A timer rather than a
 * BullMQ repeatable job: it must survive the loss of Redis state it is there to repair.
 */
@Injectable()
export class OutboxReconciler implements OnModuleInit {
  constructor(
    private readonly reconcile: ReconcileOutbox,
    private readonly tasks: PeriodicTasks,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  onModuleInit(): void {
    this.tasks.register({
      name: 'outbox-reconcile',
      intervalMs: this.config.delivery.reconcileIntervalMs,
      run: () => this.reconcile.execute(),
    });
  }
}
