import { Injectable } from '@nestjs/common';
import type { AccessScope } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import type { EnvelopePayload } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock } from '#libs/node-config';
import type { EvidenceRow, MessageRow } from '#libs/persistence';
import {
  contentErasureOf,
  MessageRepository,
  type ContentErasure,
  type MessageFilter,
} from './message.repository.js';

export interface MessageView {
  id: string;
  direction: string;
  status: string;
  procedure: string;
  messageType: string;
  sender: string;
  recipient: string;
  caseReference: string | null;
  inReplyTo: string | null;
  createdAt: string;
  statusChangedAt: string;
  attempts: number;
  lastError: string | null;
  retryUntil: string | null;
}

export interface MessageDetail extends MessageView {
  /**
   * Once erased under a retention profile, the metadata and handling conditions only: the body
   * says `contentErased` and the files are listed by their kept manifests, not here.
   */
  payload: EnvelopePayload;
  contentErasure: ContentErasure | null;
  envelopeSha256: string | null;
  receipt: { receivedAt: string; signerFingerprint: string; envelopeSha256: string } | null;
  evidences: Array<{
    kind: EvidenceRow['kind'];
    occurredAt: string;
    details: Record<string, unknown>;
  }>;
}

export function toView(row: MessageRow): MessageView {
  return {
    id: row.id,
    direction: row.direction,
    status: row.status,
    procedure: row.procedure,
    messageType: row.message_type,
    sender: row.sender,
    recipient: row.recipient,
    caseReference: row.case_reference,
    inReplyTo: row.in_reply_to,
    createdAt: row.created_at.toISOString(),
    statusChangedAt: row.status_changed_at.toISOString(),
    attempts: row.attempts,
    lastError: row.last_error,
    retryUntil: row.retry_until?.toISOString() ?? null,
  };
}

@Injectable()
export class ListMessages {
  constructor(private readonly messages: MessageRepository) {}

  async execute(filter: MessageFilter, scope: AccessScope): Promise<MessageView[]> {
    return (await this.messages.list(filter, scope)).map(toView);
  }
}

@Injectable()
export class GetMessage {
  constructor(private readonly messages: MessageRepository) {}

  async execute(messageId: string, scope: AccessScope): Promise<MessageDetail> {
    const row = await this.messages.requireVisible(messageId, scope);
    const [envelope, receipt, evidences] = await Promise.all([
      this.messages.findEnvelope(messageId),
      this.messages.findReceipt(messageId),
      this.messages.findEvidences(messageId),
    ]);
    return {
      ...toView(row),
      payload: this.messages.openPayload(row),
      contentErasure: contentErasureOf(row),
      envelopeSha256: envelope?.sha256 ?? null,
      receipt: receipt
        ? {
            receivedAt: receipt.received_at.toISOString(),
            signerFingerprint: receipt.signer_fingerprint,
            envelopeSha256: receipt.envelope_sha256,
          }
        : null,
      evidences: evidences.map((e) => ({
        kind: e.kind,
        occurredAt: e.occurred_at.toISOString(),
        details: e.details,
      })),
    };
  }
}

/** An officer opened a received message: RECEIVED becomes READ (Domibus: DOWNLOADED). */
@Injectable()
export class MarkMessageRead {
  constructor(
    private readonly messages: MessageRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(
    messageId: string,
    context: { actor: string; correlationId: string; scope: AccessScope },
  ): Promise<MessageView> {
    await this.messages.requireVisible(messageId, context.scope);
    return this.messages.transaction(async (trx) => {
      const row = await this.messages.lock(trx, messageId);
      if (row.direction !== 'inbound') {
        throw new GatewayError(
          ErrorCode.INVALID_STATUS_TRANSITION,
          'only received messages can be marked read',
        );
      }
      if (row.status === 'read') return toView(row);
      const now = this.clock.now();
      await this.messages.transition(trx, messageId, 'read', now);
      await this.audit.record(
        {
          event: 'message.read',
          actor: context.actor,
          messageId,
          correlationId: context.correlationId,
        },
        trx,
      );
      return toView({ ...row, status: 'read', status_changed_at: now });
    });
  }
}
