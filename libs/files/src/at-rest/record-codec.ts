/*
 * The records of a file at rest (see encrypted-file.ts): where each is, what binds it, how it is
 * sealed and opened. Shared by the main thread and the sealing threads, so it imports nothing but
 * Node itself and uses only erasable TypeScript (the threads run it as it is in tests).
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { readSync } from 'node:fs';

export const MAGIC = Buffer.from('TIPF', 'ascii');
export const FORMAT_VERSION = 1;
export const KEY_ID_BYTES = 8;
export const HEADER_BYTES = MAGIC.length + 2 + KEY_ID_BYTES;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const RECORD_OVERHEAD = IV_BYTES + TAG_BYTES;

/**
 * Frees a buffer's memory now instead of at the thread's next garbage collection, which comes
 * only after some 64 MiB of such buffers (a thread streaming a file through a cipher leaves one
 * behind per slice). Only for a buffer the caller made and holds alone, whose bytes have been
 * copied or written out; a view into a larger or shared buffer is left alone.
 */
export function freeNow(bytes: Uint8Array): void {
  const { buffer } = bytes;
  if (
    buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength &&
    bytes.byteLength > 0
  ) {
    // ES2024 (Node 22 and later); this project's TypeScript library is ES2023.
    (buffer as ArrayBuffer & { transfer(length: number): ArrayBuffer }).transfer(0);
  }
}

/** What locates and opens the records of one file. */
export interface RecordLayout {
  /** The file's header, bound into every record. */
  header: Buffer;
  /** AES-256-GCM key (the node's data key). */
  key: KeyObject;
  recordBytes: number;
  fileId: string;
}

export function recordOffset(layout: RecordLayout, index: number): number {
  return HEADER_BYTES + index * (layout.recordBytes + RECORD_OVERHEAD);
}

/** Header, file id and record index: a record opens only in its own place in its own file. */
export function recordAad(layout: RecordLayout, index: number): Buffer {
  const position = Buffer.alloc(8);
  position.writeBigUInt64BE(BigInt(index));
  return Buffer.concat([layout.header, Buffer.from(layout.fileId, 'utf8'), position]);
}

/** IV, ciphertext and tag of one record, in the pieces the cipher gives (written with writev). */
export function sealRecord(layout: RecordLayout, index: number, plaintext: Uint8Array): Buffer[] {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', layout.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(recordAad(layout, index));
  return [iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()];
}

/** The plaintext of a stored record; throws when it does not verify. */
export function openRecord(layout: RecordLayout, index: number, stored: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', layout.key, stored.subarray(0, IV_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(recordAad(layout, index));
  decipher.setAuthTag(stored.subarray(stored.length - TAG_BYTES));
  const plaintext = decipher.update(stored.subarray(IV_BYTES, stored.length - TAG_BYTES));
  // GCM releases everything on update: final only verifies the tag.
  const rest = decipher.final();
  return rest.length === 0 ? plaintext : Buffer.concat([plaintext, rest]);
}

/**
 * Reads plaintext [start, start + length) of a file at rest into `target`, a record at a time,
 * through a descriptor (the sealing threads' blocking reads); `scratch` holds one stored record.
 */
export function readPlaintextSync(
  fd: number,
  layout: RecordLayout,
  totalBytes: number,
  start: number,
  target: Uint8Array,
  scratch: Buffer = Buffer.allocUnsafe(layout.recordBytes + RECORD_OVERHEAD),
): void {
  const end = start + target.length;
  const stored = scratch;
  for (
    let index = Math.floor(start / layout.recordBytes);
    index * layout.recordBytes < end;
    index++
  ) {
    const recordStart = index * layout.recordBytes;
    const bytes = Math.min(layout.recordBytes, totalBytes - recordStart);
    const view = stored.subarray(0, bytes + RECORD_OVERHEAD);
    let at = 0;
    while (at < view.length) {
      const read = readSync(fd, view, at, view.length - at, recordOffset(layout, index) + at);
      if (read === 0) throw new Error(`record ${index} of ${layout.fileId} is cut short`);
      at += read;
    }
    const plaintext = openRecord(layout, index, view);
    const from = Math.max(0, start - recordStart);
    const to = Math.min(bytes, end - recordStart);
    target.set(plaintext.subarray(from, to), recordStart + from - start);
    freeNow(plaintext);
  }
}
