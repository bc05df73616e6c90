import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { ColumnCipher } from '#libs/persistence';
import {
  FORMAT_VERSION,
  freeNow,
  HEADER_BYTES,
  KEY_ID_BYTES,
  MAGIC,
  openRecord,
  RECORD_OVERHEAD,
  recordOffset,
  sealRecord,
  type RecordLayout,
} from './record-codec.js';

/*
 * A file at rest: a short header, then records of 1 MiB of plaintext, each sealed on its own with
 * AES-256-GCM under the node's data key (a fresh random IV per record; the associated data binds
 * the header, the file's id and the record's index, so records cannot be moved within or between
 * files). Records are fixed-size, so a byte range is read without reading what comes before it,
 * and the file grows by appending: the plaintext is never on disk, and never whole in memory.
 *
 *   header:  "TIPF" | version (1) | record size exponent (1) | data key id (8)
 *   record:  IV (12) | ciphertext (up to 2^exponent) | GCM tag (16)
 */

/** Records of 256 KiB: a byte range costs at most one record more, and buffers stay in cache. */
export const DEFAULT_RECORD_EXPONENT = 18;
export { HEADER_BYTES, RECORD_OVERHEAD };

/** The on-disk size of a file holding `plaintextBytes`. */
export function storedSizeOf(
  plaintextBytes: number,
  recordExponent = DEFAULT_RECORD_EXPONENT,
): number {
  const recordBytes = 2 ** recordExponent;
  const records = Math.ceil(plaintextBytes / recordBytes);
  return HEADER_BYTES + plaintextBytes + records * RECORD_OVERHEAD;
}

function unreadable(fileId: string, why: string): GatewayError {
  return new GatewayError(
    ErrorCode.STORED_DATA_UNREADABLE,
    `the stored file ${fileId} cannot be opened: ${why}`,
  );
}

async function readLayout(
  handle: FileHandle,
  fileId: string,
  keys: ColumnCipher,
): Promise<RecordLayout> {
  const header = Buffer.alloc(HEADER_BYTES);
  const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
  if (bytesRead !== HEADER_BYTES || !header.subarray(0, 4).equals(MAGIC)) {
    throw unreadable(fileId, 'it is not in the stored-file format');
  }
  if (header[4] !== FORMAT_VERSION || header[5] < 12 || header[5] > 26) {
    throw unreadable(fileId, `format version ${header[4]} is not known`);
  }
  const keyId = header.subarray(6, 6 + KEY_ID_BYTES).toString('hex');
  const key = keys.keyById(keyId);
  if (!key) {
    throw unreadable(
      fileId,
      `it is sealed with data key ${keyId}, which is neither GATEWAY_DATA_KEY_FILE nor in GATEWAY_DATA_KEY_RETIRED_FILES`,
    );
  }
  return { header, key: key.secretKey, recordBytes: 2 ** header[5], fileId };
}

/**
 * Reads and opens one record; `into`, when given and large enough, holds the stored record (it is
 * free again once this returns: the plaintext is a buffer of its own).
 */
async function readRecord(
  handle: FileHandle,
  layout: RecordLayout,
  index: number,
  plaintextBytes: number,
  into?: Buffer,
): Promise<Buffer> {
  const size = plaintextBytes + RECORD_OVERHEAD;
  const stored = into && into.length >= size ? into.subarray(0, size) : Buffer.allocUnsafe(size);
  const { bytesRead } = await handle.read(stored, 0, stored.length, recordOffset(layout, index));
  if (bytesRead !== stored.length) throw unreadable(layout.fileId, `record ${index} is cut short`);
  try {
    return openRecord(layout, index, stored);
  } catch {
    throw unreadable(layout.fileId, `record ${index} was altered, or belongs to another file`);
  }
}

/** Plaintext length of a file whose records all verify, given its size on disk. */
function plaintextLengthOf(layout: RecordLayout, storedBytes: number): number {
  const body = storedBytes - HEADER_BYTES;
  const stride = layout.recordBytes + RECORD_OVERHEAD;
  const full = Math.floor(body / stride);
  const rest = body - full * stride;
  return full * layout.recordBytes + Math.max(0, rest - RECORD_OVERHEAD);
}

/**
 * Appends to a file at rest. Bytes are sealed a record at a time; `commit` seals the partial last
 * record too and syncs, after which `committed` bytes survive a crash. A partial record is
 * rewritten (with a fresh IV) when more bytes arrive; `rollback` returns to an earlier commit.
 */
export class EncryptedFileWriter {
  private buffer: Buffer;
  private filled: number;
  private recordIndex: number;
  private committedPartial: Buffer;
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly layout: RecordLayout,
    readonly fileId: string,
    private committedBytes: number,
    partial: Buffer,
  ) {
    this.buffer = Buffer.allocUnsafe(layout.recordBytes);
    partial.copy(this.buffer);
    this.filled = partial.length;
    this.committedPartial = Buffer.from(partial);
    this.recordIndex = Math.floor(committedBytes / layout.recordBytes);
  }

  /** Creates an empty file sealed with the current data key; fails if the path exists. */
  static async create(
    path: string,
    fileId: string,
    keys: ColumnCipher,
    recordExponent = DEFAULT_RECORD_EXPONENT,
  ): Promise<EncryptedFileWriter> {
    const header = Buffer.concat([
      MAGIC,
      Buffer.from([FORMAT_VERSION, recordExponent]),
      keys.currentKey.idBytes,
    ]);
    const handle = await open(path, 'wx+', 0o600);
    try {
      await handle.write(header, 0, header.length, 0);
      await handle.datasync();
    } catch (error) {
      await handle.close();
      throw error;
    }
    const layout = {
      header,
      key: keys.currentKey.secretKey,
      recordBytes: 2 ** recordExponent,
      fileId,
    };
    return new EncryptedFileWriter(handle, layout, fileId, 0, Buffer.alloc(0));
  }

  /**
   * Opens a file to append to it. A last record torn by a crash (cut short, or not verifying) is
   * dropped: the upload resumes from the end of the last whole record.
   */
  static async append(
    path: string,
    fileId: string,
    keys: ColumnCipher,
  ): Promise<EncryptedFileWriter> {
    const handle = await open(path, 'r+');
    try {
      const layout = await readLayout(handle, fileId, keys);
      let length = plaintextLengthOf(layout, (await handle.stat()).size);
      let partial: Buffer = Buffer.alloc(0);
      const lastIndex = Math.floor(length / layout.recordBytes);
      const lastBytes = length - lastIndex * layout.recordBytes;
      if (lastBytes > 0) {
        try {
          partial = await readRecord(handle, layout, lastIndex, lastBytes);
        } catch {
          length -= lastBytes;
        }
      }
      // Anything beyond the last whole record (a torn write) goes.
      await handle.truncate(
        recordOffset(layout, lastIndex) +
          (partial.length > 0 ? partial.length + RECORD_OVERHEAD : 0),
      );
      return new EncryptedFileWriter(handle, layout, fileId, length, partial);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Bytes that survive a crash. */
  get committed(): number {
    return this.committedBytes;
  }

  /** Bytes appended so far, committed or not. */
  get length(): number {
    return this.recordIndex * this.layout.recordBytes + this.filled;
  }

  async write(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      const take = Math.min(bytes.length - at, this.layout.recordBytes - this.filled);
      this.buffer.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.layout.recordBytes) {
        await this.writeRecord(this.buffer);
        this.recordIndex += 1;
        this.filled = 0;
      }
    }
  }

  /** Seals the partial last record and syncs: everything written so far is committed. */
  async commit(): Promise<number> {
    if (this.filled > 0) await this.writeRecord(this.buffer.subarray(0, this.filled));
    await this.handle.datasync();
    this.committedBytes = this.length;
    // Kept to rewrite it on a rollback: the record on disk may be torn by then (a full disk).
    this.committedPartial = Buffer.from(this.buffer.subarray(0, this.filled));
    return this.committedBytes;
  }

  /** Forgets everything after the last commit (a refused chunk, a full disk). */
  async rollback(): Promise<void> {
    const index = Math.floor(this.committedBytes / this.layout.recordBytes);
    await this.handle.truncate(recordOffset(this.layout, index));
    this.recordIndex = index;
    this.committedPartial.copy(this.buffer);
    this.filled = this.committedPartial.length;
    if (this.filled > 0) await this.writeRecord(this.buffer.subarray(0, this.filled));
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }

  private async writeRecord(plaintext: Buffer): Promise<void> {
    const pieces = sealRecord(this.layout, this.recordIndex, plaintext);
    const position = recordOffset(this.layout, this.recordIndex);
    const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
    const { bytesWritten } = await this.handle.writev(pieces, position);
    if (bytesWritten === total) {
      // The ciphertext, written: freed now rather than with a file's worth of others at the
      // next collection.
      freeNow(pieces[1]);
      return;
    }
    // A short write (a nearly full disk): the rest from where it stopped, or the disk's error.
    const rest = Buffer.concat(pieces).subarray(bytesWritten);
    let at = 0;
    while (at < rest.length) {
      const written = await this.handle.write(
        rest,
        at,
        rest.length - at,
        position + bytesWritten + at,
      );
      at += written.bytesWritten;
    }
  }
}

/**
 * Reads a file at rest: any byte range, a record at a time. `length` is what the file holds;
 * callers compare it with the length they recorded (a file cut at a record boundary still opens).
 */
export class EncryptedFileReader {
  private constructor(
    private readonly handle: FileHandle,
    private readonly layout: RecordLayout,
    readonly path: string,
    readonly fileId: string,
    readonly length: number,
  ) {}

  static async open(
    path: string,
    fileId: string,
    keys: ColumnCipher,
  ): Promise<EncryptedFileReader> {
    const handle = await open(path, 'r');
    try {
      const layout = await readLayout(handle, fileId, keys);
      const length = plaintextLengthOf(layout, (await handle.stat()).size);
      return new EncryptedFileReader(handle, layout, path, fileId, length);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  get size(): number {
    return this.length;
  }

  /** A running SHA-256 of a file's first `bytes` of plaintext, for the caller to go on with. */
  static async sha256Of(
    path: string,
    fileId: string,
    keys: ColumnCipher,
    bytes: number,
  ): Promise<Hash> {
    const hash = createHash('sha256');
    const reader = await EncryptedFileReader.open(path, fileId, keys);
    try {
      for await (const piece of reader.range(0, bytes)) hash.update(piece);
    } finally {
      await reader.close();
    }
    return hash;
  }

  /** The plaintext of [start, end), one record's worth (at most) at a time. */
  async *range(start = 0, end = this.length): AsyncGenerator<Buffer> {
    if (start < 0 || end > this.length || start > end) {
      throw new RangeError(`no range ${start}-${end} in a file of ${this.length} bytes`);
    }
    const { recordBytes } = this.layout;
    // One buffer for the stored records of this range, read one after the other.
    const stored = Buffer.allocUnsafe(recordBytes + RECORD_OVERHEAD);
    for (let index = Math.floor(start / recordBytes); index * recordBytes < end; index++) {
      const recordStart = index * recordBytes;
      const bytes = Math.min(recordBytes, this.length - recordStart);
      const plaintext = await readRecord(this.handle, this.layout, index, bytes, stored);
      yield plaintext.subarray(
        Math.max(0, start - recordStart),
        Math.min(bytes, end - recordStart),
      );
    }
  }

  /** Where and how a sealing thread reads this file by itself (the data key goes with it). */
  get recordLayout(): RecordLayout {
    return this.layout;
  }

  /** Fills `target` with the plaintext from `position` on. */
  async readInto(position: number, target: Uint8Array): Promise<void> {
    let at = 0;
    for await (const piece of this.range(position, position + target.length)) {
      target.set(piece, at);
      at += piece.length;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
