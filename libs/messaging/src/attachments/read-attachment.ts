import { Injectable } from '@nestjs/common';
import type { AccessScope } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import type { AttachmentDigest } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { EncryptedFileReader, FILES_CONFIG, type FilesConfig } from '#libs/files';
import { ColumnCipher } from '#libs/persistence';
import { Inject } from '@nestjs/common';
import { MessageRepository } from '../message.repository.js';
import { inboundFileOf } from './inbound-chunks.js';
import { MessageAttachmentsRepository } from './message-attachments.repository.js';

/** A received file opened for an officer: what the envelope said of it, and its plaintext. */
export interface OpenedAttachment {
  manifest: AttachmentDigest;
  /** SHA-256 of the file as received (the receipt names it). */
  sha256: string;
  reader: EncryptedFileReader;
}

/**
 * Files received with a message, read by an officer who may see the message: decrypted from rest
 * as they stream; every read (whole or a range) is a `file.retrieved` audit entry.
 */
@Injectable()
export class ReadAttachment {
  constructor(
    private readonly messages: MessageRepository,
    private readonly attachments: MessageAttachmentsRepository,
    private readonly audit: AuditTrail,
    private readonly cipher: ColumnCipher,
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
  ) {}

  async open(messageId: string, position: number, scope: AccessScope): Promise<OpenedAttachment> {
    const message = await this.messages.requireVisible(messageId, scope);
    const file = (await this.attachments.list(messageId)).find((a) => a.position === position);
    if (!file || message.direction !== 'inbound') {
      throw new GatewayError(
        ErrorCode.ATTACHMENT_NOT_FOUND,
        `message ${messageId} has no received file at position ${position}`,
        [{ field: 'position' }],
      );
    }
    if (file.filesErasedAt) {
      throw new GatewayError(
        ErrorCode.CONTENT_ERASED,
        `attachment ${position} was deleted under its retention profile on ${file.filesErasedAt.toISOString().slice(0, 10)}`,
        [
          {
            field: 'position',
            erasedAt: file.filesErasedAt.toISOString(),
            sha256: file.receivedSha256,
          },
        ],
      );
    }
    if (file.receivedSha256 === null) {
      throw new GatewayError(
        ErrorCode.ATTACHMENT_INCOMPLETE,
        `attachment ${position} has ${file.chunksDone} of its ${file.chunkCount} chunks`,
        [{ field: 'position', received: file.chunksDone, chunks: file.chunkCount }],
      );
    }
    const { path, fileId } = inboundFileOf(this.config.dir, messageId, position);
    const reader = await EncryptedFileReader.open(path, fileId, this.cipher);
    if (reader.length !== file.manifest.size) {
      await reader.close();
      throw new GatewayError(
        ErrorCode.STORED_DATA_UNREADABLE,
        `the received file holds ${reader.length} bytes, not the ${file.manifest.size} of its manifest`,
      );
    }
    return { manifest: file.manifest, sha256: file.receivedSha256, reader };
  }

  async recordRetrieval(
    messageId: string,
    position: number,
    opened: OpenedAttachment,
    who: { actor: string; correlationId: string },
    range: { start: number; end: number },
  ): Promise<void> {
    await this.audit.record({
      event: 'file.retrieved',
      actor: who.actor,
      messageId,
      correlationId: who.correlationId,
      details: {
        attachment: position,
        sha256: opened.sha256,
        size: opened.manifest.size,
        range: `${range.start}-${range.end - 1}`,
        bytes: range.end - range.start,
      },
    });
  }
}
