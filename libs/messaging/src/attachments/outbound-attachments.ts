import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { AttachmentDigest, PrivateKey, PublicKey } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  extractStoredText,
  FILES_CONFIG,
  sealFile,
  SealWorkerPool,
  UploadsService,
  type FileActor,
  type FilesConfig,
  type UploadRecord,
} from '#libs/files';
import { ATTACHMENT_CATEGORIES, type AttachmentCategory } from '#libs/policy';
import type { AttachmentForDecision } from '#libs/safeguards';
import { MessageAttachmentsRepository } from './message-attachments.repository.js';
import type { Trx } from '../message.repository.js';

/** A file a draft attaches: an upload of the sender's authority, by id. */
export interface AttachmentRef {
  uploadId: string;
  /** Overrides the category declared at upload (what the safeguards read: B-1, H-10). */
  category?: AttachmentCategory;
  /** The upload (attached to the same message) this file translates. */
  translationOf?: string;
}

/** An attachment of a draft, resolved to its upload. */
export interface ResolvedAttachment {
  position: number;
  record: UploadRecord & { sha256: string };
  category: AttachmentCategory;
  translationOf?: number;
}

/**
 * Where the chunks sealed for one message copy are kept: sent from there, and kept after delivery
 * like the envelope, as the sender's evidence of exactly what was sent (sealed to itself too).
 */
export function outboundChunksDir(filesDir: string, messageId: string, position: number): string {
  return join(filesDir, 'outbound', messageId, String(position));
}

/**
 * The sending side of evidence files: a draft's attachments resolved to the sender's own complete
 * uploads, their text extracted for the policy decision point, then sealed for each recipient in
 * chunks whose manifest goes into the signed envelope; the uploads are bound to the message in the
 * transaction that stores it.
 */
@Injectable()
export class OutboundAttachments implements OnModuleDestroy {
  private pool?: SealWorkerPool;

  constructor(
    private readonly uploads: UploadsService,
    private readonly repository: MessageAttachmentsRepository,
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
  }

  /**
   * The uploads a draft names: each visible to the officer (their own, or any of the authority's
   * for a supervisor: UPLOAD_NOT_FOUND otherwise, audited) and complete, not yet attached
   * (UPLOAD_NOT_ATTACHABLE; an upload held for a submission awaiting a supervisor is that
   * submission's alone: `heldFor` names it when its supervisor sends it); no upload twice; a
   * translation names another attachment.
   */
  async resolve(
    refs: readonly AttachmentRef[] | undefined,
    officer: FileActor,
    heldFor?: string,
  ): Promise<ResolvedAttachment[]> {
    if (!refs || refs.length === 0) return [];
    const ids = refs.map((ref) => ref.uploadId);
    const twice = ids.find((id, index) => ids.indexOf(id) !== index);
    if (twice) {
      throw new GatewayError(ErrorCode.VALIDATION_FAILED, `upload ${twice} is attached twice`, [
        { field: 'attachments', uploadId: twice },
      ]);
    }
    const resolved: ResolvedAttachment[] = [];
    for (const [position, ref] of refs.entries()) {
      const record = await this.uploads.describe(ref.uploadId, officer);
      const attachable =
        record.state === 'complete' || (record.state === 'held' && record.heldFor === heldFor);
      if (!attachable || record.sha256 === null) {
        throw new GatewayError(
          ErrorCode.UPLOAD_NOT_ATTACHABLE,
          record.state === 'held'
            ? `upload ${ref.uploadId} is held for submission ${record.heldFor}, awaiting a supervisor`
            : `upload ${ref.uploadId} is ${record.state}: only a complete upload can be attached, once`,
          [
            {
              field: `attachments[${position}].uploadId`,
              state: record.state,
              ...(record.state === 'held' && { supervisedSubmissionId: record.heldFor }),
            },
          ],
        );
      }
      const category = ref.category ?? record.category;
      if (!(ATTACHMENT_CATEGORIES as readonly string[]).includes(category)) {
        throw new GatewayError(ErrorCode.VALIDATION_FAILED, `unknown category ${category}`, [
          { field: `attachments[${position}].category` },
        ]);
      }
      let translationOf: number | undefined;
      if (ref.translationOf !== undefined) {
        translationOf = ids.indexOf(ref.translationOf);
        if (translationOf < 0 || translationOf === position) {
          throw new GatewayError(
            ErrorCode.VALIDATION_FAILED,
            'translationOf names another upload attached to the same message',
            [{ field: `attachments[${position}].translationOf` }],
          );
        }
      }
      resolved.push({
        position,
        record: record as UploadRecord & { sha256: string },
        category,
        ...(translationOf !== undefined && { translationOf }),
      });
    }
    return resolved;
  }

  /** What the policy decision point reads of each attachment: its text, or why it has none. */
  async forDecision(
    attachments: readonly ResolvedAttachment[],
    officer: FileActor,
  ): Promise<AttachmentForDecision[]> {
    const decided: AttachmentForDecision[] = [];
    for (const { position, record, category } of attachments) {
      const { reader } = await this.uploads.openStored(record.id, officer);
      let extracted;
      try {
        extracted = await extractStoredText(reader, record.mediaType);
      } finally {
        await reader.close();
      }
      const base = {
        position,
        name: record.name,
        mediaType: record.mediaType,
        category,
        sha256: record.sha256,
      };
      if (extracted.extracted) {
        decided.push({
          ...base,
          text: extracted.truncated ? 'partial' : 'complete',
          content: extracted.text,
        });
      } else {
        decided.push({
          ...base,
          text: extracted.reason === 'unsupported-media-type' ? 'binary' : 'unreadable',
        });
      }
    }
    return decided;
  }

  /**
   * Seals every attachment for one recipient (chunks under the files folder) and returns the
   * manifests the envelope carries. Nothing is left behind on failure.
   */
  async seal(
    attachments: readonly ResolvedAttachment[],
    messageId: string,
    keys: { signingKey: PrivateKey; recipientKey: PublicKey },
    officer: FileActor,
    now: Date,
  ): Promise<AttachmentDigest[]> {
    const manifests: AttachmentDigest[] = [];
    try {
      for (const { position, record, category, translationOf } of attachments) {
        const { reader } = await this.uploads.openStored(record.id, officer);
        try {
          this.pool ??= new SealWorkerPool();
          const manifest = await sealFile(
            reader,
            {
              fileId: record.id,
              name: record.name,
              mediaType: record.mediaType,
              category,
              sha256: record.sha256,
            },
            keys,
            {
              outDir: outboundChunksDir(this.config.dir, messageId, position),
              pool: this.pool,
              chunkBytes: this.config.chunkBytes,
              now,
            },
          );
          manifests.push({
            name: manifest.name,
            mediaType: manifest.mediaType,
            size: manifest.size,
            sha256: manifest.sha256,
            fileId: manifest.fileId,
            category,
            ...(translationOf !== undefined && { translationOf }),
            chunkBytes: manifest.chunkBytes,
            chunks: manifest.chunks,
          });
        } finally {
          await reader.close();
        }
      }
    } catch (error) {
      await this.discard(messageId);
      throw error;
    }
    return manifests;
  }

  /**
   * Records the attachments of a message copy and binds their uploads (same transaction); those
   * held for the supervised submission `heldFor` too.
   */
  async bind(
    trx: Trx,
    messageId: string,
    authority: string,
    attachments: readonly ResolvedAttachment[],
    manifests: readonly AttachmentDigest[],
    bindUploads: boolean,
    now: Date,
    heldFor?: string,
  ): Promise<void> {
    if (attachments.length === 0) return;
    await this.repository.insert(
      trx,
      messageId,
      'outbound',
      attachments.map(({ record }, index) => ({ manifest: manifests[index], uploadId: record.id })),
      now,
    );
    if (!bindUploads) return;
    for (const { record } of attachments) {
      await this.repository.bindUpload(trx, record.id, authority, messageId, now, heldFor);
    }
  }

  /** Removes the chunks sealed for a message copy whose submission was refused. */
  async discard(messageId: string): Promise<void> {
    await rm(join(this.config.dir, 'outbound', messageId), { recursive: true, force: true });
  }
}
