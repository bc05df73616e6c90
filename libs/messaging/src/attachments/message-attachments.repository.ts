import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { AttachmentDigest } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  ColumnCipher,
  InjectDatabase,
  type Db,
  type MessageAttachmentRow,
  type MessageDirection,
} from '#libs/persistence';
import type { Trx } from '../message.repository.js';

/** An attachment of a message as this node keeps it (0015): the manifest opened. */
export interface MessageAttachment {
  messageId: string;
  position: number;
  direction: MessageDirection;
  uploadId: string | null;
  /** What the signed envelope says of the file, manifest included. */
  manifest: AttachmentDigest;
  chunkCount: number;
  /** Outbound: chunks the recipient acknowledged. Inbound: chunks received and verified. */
  chunksDone: number;
  /** Inbound: SHA-256 of the file as received, once every chunk is in. */
  receivedSha256: string | null;
  /** When the retention task deleted its chunks and plaintext (README, Retention); the manifest stays. */
  filesErasedAt: Date | null;
}

function rowId(messageId: string, position: number): string {
  return `${messageId}:${position}`;
}

/** PostgreSQL adapter of `message_attachments`, and the binding of uploads to messages. */
@Injectable()
export class MessageAttachmentsRepository {
  constructor(
    @InjectDatabase() readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  /** Records one attachment at its position in the envelope's list. */
  async insertAt(
    db: Db,
    messageId: string,
    position: number,
    direction: MessageDirection,
    manifest: AttachmentDigest,
    now: Date,
  ): Promise<void> {
    await db
      .insertInto('message_attachments')
      .values({
        message_id: messageId,
        position,
        direction,
        upload_id: null,
        file_id: manifest.fileId ?? '',
        manifest: this.cipher.seal(
          'message_attachments.manifest',
          rowId(messageId, position),
          manifest,
        ),
        category: manifest.category ?? 'other',
        size: manifest.size,
        sha256: manifest.sha256,
        chunk_count: manifest.chunks?.length ?? 0,
        created_at: now,
        updated_at: now,
      })
      .execute();
  }

  async insert(
    trx: Trx,
    messageId: string,
    direction: MessageDirection,
    attachments: ReadonlyArray<{ manifest: AttachmentDigest; uploadId?: string }>,
    now: Date,
  ): Promise<void> {
    for (const [position, { manifest, uploadId }] of attachments.entries()) {
      await trx
        .insertInto('message_attachments')
        .values({
          message_id: messageId,
          position,
          direction,
          upload_id: uploadId ?? null,
          file_id: manifest.fileId ?? '',
          manifest: this.cipher.seal(
            'message_attachments.manifest',
            rowId(messageId, position),
            manifest,
          ),
          category: manifest.category ?? 'other',
          size: manifest.size,
          sha256: manifest.sha256,
          chunk_count: manifest.chunks?.length ?? 0,
          created_at: now,
          updated_at: now,
        })
        .execute();
    }
  }

  /**
   * Binds a complete upload of the sender's authority to the message (state `attached`): in the
   * transaction that stores the message, so that a refused message binds nothing and two messages
   * cannot take the same upload (UPLOAD_NOT_ATTACHABLE).
   */
  async bindUpload(
    trx: Trx,
    uploadId: string,
    authority: string,
    messageId: string,
    now: Date,
    heldFor?: string,
  ): Promise<void> {
    const result = await trx
      .updateTable('uploads')
      .set({
        state: 'attached',
        held_for: null,
        message_id: messageId,
        attached_at: now,
        updated_at: now,
      })
      .where('id', '=', uploadId)
      .where('authority', '=', authority)
      .where((eb) =>
        heldFor === undefined
          ? eb('state', '=', 'complete')
          : eb.or([
              eb('state', '=', 'complete'),
              eb.and([eb('state', '=', 'held'), eb('held_for', '=', heldFor)]),
            ]),
      )
      .executeTakeFirst();
    if (result.numUpdatedRows !== 1n) {
      throw new GatewayError(
        ErrorCode.UPLOAD_NOT_ATTACHABLE,
        `upload ${uploadId} is no longer a complete upload waiting to be attached`,
        [{ field: 'attachments', uploadId }],
      );
    }
  }

  async list(messageId: string, db: Db | Trx = this.db): Promise<MessageAttachment[]> {
    const rows = await db
      .selectFrom('message_attachments')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('position')
      .execute();
    return rows.map((row) => this.toAttachment(row));
  }

  /** Records that chunk `index` is done (acknowledged or verified); only ever forwards. */
  async chunkDone(
    db: Db | Trx,
    messageId: string,
    position: number,
    index: number,
    now: Date,
  ): Promise<void> {
    await db
      .updateTable('message_attachments')
      .set({ chunks_done: index + 1, updated_at: now })
      .where('message_id', '=', messageId)
      .where('position', '=', position)
      .where('chunks_done', '=', index)
      .execute();
  }

  /**
   * Runs `work` holding one received file for this node (a session-level advisory lock, on a
   * connection `work` writes through): one gateway process at a time opens its chunks, whichever
   * of them each chunk reached. A process that dies lets go with its session.
   */
  async holdingFile<T>(
    messageId: string,
    position: number,
    work: (db: Db) => Promise<T>,
  ): Promise<T> {
    const lock = `:inbound-file:${messageId}:${position}`;
    return this.db.connection().execute(async (db) => {
      await sql`select pg_advisory_lock(hashtextextended(current_schema() || ${lock}, 0))`.execute(
        db,
      );
      try {
        return await work(db);
      } finally {
        await sql`select pg_advisory_unlock(hashtextextended(current_schema() || ${lock}, 0))`.execute(
          db,
        );
      }
    });
  }

  /** How many chunks of one file are in (inbound) or acknowledged (outbound): one column read. */
  async chunksDoneOf(messageId: string, position: number): Promise<number> {
    const row = await this.db
      .selectFrom('message_attachments')
      .select('chunks_done')
      .where('message_id', '=', messageId)
      .where('position', '=', position)
      .executeTakeFirst();
    return row?.chunks_done ?? 0;
  }

  async acknowledgedUpTo(
    messageId: string,
    position: number,
    chunks: number,
    now: Date,
    db: Db = this.db,
  ): Promise<void> {
    await db
      .updateTable('message_attachments')
      .set({ chunks_done: chunks, updated_at: now })
      .where('message_id', '=', messageId)
      .where('position', '=', position)
      .where('chunks_done', '<', chunks)
      .execute();
  }

  /** A received file is taken again from its first chunk (its file at rest was unusable). */
  async restart(messageId: string, position: number, now: Date, db: Db = this.db): Promise<void> {
    await db
      .updateTable('message_attachments')
      .set({ chunks_done: 0, received_sha256: null, completed_at: null, updated_at: now })
      .where('message_id', '=', messageId)
      .where('position', '=', position)
      .execute();
  }

  async completed(
    db: Db | Trx,
    messageId: string,
    position: number,
    receivedSha256: string,
    now: Date,
  ): Promise<void> {
    await db
      .updateTable('message_attachments')
      .set({ received_sha256: receivedSha256, completed_at: now, updated_at: now })
      .where('message_id', '=', messageId)
      .where('position', '=', position)
      .execute();
  }

  private toAttachment(row: MessageAttachmentRow): MessageAttachment {
    return {
      messageId: row.message_id,
      position: row.position,
      direction: row.direction,
      uploadId: row.upload_id,
      manifest: this.cipher.open<AttachmentDigest>(
        'message_attachments.manifest',
        rowId(row.message_id, row.position),
        row.manifest,
      ),
      chunkCount: row.chunk_count,
      chunksDone: row.chunks_done,
      receivedSha256: row.received_sha256,
      filesErasedAt: row.files_erased_at,
    };
  }
}
