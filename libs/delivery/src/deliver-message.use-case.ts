import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { ProcedureTracker } from '#libs/cases';
import { AuthorityDirectory } from '#libs/directory';
import { verifyReceipt } from '#libs/envelope';
import { isGatewayError } from '#libs/errors';
import { EventsPublisher, MailboxEventPattern } from '#libs/bus';
import {
  isFinal,
  MessageRepository,
  type DeliveryJobData,
  type MessageStatus,
} from '#libs/messaging';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import type { MessageRow } from '#libs/persistence';
import { PeerClient } from './peer-client.js';
import { nextAttemptAt } from './retry-policy.js';

export type DeliveryOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; at: Date; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'nothing-to-do'; status: MessageStatus };

/**
 * One delivery attempt: POST the stored envelope to the recipient's node, verify the signed
 * receipt against the directory and record it. Idempotent: the message id is the job id, the
 * receiving node stores an envelope once, and a message already final is left alone.
 */
@Injectable()
export class DeliverMessage {
  private readonly logger = new Logger(DeliverMessage.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly tracker: ProcedureTracker,
    private readonly audit: AuditTrail,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly peers: PeerClient,
    private readonly events: EventsPublisher,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(job: DeliveryJobData): Promise<DeliveryOutcome> {
    const started = await this.start(job);
    if ('kind' in started) return started;
    const message = started;

    const recipient = this.directory.find(message.recipient);
    const envelope = await this.messages.findEnvelope(message.id);
    if (!recipient || !envelope) {
      return this.retryOrFail(
        message,
        job,
        `recipient ${message.recipient} or envelope unavailable`,
      );
    }
    await this.messages.transition(
      this.messages.db,
      message.id,
      'waiting-for-receipt',
      this.clock.now(),
    );

    const answer = await this.peers.deliver(
      recipient.endpoint,
      { sender: message.sender, recipient: message.recipient, messageId: message.id },
      envelope.armored,
      { correlationId: job.correlationId, timeoutMs: this.config.delivery.requestTimeoutMs },
    );
    if (!answer.ok) return this.retryOrFail(message, job, answer.reason);

    try {
      const { receipt, signerFingerprint } = await verifyReceipt(answer.receipt, recipient, {
        messageId: message.id,
        sender: message.sender,
        recipient: message.recipient,
        envelopeSha256: envelope.sha256,
      });
      const now = this.clock.now();
      await this.messages.transaction(async (trx) => {
        await this.messages.transition(trx, message.id, 'delivered', now, { lastError: null });
        await this.messages.storeReceipt(
          trx,
          message.id,
          {
            armored: answer.receipt,
            envelopeSha256: receipt.envelopeSha256,
            receivedAt: receipt.receivedAt,
            signerFingerprint,
          },
          now,
        );
        if (message.request_id === message.id) await this.tracker.delivered(trx, message.id, now);
        await this.messages.addEvidence(trx, message.id, 'delivery', now, {
          receivedAt: receipt.receivedAt,
          signer: signerFingerprint,
        });
        await this.audit.record(
          {
            event: 'message.delivered',
            actor: this.identity.authorityId,
            messageId: message.id,
            correlationId: job.correlationId,
            details: {
              recipient: recipient.id,
              envelopeSha256: receipt.envelopeSha256,
              receivedAt: receipt.receivedAt,
              receiptSigner: signerFingerprint,
            },
          },
          trx,
        );
      });
      await this.publish(MailboxEventPattern.delivered, message, 'delivered', job);
      return { kind: 'delivered' };
    } catch (error) {
      if (!isGatewayError(error)) throw error;
      await this.audit.record({
        event: 'receipt.rejected',
        actor: this.identity.authorityId,
        messageId: message.id,
        correlationId: job.correlationId,
        details: { code: error.code, reason: error.message, recipient: recipient.id },
      });
      return this.retryOrFail(message, job, `${error.code}: ${error.message}`);
    }
  }

  /** Claims the message for this attempt, or closes it if the retry window has passed. */
  private async start(job: DeliveryJobData): Promise<MessageRow | DeliveryOutcome> {
    const now = this.clock.now();
    const outcome = await this.messages.transaction(
      async (trx): Promise<MessageRow | DeliveryOutcome> => {
        const row = await this.messages.lock(trx, job.messageId);
        const status = row.status as MessageStatus;
        if (row.direction !== 'outbound' || isFinal(status))
          return { kind: 'nothing-to-do', status };
        if (row.retry_until && now.getTime() > row.retry_until.getTime()) {
          await this.fail(trx, row, job, row.last_error ?? 'retry window closed', now);
          return { kind: 'failed', reason: 'retry window closed' };
        }
        await this.messages.transition(trx, row.id, 'sending', now, { incrementAttempts: true });
        return { ...row, attempts: row.attempts + 1 };
      },
    );
    if ('kind' in outcome && outcome.kind === 'failed') {
      await this.publish(
        MailboxEventPattern.deliveryFailed,
        await this.messages.require(job.messageId),
        'failed',
        job,
        outcome.reason,
      );
    }
    return outcome;
  }

  private async retryOrFail(
    message: MessageRow,
    job: DeliveryJobData,
    reason: string,
  ): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const at = nextAttemptAt(
      message.attempts,
      now,
      message.retry_until ?? now,
      this.config.delivery,
    );
    await this.messages.transaction(async (trx) => {
      if (at) {
        await this.messages.transition(trx, message.id, 'waiting-for-retry', now, {
          lastError: reason,
        });
        await this.audit.record(
          {
            event: 'message.retried',
            actor: this.identity.authorityId,
            messageId: message.id,
            correlationId: job.correlationId,
            details: { attempt: message.attempts, reason, nextAttemptAt: at.toISOString() },
          },
          trx,
        );
      } else {
        await this.fail(trx, message, job, reason, now);
      }
    });
    if (at) {
      this.logger.log(
        {
          messageId: message.id,
          correlationId: job.correlationId,
          attempt: message.attempts,
          reason,
          nextAttemptAt: at.toISOString(),
        },
        'delivery attempt failed; retry scheduled',
      );
      await this.publish(
        MailboxEventPattern.retryScheduled,
        message,
        'waiting-for-retry',
        job,
        reason,
      );
      return { kind: 'retry', at, reason };
    }
    await this.publish(MailboxEventPattern.deliveryFailed, message, 'failed', job, reason);
    return { kind: 'failed', reason };
  }

  /** The retry window has closed: SEND_FAILURE, a non-delivery evidence and an operator alert. */
  private async fail(
    trx: Parameters<Parameters<MessageRepository['transaction']>[0]>[0],
    message: MessageRow,
    job: DeliveryJobData,
    reason: string,
    now: Date,
  ): Promise<void> {
    await this.messages.transition(trx, message.id, 'failed', now, { lastError: reason });
    await this.messages.addEvidence(trx, message.id, 'non-delivery', now, {
      reason,
      attempts: message.attempts,
      retryUntil: message.retry_until?.toISOString() ?? null,
    });
    await this.audit.record(
      {
        event: 'message.failed',
        actor: this.identity.authorityId,
        messageId: message.id,
        correlationId: job.correlationId,
        details: { recipient: message.recipient, reason, attempts: message.attempts },
      },
      trx,
    );
    this.logger.error(
      {
        alert: 'delivery-failed',
        messageId: message.id,
        correlationId: job.correlationId,
        recipient: message.recipient,
        attempts: message.attempts,
        reason,
      },
      'ALERT: retry window closed; message not delivered',
    );
  }

  private publish(
    pattern: MailboxEventPattern,
    message: MessageRow,
    status: MessageStatus,
    job: DeliveryJobData,
    reason?: string,
  ) {
    return this.events.publish({
      pattern,
      authorityId: message.sender,
      messageId: message.id,
      status,
      counterpart: message.recipient,
      procedure: message.procedure,
      caseReference: message.case_reference,
      messageType: message.message_type,
      occurredAt: this.clock.now().toISOString(),
      correlationId: job.correlationId,
      ...(reason ? { reason } : {}),
    });
  }
}
