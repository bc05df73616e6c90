import { Injectable } from '@nestjs/common';
import type { AccessScope } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { AuthorityDirectory } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { MessageRepository } from '#libs/messaging';
import { Clock } from '#libs/node-config';
import type { EvidenceBundle } from './evidence-bundle.js';

@Injectable()
export class ExportEvidence {
  constructor(
    private readonly messages: MessageRepository,
    private readonly audit: AuditTrail,
    private readonly directory: AuthorityDirectory,
    private readonly clock: Clock,
  ) {}

  async execute(
    messageId: string,
    context: { actor: string; correlationId: string | null; scope: AccessScope },
  ): Promise<EvidenceBundle> {
    const row = await this.messages.requireVisible(messageId, context.scope);
    const [envelope, receipt, evidences] = await Promise.all([
      this.messages.findEnvelope(messageId),
      this.messages.findReceipt(messageId),
      this.messages.findEvidences(messageId),
    ]);
    if (!envelope)
      throw new GatewayError(
        ErrorCode.MESSAGE_NOT_FOUND,
        `message ${messageId} has no stored envelope`,
      );
    // The export itself is audited before the bundle is assembled, so the bundle lists it.
    await this.audit.record({
      event: 'evidence.exported',
      actor: context.actor,
      messageId,
      correlationId: context.correlationId,
    });
    const keys = [row.sender, row.recipient].flatMap((id) => {
      const authority = this.directory.find(id);
      return authority
        ? [
            {
              authorityId: id,
              // Old keys too: the envelope and receipt may predate a rotation.
              armored: authority.keys.map((key) => key.publicKeyArmored.trim()).join('\n'),
              periods: authority.keys.map((key) => ({
                fingerprint: key.fingerprint,
                validFrom: key.validFrom.toISOString(),
                validUntil: key.validUntil?.toISOString() ?? null,
                revokedAt: key.revokedAt?.toISOString() ?? null,
                revocationReason: key.revocationReason ?? null,
              })),
            },
          ]
        : [];
    });
    return {
      format: 'tip-gateway-evidence/1',
      exportedAt: this.clock.now().toISOString(),
      exportedBy: context.actor,
      message: {
        id: row.id,
        direction: row.direction,
        status: row.status,
        procedure: row.procedure,
        messageType: row.message_type,
        sender: row.sender,
        recipient: row.recipient,
        createdAt: row.created_at.toISOString(),
      },
      envelope,
      receipts: receipt
        ? [
            {
              armored: receipt.armored,
              envelopeSha256: receipt.envelope_sha256,
              receivedAt: receipt.received_at.toISOString(),
              signerFingerprint: receipt.signer_fingerprint,
            },
          ]
        : [],
      evidences: evidences.map((e) => ({
        kind: e.kind,
        occurredAt: e.occurred_at.toISOString(),
        details: e.details,
      })),
      keys,
      audit: await this.audit.entriesFor(messageId),
    };
  }
}
