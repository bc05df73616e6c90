import { createHash, type Hash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DataStore, Upload } from '@tus/utils';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { ColumnCipher } from '#libs/persistence';
import { EncryptedFileReader, EncryptedFileWriter } from '../at-rest/encrypted-file.js';

/** What the store tells the upload service as bytes arrive. */
export interface UploadProgress {
  /** Bytes received so far (committed: they survive a crash). */
  received(id: string, bytes: number): Promise<void>;
  /** Every declared byte is in: the SHA-256 of the plaintext, computed as it arrived. */
  completed(id: string, sha256: string): Promise<void>;
  /** The declared size and metadata of an upload, or undefined when there is none (or expired). */
  describe(id: string): Promise<{ size: number; metadata: Record<string, string> } | undefined>;
}

interface RunningDigest {
  hash: Hash;
  bytes: number;
}

function storageFull(): GatewayError {
  return new GatewayError(
    ErrorCode.STORAGE_FULL,
    'no space left where files are kept (GATEWAY_FILES_DIR): the bytes of this request were not kept',
  );
}

const isNoSpace = (error: unknown) => (error as NodeJS.ErrnoException)?.code === 'ENOSPC';

/**
 * A tus data store that never writes plaintext: each upload is a file at rest (records sealed with
 * the node's data key as they arrive), and the plaintext's SHA-256 is computed on the fly. The
 * digest's running state lives in memory between requests; after a restart it is recomputed from
 * what is stored. A full disk rolls the request's bytes back: the upload resumes at its last commit.
 */
export class EncryptedUploadStore extends DataStore {
  private readonly digests = new Map<string, RunningDigest>();

  constructor(
    private readonly dir: string,
    private readonly keys: ColumnCipher,
    private readonly progress: UploadProgress,
  ) {
    super();
    this.extensions = ['creation', 'creation-with-upload', 'termination'];
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.tipf`);
  }

  override async create(upload: Upload): Promise<Upload> {
    try {
      const writer = await EncryptedFileWriter.create(this.pathOf(upload.id), upload.id, this.keys);
      await writer.close();
    } catch (error) {
      throw isNoSpace(error) ? storageFull() : error;
    }
    this.digests.set(upload.id, { hash: createHash('sha256'), bytes: 0 });
    upload.creation_date = new Date().toISOString();
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const described = await this.progress.describe(id);
    if (!described) throw new GatewayError(ErrorCode.UPLOAD_NOT_FOUND, `no upload ${id}`);
    const reader = await EncryptedFileReader.open(this.pathOf(id), id, this.keys);
    const offset = reader.length;
    await reader.close();
    return new Upload({ id, size: described.size, offset, metadata: described.metadata });
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    const described = await this.progress.describe(id);
    if (!described) throw new GatewayError(ErrorCode.UPLOAD_NOT_FOUND, `no upload ${id}`);
    const writer = await EncryptedFileWriter.append(this.pathOf(id), id, this.keys);
    try {
      if (writer.committed !== offset) {
        throw new GatewayError(
          ErrorCode.UPLOAD_OFFSET_CONFLICT,
          `the upload is at offset ${writer.committed}, not ${offset}`,
        );
      }
      const digest = await this.digestAt(id, offset);
      const before = digest.hash.copy();
      let interrupted: unknown;
      try {
        for await (const piece of stream as AsyncIterable<Buffer>) {
          if (writer.length + piece.length > described.size) {
            throw new GatewayError(
              ErrorCode.UPLOAD_TOO_LARGE,
              `more bytes than the ${described.size} declared (Upload-Length)`,
            );
          }
          await writer.write(piece);
          digest.hash.update(piece);
        }
      } catch (error) {
        interrupted = error;
      }
      // What arrived before an interruption is kept (tus resumes from it); never on a full disk.
      if (!isNoSpace(interrupted) && !(interrupted instanceof GatewayError)) {
        try {
          await writer.commit();
        } catch (error) {
          interrupted = error;
        }
      }
      if (isNoSpace(interrupted) || interrupted instanceof GatewayError) {
        await writer.rollback();
        digest.hash = before;
        digest.bytes = writer.committed;
        throw isNoSpace(interrupted) ? storageFull() : interrupted;
      }
      digest.bytes = writer.committed;
      await this.progress.received(id, writer.committed);
      if (writer.committed === described.size) {
        this.digests.delete(id);
        await this.progress.completed(id, digest.hash.digest('hex'));
      }
      // The client's stream broke off: what arrived is committed, the failure is still reported.
      if (interrupted)
        throw interrupted instanceof Error ? interrupted : new Error('the upload stream failed');
      return writer.committed;
    } finally {
      await writer.close();
    }
  }

  override async remove(id: string): Promise<void> {
    this.digests.delete(id);
    await rm(this.pathOf(id), { force: true });
  }

  override async declareUploadLength(): Promise<void> {
    throw new GatewayError(
      ErrorCode.UPLOAD_PROTOCOL_ERROR,
      'uploads declare their length when they are created (Upload-Length)',
    );
  }

  /** The running digest at `offset`: kept from the last request, or recomputed from the file. */
  private async digestAt(id: string, offset: number): Promise<RunningDigest> {
    const kept = this.digests.get(id);
    if (kept && kept.bytes === offset) return kept;
    const hash = await EncryptedFileReader.sha256Of(this.pathOf(id), id, this.keys, offset);
    const digest = { hash, bytes: offset };
    this.digests.set(id, digest);
    return digest;
  }
}
