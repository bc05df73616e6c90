import { createHash, type Hash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { ColumnCipher } from '#libs/persistence';
import { EncryptedFileReader, EncryptedFileWriter } from '../at-rest/encrypted-file.js';
import { chunkCountOf, chunkPlaintextBytes, type FileManifest } from '../seal/manifest.js';
import { openSealedChunk, type ChunkOpeningKeys, type OpenedChunk } from './open-chunk.js';

export interface AssemblyTarget {
  /** Where the file is kept at rest, and its id (bound into every record). */
  path: string;
  fileId: string;
  keys: ColumnCipher;
}

export interface AssembledFile {
  size: number;
  sha256: string;
}

const READ_PIECE_BYTES = 1 << 20;

/**
 * A file's bytes as pieces read into one buffer, reused: each piece is valid only until the next is
 * asked for. For a consumer that takes each piece in before it asks again (decryption, hashing):
 * a chunk is then read without allocating its size again.
 */
async function* piecesReusing(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_PIECE_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/** The SHA-256 of a file, streamed. */
async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of piecesReusing(path)) hash.update(piece);
  return hash.digest('hex');
}

/**
 * The receiving side of a sealed file: chunks are opened in the manifest's order into a file at
 * rest. Each chunk is checked against the manifest (its SHA-256 before anything is decrypted), then
 * decrypted and verified as it streams; only a chunk that passes every check is committed, so a
 * refused chunk leaves the file as it was and the same chunk can be given again. The manifest comes
 * from an envelope whose signature has been verified.
 */
export class FileAssembler {
  private readonly count: number;
  private done = false;

  private constructor(
    readonly manifest: FileManifest,
    private readonly keys: ChunkOpeningKeys,
    private readonly writer: EncryptedFileWriter,
    private readonly target: AssemblyTarget,
    /** The digest of the chunks opened by this assembler; none after a resume (read at the end). */
    private digest: Hash | undefined,
    private next: number,
  ) {
    this.count = chunkCountOf(manifest.size, manifest.chunkBytes);
  }

  /** Starts an empty file. */
  static async begin(
    manifest: FileManifest,
    keys: ChunkOpeningKeys,
    target: AssemblyTarget,
  ): Promise<FileAssembler> {
    const writer = await EncryptedFileWriter.create(target.path, target.fileId, target.keys);
    return new FileAssembler(manifest, keys, writer, target, createHash('sha256'), 0);
  }

  /**
   * Resumes a file after a restart, or after another process of the node took chunks of it: the
   * chunks committed so far count, and the file's digest is read once, when every chunk is in.
   */
  static async resume(
    manifest: FileManifest,
    keys: ChunkOpeningKeys,
    target: AssemblyTarget,
  ): Promise<FileAssembler> {
    const writer = await EncryptedFileWriter.append(target.path, target.fileId, target.keys);
    const whole = Math.floor(writer.committed / manifest.chunkBytes);
    if (writer.committed !== whole * manifest.chunkBytes && writer.committed !== manifest.size) {
      await writer.close();
      throw new GatewayError(
        ErrorCode.STORED_DATA_UNREADABLE,
        `the partly received file ${target.fileId} does not end at a chunk boundary`,
      );
    }
    return new FileAssembler(manifest, keys, writer, target, undefined, whole);
  }

  /** The index of the chunk expected next. */
  get nextIndex(): number {
    return this.next;
  }

  get complete(): boolean {
    return this.next === this.count;
  }

  /**
   * Opens chunk `index` from a file: CHUNK_OUT_OF_ORDER unless it is the next one,
   * CHUNK_DIGEST_MISMATCH unless its SHA-256 is the manifest's, then the opening checks.
   */
  async openChunkFile(index: number, path: string): Promise<OpenedChunk> {
    this.assertNext(index);
    const expected = this.manifest.chunks[index];
    if ((await sha256OfFile(path)) !== expected.sha256) {
      throw new GatewayError(
        ErrorCode.CHUNK_DIGEST_MISMATCH,
        `chunk ${index} is not the one the manifest of file ${this.manifest.fileId} lists: altered, or another file's`,
        [{ field: `manifest.chunks[${index}].sha256`, index }],
      );
    }
    return this.openChunk(index, path);
  }

  /**
   * Opens the next chunk from a file whose SHA-256 the caller has checked against the manifest as
   * it arrived (the receiving gateway hashes while it spools): the file is read once more, not twice.
   */
  async openCheckedChunkFile(index: number, path: string): Promise<OpenedChunk> {
    this.assertNext(index);
    return this.openChunk(index, path);
  }

  private assertNext(index: number): void {
    if (this.done || index !== this.next || index >= this.count) {
      throw new GatewayError(
        ErrorCode.CHUNK_OUT_OF_ORDER,
        index < this.next
          ? `chunk ${index} of file ${this.manifest.fileId} was received already`
          : `chunk ${index} given where chunk ${this.next} of ${this.count} is expected`,
        [{ field: 'index', expected: this.next, given: index }],
      );
    }
  }

  private async openChunk(index: number, path: string): Promise<OpenedChunk> {
    // Safe to reuse: the chunk's reader copies the few bytes it keeps (session keys) and
    // decrypts the rest as it goes.
    const input = piecesReusing(path);
    const plaintextBytes = chunkPlaintextBytes(this.manifest.size, this.manifest.chunkBytes, index);
    // The file's digest as it was before this chunk: restored if the chunk is refused.
    const before = this.digest?.copy();
    let opened: OpenedChunk;
    try {
      opened = await openSealedChunk(
        input,
        this.keys,
        async (piece) => {
          this.digest?.update(piece);
          await this.writer.write(piece);
        },
        plaintextBytes,
      );
      if (opened.plaintextBytes !== plaintextBytes) {
        throw new GatewayError(
          ErrorCode.CHUNK_MALFORMED,
          `chunk ${index} holds ${opened.plaintextBytes} bytes, not the ${plaintextBytes} of the manifest`,
        );
      }
      await this.writer.commit();
    } catch (error) {
      this.digest = before;
      await this.writer.rollback();
      throw storageError(error);
    }
    this.next += 1;
    return opened;
  }

  /** Closes the file once every chunk is in: FILE_DIGEST_MISMATCH (and nothing kept) otherwise. */
  async finish(): Promise<AssembledFile> {
    if (!this.complete) {
      throw new GatewayError(
        ErrorCode.UPLOAD_INCOMPLETE,
        `file ${this.manifest.fileId} has ${this.next} of its ${this.count} chunks`,
      );
    }
    this.done = true;
    const size = this.writer.committed;
    await this.writer.close();
    const { path, fileId, keys } = this.target;
    const digest = this.digest ?? (await EncryptedFileReader.sha256Of(path, fileId, keys, size));
    const sha256 = digest.digest('hex');
    if (size !== this.manifest.size || sha256 !== this.manifest.sha256) {
      await rm(this.target.path, { force: true });
      throw new GatewayError(
        ErrorCode.FILE_DIGEST_MISMATCH,
        `file ${this.manifest.fileId} as received (${size} bytes) is not the one its manifest describes`,
        [{ field: 'manifest.sha256' }],
      );
    }
    return { size, sha256 };
  }

  /** Stops for now (a restart, a shutdown): what is committed stays, to `resume` later. */
  async close(): Promise<void> {
    this.done = true;
    await this.writer.close();
  }

  /** Gives up: the partly received file is deleted. */
  async abort(): Promise<void> {
    this.done = true;
    await this.writer.close();
    await rm(this.target.path, { force: true });
  }
}

function storageError(error: unknown): unknown {
  return (error as NodeJS.ErrnoException).code === 'ENOSPC'
    ? new GatewayError(ErrorCode.STORAGE_FULL, 'no space left to keep the received file')
    : error;
}
