import { Inject, Injectable, Logger } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { AuditTrail } from '#libs/audit';
import { AuthorityDirectory } from '#libs/directory';
import {
  sealEnvelope,
  sha256Hex,
  type AttachmentDigest,
  type EnvelopePayload,
  type HandlingConditions,
  type Procedure,
} from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { DeliveryQueue } from './delivery-queue.js';
import { MessageRepository } from './message.repository.js';

export interface MessageDraft {
  recipient: string;
  procedure: Procedure;
  messageType: string;
  caseReference?: string | null;
  inReplyTo?: string | null;
  handling: HandlingConditions;
  body: Record<string, unknown>;
  attachments?: AttachmentDigest[];
}

export interface SubmissionContext {
  actor: string;
  correlationId: string;
}

export interface SubmissionAccepted {
  messageId: string;
  status: 'queued';
  createdAt: string;
  envelopeSha256: string;
}

/**
 * Accepts a message for sending: seals it, stores message and envelope with a submission
 * acceptance evidence and an audit entry in one transaction, then enqueues its delivery. If the
 * enqueue is lost, the reconciler re-creates the job from PostgreSQL.
 */
@Injectable()
export class SubmitMessage {
  private readonly logger = new Logger(SubmitMessage.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly audit: AuditTrail,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly queue: DeliveryQueue,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(draft: MessageDraft, context: SubmissionContext): Promise<SubmissionAccepted> {
    const recipient = this.directory.find(draft.recipient);
    if (!recipient) {
      throw new GatewayError(
        ErrorCode.UNKNOWN_RECIPIENT,
        `${draft.recipient} is not in the authority directory`,
        [{ field: 'recipient' }],
      );
    }
    if (!recipient.procedures.includes(draft.procedure)) {
      throw new GatewayError(
        ErrorCode.PROCEDURE_NOT_ACCEPTED,
        `${recipient.id} does not accept ${draft.procedure} messages`,
        [{ field: 'procedure' }],
      );
    }
    const now = this.clock.now();
    const payload: EnvelopePayload = {
      formatVersion: 1,
      messageId: uuidv7({ msecs: now.getTime() }),
      procedure: draft.procedure,
      messageType: draft.messageType,
      sender: this.identity.authorityId,
      recipient: recipient.id,
      createdAt: now.toISOString(),
      inReplyTo: draft.inReplyTo ?? null,
      caseReference: draft.caseReference ?? null,
      handling: draft.handling,
      body: draft.body,
      attachments: draft.attachments ?? [],
    };
    const armored = await sealEnvelope(payload, {
      signingKey: this.identity.privateKey,
      recipientKey: recipient.publicKey,
    });
    const envelopeSha256 = sha256Hex(armored);
    const retryUntil = new Date(now.getTime() + this.config.delivery.retryWindowMs);

    await this.messages.transaction(async (trx) => {
      await this.messages.insert(
        trx,
        {
          payload,
          direction: 'outbound',
          status: 'queued',
          correlationId: context.correlationId,
          retryUntil,
          now,
        },
        { armored, sha256: envelopeSha256 },
      );
      await this.messages.addEvidence(trx, payload.messageId, 'submission-acceptance', now, {
        envelopeSha256,
        retryUntil: retryUntil.toISOString(),
      });
      await this.audit.record(
        {
          event: 'message.sent',
          actor: context.actor,
          messageId: payload.messageId,
          correlationId: context.correlationId,
          details: {
            recipient: recipient.id,
            procedure: payload.procedure,
            messageType: payload.messageType,
            envelopeSha256,
          },
        },
        trx,
      );
    });

    try {
      await this.queue.enqueue({
        messageId: payload.messageId,
        correlationId: context.correlationId,
      });
    } catch (error) {
      this.logger.warn(
        { messageId: payload.messageId, err: (error as Error).message },
        'delivery not enqueued; the reconciler will enqueue it',
      );
    }
    return {
      messageId: payload.messageId,
      status: 'queued',
      createdAt: payload.createdAt,
      envelopeSha256,
    };
  }
}
