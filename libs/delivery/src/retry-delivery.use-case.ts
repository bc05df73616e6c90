import { Inject, Injectable, Logger } from '@nestjs/common';
import { OutOfScopeError } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError, isGatewayError } from '#libs/errors';
import { DeliveryQueue, MessageRepository, type MessageStatus } from '#libs/messaging';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { peerReasonOf, planRetry } from './delivery-retry.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An administrator's request to put an undelivered message back on the delivery queue. */
export interface RetryDeliveryCommand {
  messageId: string;
  /** The caller's authority: only its own outgoing messages are retried. */
  authorityId: string;
  /** Who asks, as the audit trail names them (`user@AUTHORITY`). */
  actor: string;
  correlationId: string;
}

export type RetryDeliveryResult =
  | {
      outcome: 'requeued';
      messageId: string;
      previousStatus: MessageStatus;
      retryUntil: string;
      /** What the queue did: promoted a job waiting out its backoff, added or revived one. */
      job: 'added' | 'revived' | 'promoted' | 'present' | 'deferred';
    }
  /** Queued or on the wire already (a parallel retry got there first): nothing done. */
  | { outcome: 'already-pending'; messageId: string; status: MessageStatus };

/**
 * "Retry delivery": a failed message (or one waiting out its backoff, to try now) goes back to
 * `queued` with a fresh retry window, through the status machine, and its job runs. The row lock
 * makes parallel retries enqueue one delivery; the job id (the message id) and the receiver's
 * duplicate detection (same envelope, same receipt) keep anything from being delivered twice.
 */
@Injectable()
export class RetryDelivery {
  private readonly logger = new Logger(RetryDelivery.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly log: DeliveryLogRepository,
    private readonly queue: DeliveryQueue,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(command: RetryDeliveryCommand): Promise<RetryDeliveryResult> {
    if (!UUID.test(command.messageId)) {
      throw new GatewayError(ErrorCode.VALIDATION_FAILED, 'messageId must be a UUID', [
        { field: 'messageId' },
      ]);
    }
    let requeued: { previousStatus: MessageStatus; retryUntil: Date; correlationId: string };
    try {
      const decided = await this.messages.transaction(async (trx) => {
        const row = await this.messages.lock(trx, command.messageId);
        if (row.authority !== command.authorityId) {
          throw new OutOfScopeError(
            ErrorCode.MESSAGE_NOT_FOUND,
            `message ${command.messageId} does not exist`,
            [{ field: 'messageId' }],
          );
        }
        const previousStatus = row.status as MessageStatus;
        const now = this.clock.now();
        const plan = planRetry(
          { direction: row.direction, status: previousStatus, createdAt: row.created_at },
          now,
          {
            retryWindowMs: this.config.delivery.retryWindowMs,
            replayWindowMs: this.config.inbound.replayWindowMs,
            requestTimeoutMs: this.config.delivery.requestTimeoutMs,
            clockSkewMs: this.config.inbound.clockSkewMs,
          },
        );
        if (plan.kind === 'already-pending')
          return { pending: true as const, status: previousStatus };
        const [evidences, retries] = await Promise.all([
          this.log.lastNonDelivery([row.id], trx),
          this.log.lastRetry([row.id], trx),
        ]);
        await this.messages.transition(trx, row.id, 'queued', now, {
          retryWindow: { until: plan.retryUntil },
        });
        await this.audit.record(
          {
            event: 'delivery.retry-requested',
            actor: command.actor,
            messageId: row.id,
            correlationId: command.correlationId,
            details: {
              recipient: row.recipient,
              previousStatus,
              previousAttempts: row.attempts,
              retryUntil: plan.retryUntil.toISOString(),
              peerReason: peerReasonOf(evidences.get(row.id), retries.get(row.id)),
            },
          },
          trx,
        );
        return {
          pending: false as const,
          previousStatus,
          retryUntil: plan.retryUntil,
          correlationId: row.correlation_id,
        };
      });
      if (decided.pending) {
        return { outcome: 'already-pending', messageId: command.messageId, status: decided.status };
      }
      requeued = decided;
    } catch (error) {
      if (isGatewayError(error) && !(error instanceof OutOfScopeError)) {
        await this.refused(command, error);
      }
      throw error;
    }
    return {
      outcome: 'requeued',
      messageId: command.messageId,
      previousStatus: requeued.previousStatus,
      retryUntil: requeued.retryUntil.toISOString(),
      job: await this.enqueue(command.messageId, requeued.correlationId),
    };
  }

  /** After the commit: a Redis away now only delays the job until the reconciler adds it. */
  private async enqueue(
    messageId: string,
    correlationId: string,
  ): Promise<'added' | 'revived' | 'promoted' | 'present' | 'deferred'> {
    try {
      return await this.queue.expedite({ messageId, correlationId });
    } catch (error) {
      if (!isGatewayError(error) || error.code !== ErrorCode.QUEUE_UNAVAILABLE) throw error;
      this.logger.warn({ messageId, code: error.code }, 'retry queued in PostgreSQL only');
      return 'deferred';
    }
  }

  /** A refused retry is recorded too: who tried, and the rule that stopped it. */
  private async refused(command: RetryDeliveryCommand, error: GatewayError): Promise<void> {
    if (error.code === ErrorCode.MESSAGE_NOT_FOUND || error.code === ErrorCode.VALIDATION_FAILED)
      return;
    await this.audit.record({
      event: 'delivery.retry-refused',
      actor: command.actor,
      messageId: command.messageId,
      correlationId: command.correlationId,
      details: { code: error.code, reason: error.message, details: error.details },
    });
  }
}
