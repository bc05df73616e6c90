import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import {
  ColumnCipher,
  InjectDatabase,
  type Db,
  type UploadRow,
  type UploadState,
} from '#libs/persistence';
import type { FileCategory } from '../seal/manifest.js';

/** An upload as officers and the integrator see it (never its content). */
export interface UploadRecord {
  id: string;
  authority: string;
  uploader: string;
  name: string;
  mediaType: string;
  category: FileCategory;
  size: number;
  received: number;
  sha256: string | null;
  state: UploadState;
  messageId: string | null;
  createdAt: string;
  completedAt: string | null;
  attachedAt: string | null;
  expiredAt: string | null;
  /** The supervised submission a `held` upload waits with. */
  heldFor: string | null;
}

export interface NewUpload {
  id: string;
  authority: string;
  uploader: string;
  name: string;
  mediaType: string;
  category: FileCategory;
  size: number;
}

/** Bytes an authority holds: every upload not expired counts with its declared size. */
const HELD_STATES: UploadState[] = ['uploading', 'complete', 'held', 'attached'];

@Injectable()
export class UploadsRepository {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  /**
   * Records a new upload if the authority's quota allows it; false otherwise. The quota is checked
   * and the row written under one per-authority lock, so that parallel uploads cannot both fit.
   */
  async createWithinQuota(upload: NewUpload, quotaBytes: number, now: Date): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`uploads-quota:${upload.authority}`}))`.execute(
        trx,
      );
      const held = await trx
        .selectFrom('uploads')
        .select(sql<string>`coalesce(sum(size), 0)`.as('bytes'))
        .where('authority', '=', upload.authority)
        .where('state', 'in', HELD_STATES)
        .executeTakeFirstOrThrow();
      if (Number(held.bytes) + upload.size > quotaBytes) return false;
      await trx
        .insertInto('uploads')
        .values({
          id: upload.id,
          authority: upload.authority,
          uploader: upload.uploader,
          name: this.cipher.seal('uploads.name', upload.id, upload.name),
          media_type: upload.mediaType,
          category: upload.category,
          size: upload.size,
          state: 'uploading',
          created_at: now,
          updated_at: now,
        })
        .execute();
      return true;
    });
  }

  async heldBytes(authority: string): Promise<number> {
    const held = await this.db
      .selectFrom('uploads')
      .select(sql<string>`coalesce(sum(size), 0)`.as('bytes'))
      .where('authority', '=', authority)
      .where('state', 'in', HELD_STATES)
      .executeTakeFirstOrThrow();
    return Number(held.bytes);
  }

  async find(id: string): Promise<UploadRecord | undefined> {
    const row = await this.db
      .selectFrom('uploads')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? this.toRecord(row) : undefined;
  }

  async recordReceived(id: string, received: number, now: Date): Promise<void> {
    await this.db
      .updateTable('uploads')
      .set({ received, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'uploading')
      .execute();
  }

  async complete(id: string, sha256: string, now: Date): Promise<void> {
    await this.db
      .updateTable('uploads')
      .set({ state: 'complete', sha256, received: sql`size`, completed_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'uploading')
      .execute();
  }

  /** Attaches a complete upload to a message; false if it is not complete (or attached already). */
  async attach(id: string, messageId: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('uploads')
      .set({ state: 'attached', message_id: messageId, attached_at: now, updated_at: now })
      .where('id', '=', id)
      .where('state', '=', 'complete')
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('uploads').where('id', '=', id).execute();
  }

  /**
   * Claims the uploads created (or released by a decided supervised submission) before `cutoff`
   * and never attached: they are marked expired here, once, whichever process sweeps, and their
   * files are deleted by the caller. Uploads `held` for a waiting supervised submission stay.
   */
  async expireUnattached(cutoff: Date, now: Date, limit = 100): Promise<UploadRecord[]> {
    const rows = await this.db
      .updateTable('uploads')
      .set({ state: 'expired', expired_at: now, updated_at: now })
      .where(
        'id',
        'in',
        this.db
          .selectFrom('uploads')
          .select('id')
          .where('state', 'in', ['uploading', 'complete'])
          .where(sql<Date>`coalesce(released_at, created_at)`, '<', cutoff)
          .limit(limit),
      )
      .where('state', 'in', ['uploading', 'complete'])
      .returningAll()
      .execute();
    return rows.map((row) => this.toRecord(row));
  }

  private toRecord(row: UploadRow): UploadRecord {
    return {
      id: row.id,
      authority: row.authority,
      uploader: row.uploader,
      name: this.cipher.open<string>('uploads.name', row.id, row.name),
      mediaType: row.media_type,
      category: row.category as FileCategory,
      size: Number(row.size),
      received: Number(row.received),
      sha256: row.sha256,
      state: row.state,
      messageId: row.message_id,
      createdAt: row.created_at.toISOString(),
      completedAt: row.completed_at?.toISOString() ?? null,
      attachedAt: row.attached_at?.toISOString() ?? null,
      expiredAt: row.expired_at?.toISOString() ?? null,
      heldFor: row.held_for,
    };
  }
}
