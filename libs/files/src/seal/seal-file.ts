import { randomBytes } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { RecordLayout } from '../at-rest/record-codec.js';
import {
  sessionKeyPacket,
  sessionKeyRecipient,
  type SessionKeyRecipient,
} from '../openpgp/session-key.js';
import { nativeSigningKey, type NativeSigningKey } from '../openpgp/native-keys.js';
import {
  CFB_BLOCK_BYTES,
  HASH_SHA256,
  literalDataHeader,
  onePassSignaturePacket,
  PacketTag,
  SIGNATURE_HASHES,
  signatureHashedPart,
} from '../openpgp/packets.js';
import {
  chunkCountOf,
  chunkPlaintextBytes,
  DEFAULT_CHUNK_BYTES,
  type FileCategory,
  type FileManifest,
  type SealedChunkDigest,
} from './manifest.js';
import type { SealTask } from './seal-worker.js';
import { SealWorkerPool } from './worker-pool.js';

/**
 * Plaintext to seal: anything that reads by position, or a file at rest (EncryptedFileReader),
 * which the sealing threads then read and decrypt themselves.
 */
export interface PlaintextSource {
  readonly size: number;
  readInto(position: number, target: Uint8Array): Promise<void>;
  readonly path?: string;
  readonly recordLayout?: RecordLayout;
}

export interface FileSealingKeys {
  /** The sender's unlocked key: signs every chunk, and receives a copy (its own evidence). */
  signingKey: openpgp.PrivateKey;
  /** The recipient's directory key (v4 Cv25519 encryption subkey). */
  recipientKey: openpgp.PublicKey;
}

export interface FileToSeal {
  fileId: string;
  name: string;
  mediaType: string;
  category: FileCategory;
  /** SHA-256 of the plaintext, as computed when it was received. */
  sha256: string;
}

export interface SealFileOptions {
  /** Folder for the chunks (created): `chunk-000000.pgp`, `chunk-000001.pgp`… */
  outDir: string;
  chunkBytes?: number;
  /** Sealing threads to use; a pool of its own is started (and stopped) when none is given. */
  pool?: SealWorkerPool;
  /** Sync every chunk to disk before it counts as sealed (default true). */
  durable?: boolean;
  now?: Date;
}

export function chunkFileName(index: number): string {
  return `chunk-${String(index).padStart(6, '0')}.pgp`;
}

/**
 * Seals a file for one recipient as a sequence of chunks, each a complete OpenPGP message (v4 keys,
 * SEIPDv1 with MDC; encrypted to the recipient and the sender, one-pass signed by the sender) that
 * `gpg --decrypt` reads on its own, and returns the manifest binding them. Chunks are sealed in
 * parallel threads with native AES and SHA; memory holds one chunk per thread, plus one being read,
 * whatever the file's size. On any failure no chunk is left behind.
 */
export async function sealFile(
  source: PlaintextSource,
  file: FileToSeal,
  keys: FileSealingKeys,
  options: SealFileOptions,
): Promise<FileManifest> {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const now = options.now ?? new Date();
  const signer = await nativeSigningKey(keys.signingKey);
  // The recipient, and the sender itself: it opens its own evidence later.
  const recipients = await Promise.all(
    [keys.recipientKey, keys.signingKey.toPublic()].map(sessionKeyRecipient),
  );
  const pool = options.pool ?? new SealWorkerPool();
  const count = chunkCountOf(source.size, chunkBytes);
  const atRest =
    source.path !== undefined && source.recordLayout !== undefined
      ? { path: source.path, layout: source.recordLayout }
      : undefined;
  // Shared chunk buffers only for sources the threads cannot read themselves.
  const slots = atRest
    ? undefined
    : new SlotPool(pool.size + 1, Math.min(chunkBytes, Math.max(1, source.size)));
  const inFlight = new SlotPool(pool.size + 1, 0);
  await mkdir(options.outDir, { recursive: true });
  const sealed: Array<Promise<SealedChunkDigest>> = [];
  let failure: unknown;
  try {
    for (let index = 0; index < count && failure === undefined; index++) {
      const slot = await (slots ?? inFlight).take();
      const length = chunkPlaintextBytes(source.size, chunkBytes, index);
      const start = index * chunkBytes;
      let data: SealTask['data'];
      let task: Promise<SealedChunkDigest>;
      try {
        if (atRest) {
          data = { ...atRest, totalBytes: source.size, start, length };
        } else {
          data = slot.subarray(0, length);
          await source.readInto(start, data);
        }
        task = sealChunk(pool, data, index, {
          file,
          signer,
          recipients,
          now,
          outPath: join(options.outDir, chunkFileName(index)),
          durable: options.durable ?? true,
        });
      } catch (error) {
        (slots ?? inFlight).give(slot);
        throw error;
      }
      sealed.push(
        task.then(
          (digest) => {
            (slots ?? inFlight).give(slot);
            return digest;
          },
          (error: unknown) => {
            (slots ?? inFlight).give(slot);
            failure ??= error;
            throw error;
          },
        ),
      );
    }
    const results = await Promise.allSettled(sealed);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    return {
      formatVersion: 1,
      fileId: file.fileId,
      name: file.name,
      mediaType: file.mediaType,
      category: file.category,
      size: source.size,
      sha256: file.sha256,
      chunkBytes,
      chunks: results.map((r) => (r as PromiseFulfilledResult<SealedChunkDigest>).value),
    };
  } catch (error) {
    await Promise.allSettled(sealed);
    await rm(options.outDir, { recursive: true, force: true });
    throw error;
  } finally {
    if (!options.pool) await pool.close();
  }
}

interface ChunkContext {
  file: FileToSeal;
  signer: NativeSigningKey;
  recipients: SessionKeyRecipient[];
  now: Date;
  outPath: string;
  durable: boolean;
}

async function sealChunk(
  pool: SealWorkerPool,
  data: SealTask['data'],
  index: number,
  context: ChunkContext,
): Promise<SealedChunkDigest> {
  const sessionKey = randomBytes(32);
  const sessionKeyPackets = Buffer.concat(
    context.recipients.map((recipient) => sessionKeyPacket(recipient, sessionKey)),
  );
  const prefix = randomBytes(CFB_BLOCK_BYTES + 2);
  prefix.copy(prefix, CFB_BLOCK_BYTES, CFB_BLOCK_BYTES - 2, CFB_BLOCK_BYTES);
  const literalName = `${context.file.fileId}.${String(index).padStart(6, '0')}`;
  const result = await pool.seal({
    outPath: context.outPath,
    head: Buffer.concat([
      sessionKeyPackets,
      Buffer.of(0xc0 | PacketTag.symEncryptedIntegrityProtectedData),
    ]),
    sessionKey,
    inner: Buffer.concat([
      prefix,
      onePassSignaturePacket(HASH_SHA256, context.signer.keyId),
      literalDataHeader(literalName, context.now, data.length),
    ]),
    data,
    hashAlgorithm: SIGNATURE_HASHES[HASH_SHA256].node,
    signatureHashedPart: signatureHashedPart(HASH_SHA256, context.now, context.signer.fingerprint),
    signingKey: context.signer.key,
    signingKeyId: context.signer.keyId,
  });
  sessionKey.fill(0);
  // Synced here, on Node's own I/O threads, while the sealing thread goes on with the next chunk.
  if (context.durable) await syncToDisk(context.outPath);
  return result;
}

async function syncToDisk(path: string): Promise<void> {
  // Opened for writing: some systems sync only a handle that may write.
  const handle = await open(path, 'r+');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Chunk-sized buffers shared with the sealing threads, reused from chunk to chunk. */
class SlotPool {
  private readonly free: Uint8Array[] = [];
  private readonly waiting: Array<(slot: Uint8Array) => void> = [];

  constructor(count: number, bytes: number) {
    for (let i = 0; i < count; i++) this.free.push(new Uint8Array(new SharedArrayBuffer(bytes)));
  }

  take(): Promise<Uint8Array> {
    const slot = this.free.pop();
    return slot ? Promise.resolve(slot) : new Promise((resolve) => this.waiting.push(resolve));
  }

  give(slot: Uint8Array): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }
}

/** Refuses to seal a file whose stored plaintext does not have the recorded length. */
export function assertSealable(storedBytes: number, recordedBytes: number, fileId: string): void {
  if (storedBytes !== recordedBytes) {
    throw new GatewayError(
      ErrorCode.STORED_DATA_UNREADABLE,
      `the stored file ${fileId} holds ${storedBytes} bytes, not the ${recordedBytes} recorded`,
    );
  }
}
