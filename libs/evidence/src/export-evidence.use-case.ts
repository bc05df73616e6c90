import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { AccessScope } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { AuthorityDirectory } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { chunkFileName, FILES_CONFIG, type FilesConfig } from '#libs/files';
import {
  contentErasureOf,
  inboundChunksDir,
  MessageAttachmentsRepository,
  MessageRepository,
  outboundChunksDir,
} from '#libs/messaging';
import { Clock } from '#libs/node-config';
import type { EvidenceAttachment, EvidenceBundle } from './evidence-bundle.js';

/** A sealed chunk this node keeps, to be streamed into a bundle. */
export interface SealedChunk {
  path: string;
  bytes: number;
  sha256: string;
}

@Injectable()
export class ExportEvidence {
  constructor(
    private readonly messages: MessageRepository,
    private readonly audit: AuditTrail,
    private readonly directory: AuthorityDirectory,
    private readonly clock: Clock,
    private readonly attachments: MessageAttachmentsRepository,
    @Inject(FILES_CONFIG) private readonly files: FilesConfig,
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
      envelope: { armored: envelope.armored, sha256: envelope.sha256 },
      contentErasure: contentErasureOf(row),
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
      attachments: await this.attachmentsOf(messageId, row.direction),
    };
  }

  /**
   * One sealed chunk of a message's file, as this node keeps it (sent or received), for a bundle.
   * Not audited one by one: the bytes are sealed (nothing readable without a private key), and
   * the export of the bundle that lists them is audited.
   */
  async sealedChunk(
    messageId: string,
    position: number,
    index: number,
    scope: AccessScope,
  ): Promise<SealedChunk> {
    const row = await this.messages.requireVisible(messageId, scope);
    const attachment = (await this.attachmentsOf(messageId, row.direction)).find(
      (a) => a.position === position,
    );
    const chunk = attachment?.chunks.find((c) => c.index === index);
    if (!chunk) {
      throw new GatewayError(
        ErrorCode.ATTACHMENT_NOT_FOUND,
        `message ${messageId} has no chunk ${index} of a file at position ${position}`,
        [{ field: 'chunk', attachment: position, chunk: index }],
      );
    }
    if (!chunk.held) {
      throw new GatewayError(
        ErrorCode.ATTACHMENT_INCOMPLETE,
        `this node does not hold chunk ${index} of attachment ${position}`,
        [{ field: 'chunk', attachment: position, chunk: index }],
      );
    }
    return {
      path: this.chunkPath(messageId, row.direction, position, index),
      bytes: chunk.bytes,
      sha256: chunk.sha256,
    };
  }

  private async attachmentsOf(
    messageId: string,
    direction: 'outbound' | 'inbound',
  ): Promise<EvidenceAttachment[]> {
    const attachments = await this.attachments.list(messageId);
    return Promise.all(
      attachments.map(async ({ position, manifest }) => {
        const chunks = await Promise.all(
          (manifest.chunks ?? []).map(async ({ bytes, sha256 }, index) => {
            const size = await stat(this.chunkPath(messageId, direction, position, index)).then(
              (s) => s.size,
              () => null,
            );
            return {
              index,
              file: chunkFileName(index),
              bytes,
              sha256,
              // A received chunk is kept only once verified; a partial one is never listed.
              held: size === bytes,
            };
          }),
        );
        return { position, manifest, chunks };
      }),
    );
  }

  private chunkPath(
    messageId: string,
    direction: 'outbound' | 'inbound',
    position: number,
    index: number,
  ): string {
    const dir = direction === 'outbound' ? outboundChunksDir : inboundChunksDir;
    return join(dir(this.files.dir, messageId, position), chunkFileName(index));
  }
}
