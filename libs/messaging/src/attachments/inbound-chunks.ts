import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { AnonymousRefusals, AuditTrail } from '#libs/audit';
import { AuthorityDirectory } from '#libs/directory';
import {
  CHUNKS_IN_FLIGHT_MAX,
  signReceipt,
  type AttachmentDigest,
  type ChunkProgress,
  type EnvelopeRouting,
  type ReceivedAttachment,
} from '#libs/envelope';
import { ErrorCode, GatewayError, isGatewayError } from '#libs/errors';
import {
  chunkFileName,
  FILES_CONFIG,
  FileAssembler,
  parseFileManifest,
  type FileManifest,
  type FilesConfig,
} from '#libs/files';
import { Clock, NodeIdentity } from '#libs/node-config';
import { ColumnCipher, type Db } from '#libs/persistence';
import { MessageRepository } from '../message.repository.js';
import { FileLane } from './file-lane.js';
import {
  MessageAttachmentsRepository,
  type MessageAttachment,
} from './message-attachments.repository.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * How long a chunk that comes ahead of the one expected waits for that one to be in hand here, or
 * received by another gateway process of this node, before it is refused as out of order.
 */
const AHEAD_GRACE_MS = 2_000;
/** A spool this old belongs to no chunk on its way any more: a process stopped mid-chunk left it. */
const LEFTOVER_SPOOL_MS = 15 * 60_000;
const SPOOL_SUFFIX = '.part';

export interface ChunkTarget {
  messageId: string;
  attachment: number;
  chunk: number;
}

export interface ChunkContext {
  correlationId: string;
  remoteAddress?: string;
}

/** The manifest of an envelope attachment that travels as chunks, or undefined for a description. */
export function manifestOf(attachment: AttachmentDigest): FileManifest | undefined {
  if (attachment.chunks === undefined) return undefined;
  const { name, mediaType, size, sha256, fileId, category, chunkBytes, chunks } = attachment;
  return parseFileManifest({
    formatVersion: 1,
    fileId,
    name,
    mediaType,
    category,
    size,
    sha256,
    chunkBytes,
    chunks,
  });
}

/** Where a received file is kept (encrypted at rest), and the id its records are bound to. */
export function inboundFileOf(
  filesDir: string,
  messageId: string,
  position: number,
): { path: string; fileId: string } {
  return {
    path: join(filesDir, 'inbound', `${messageId}-${position}.tipf`),
    fileId: `${messageId}:${position}`,
  };
}

/**
 * Where the chunks of a received file are kept as they arrived, sealed: the recipient's evidence of
 * exactly what it received and opened (the sender's signature inside each), for the evidence bundle.
 */
export function inboundChunksDir(filesDir: string, messageId: string, position: number): string {
  return join(filesDir, 'inbound', messageId, String(position));
}

/** The chunk a message's files expect next, from what this node stored. */
export function progressOf(
  messageId: string,
  attachments: readonly MessageAttachment[],
): ChunkProgress {
  const pending = attachments.find((a) => a.chunksDone < a.chunkCount);
  return {
    messageId,
    next: pending ? { attachment: pending.position, chunk: pending.chunksDone } : null,
  };
}

/**
 * Why chunk `index` of `file` is not taken now: CHUNK_REPLAYED if it is in already,
 * CHUNK_OUT_OF_ORDER unless it is at most `window - 1` places past the one expected next.
 */
function orderRefusal(
  files: readonly MessageAttachment[],
  file: MessageAttachment,
  index: number,
  window: number,
): GatewayError | undefined {
  const { messageId } = file;
  if (index < file.chunksDone || (file.chunksDone === file.chunkCount && index < file.chunkCount)) {
    return new GatewayError(
      ErrorCode.CHUNK_REPLAYED,
      `chunk ${index} of attachment ${file.position} was received already`,
      [{ field: 'chunk', ...progressOf(messageId, files).next, given: index }],
    );
  }
  if (index >= file.chunksDone + window || index >= file.chunkCount) {
    return new GatewayError(
      ErrorCode.CHUNK_OUT_OF_ORDER,
      `chunk ${index} given where chunk ${file.chunksDone} of ${file.chunkCount} is expected`,
      [{ field: 'chunk', attachment: file.position, expected: file.chunksDone, given: index }],
    );
  }
  return undefined;
}

/**
 * The receiving side of a message's files: each chunk is admitted only for a message this node
 * holds from that sender (CHUNK_MESSAGE_UNKNOWN, before any cryptography or reading the body),
 * in order (CHUNK_OUT_OF_ORDER, CHUNK_REPLAYED), at the manifest's size and SHA-256
 * (CHUNK_DIGEST_MISMATCH, before decryption), then decrypted, its signature verified against the
 * sender's directory keys and committed to the file at rest; a refused chunk leaves the file as it
 * was. Once every chunk of every file is in, the receipt is signed: it names each file's SHA-256 as
 * received. Every refusal is audited with its code.
 */
@Injectable()
export class InboundChunks implements OnApplicationBootstrap {
  private readonly logger = new Logger(InboundChunks.name);
  /** Files being assembled, by message and position. */
  private readonly assemblers = new Map<string, FileAssembler>();
  /** The chunks of each file in hand, by message and position: opened one at a time, in order. */
  private readonly lanes = new Map<string, FileLane>();

  constructor(
    private readonly messages: MessageRepository,
    private readonly attachments: MessageAttachmentsRepository,
    private readonly audit: AuditTrail,
    private readonly anonymousRefusals: AnonymousRefusals,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly cipher: ColumnCipher,
    private readonly clock: Clock,
    @Inject(FILES_CONFIG) private readonly config: FilesConfig,
  ) {}

  async receive(
    target: ChunkTarget,
    routing: Partial<EnvelopeRouting>,
    body: AsyncIterable<Uint8Array>,
    context: ChunkContext,
  ): Promise<ChunkProgress> {
    try {
      return await this.admit(target, routing, body, context);
    } catch (error) {
      if (isGatewayError(error)) await this.refused(error, target, routing, context);
      throw error;
    }
  }

  /** Spools left by a process of this node that stopped mid-chunk go when a process starts. */
  async onApplicationBootstrap(): Promise<void> {
    const before = Date.now() - LEFTOVER_SPOOL_MS;
    await this.removeSpools(async (path) => (await stat(path)).mtimeMs < before);
  }

  /** Removes the spools of the inbound folder that `leftover` says belong to no chunk on its way. */
  private async removeSpools(leftover: (path: string, name: string) => Promise<boolean>) {
    const dir = join(this.config.dir, 'inbound');
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith(SPOOL_SUFFIX))) {
      const path = join(dir, name);
      if (await leftover(path, name).catch(() => false)) await rm(path, { force: true });
    }
  }

  /** Forgets a file being assembled (a shutdown): what is committed stays, to be resumed. */
  async close(): Promise<void> {
    for (const assembler of this.assemblers.values())
      await assembler.close().catch(() => undefined);
    this.assemblers.clear();
  }

  private async admit(
    target: ChunkTarget,
    routing: Partial<EnvelopeRouting>,
    body: AsyncIterable<Uint8Array>,
    context: ChunkContext,
  ): Promise<ChunkProgress> {
    const { messageId, attachment: position, chunk: index } = target;
    // Cheap checks first: what the routing claims must name a message this node holds from that
    // sender, with a file at that position. Nothing is read or decrypted before.
    const unknown = () =>
      new GatewayError(
        ErrorCode.CHUNK_MESSAGE_UNKNOWN,
        `no message ${messageId.slice(0, 40)} from ${String(routing.sender).slice(0, 40)} awaits files here`,
      );
    if (!UUID.test(messageId) || !routing.sender || !routing.recipient) throw unknown();
    const message = await this.messages.find(messageId);
    if (
      !message ||
      message.direction !== 'inbound' ||
      message.sender !== routing.sender ||
      message.recipient !== routing.recipient
    ) {
      throw unknown();
    }
    const files = await this.attachments.list(messageId);
    const file = files.find((a) => a.position === position);
    if (!file) throw unknown();
    // A chunk a few places ahead is taken: the ones before it are on their way.
    const refusal = orderRefusal(files, file, index, CHUNKS_IN_FLIGHT_MAX);
    if (refusal) throw refusal;
    const key = `${messageId}:${position}`;
    const lane = this.lanes.get(key) ?? new FileLane();
    this.lanes.set(key, lane);
    const hand = lane.enter(index);
    try {
      if (
        index > file.chunksDone &&
        !(await lane.awaitPredecessor(
          index,
          async () => (await this.attachments.chunksDoneOf(messageId, position)) >= index,
          AHEAD_GRACE_MS,
        ))
      ) {
        throw orderRefusal(files, file, index, 1)!;
      }
      const manifest = manifestOf(file.manifest)!;
      const expected = manifest.chunks[index];
      await mkdir(join(this.config.dir, 'inbound'), { recursive: true, mode: 0o700 });
      const spool = join(
        this.config.dir,
        'inbound',
        // One per copy: a chunk may come twice at once (a retry beside the first try).
        `${messageId}-${position}.${index}.${randomUUID()}${SPOOL_SUFFIX}`,
      );
      try {
        // Spooled at most to the manifest's size, hashed as it arrives: checked before decryption,
        // while the chunks before it are opened.
        const sha256 = await spoolBounded(body, spool, expected.bytes);
        if (sha256 !== expected.sha256) {
          throw new GatewayError(
            ErrorCode.CHUNK_DIGEST_MISMATCH,
            `chunk ${index} of attachment ${position} is not the one the signed manifest lists: altered, or another file's`,
            [{ field: `attachments[${position}].chunks[${index}].sha256`, index }],
          );
        }
        return await lane.inTurn(index, () => this.open(message, target, manifest, spool, context));
      } finally {
        await rm(spool, { force: true });
      }
    } finally {
      hand.leave();
      if (lane.empty && this.lanes.get(key) === lane) this.lanes.delete(key);
    }
  }

  /**
   * In the chunk's turn, holding the file across the node's gateway processes: it must be the one
   * expected next; it is kept, opened and recorded. The receipt is signed once every file is in.
   */
  private async open(
    message: { sender: string },
    target: ChunkTarget,
    manifest: FileManifest,
    spool: string,
    context: ChunkContext,
  ): Promise<ChunkProgress> {
    const { messageId, attachment: position, chunk: index } = target;
    const all = await this.attachments.holdingFile(messageId, position, async (db) => {
      const files = await this.attachments.list(messageId, db);
      const file = files.find((a) => a.position === position)!;
      const refusal = orderRefusal(files, file, index, 1);
      if (refusal) throw refusal;
      // Kept before it is opened, so that no chunk counts without its sealed copy; a chunk
      // refused from here on is removed, and one given again replaces it.
      const kept = join(
        inboundChunksDir(this.config.dir, messageId, position),
        chunkFileName(index),
      );
      await mkdir(dirname(kept), { recursive: true, mode: 0o700 });
      await rename(spool, kept);
      try {
        const assembler = await this.assemblerFor(message.sender, messageId, file, manifest, db);
        await assembler.openCheckedChunkFile(index, kept);
      } catch (error) {
        await rm(kept, { force: true });
        throw error;
      }
      const now = this.clock.now();
      await this.attachments.chunkDone(db, messageId, position, index, now);
      await this.audit.record(
        {
          event: 'file.chunk-received',
          actor: message.sender,
          messageId,
          correlationId: context.correlationId,
          details: {
            attachment: position,
            chunk: index,
            of: file.chunkCount,
            sha256: manifest.chunks[index].sha256,
          },
        },
        db,
      );
      const done = { ...file, chunksDone: index + 1 };
      if (done.chunksDone === done.chunkCount) {
        const assembler = this.assemblers.get(`${messageId}:${position}`)!;
        this.assemblers.delete(`${messageId}:${position}`);
        const assembled = await assembler.finish();
        await this.attachments.completed(db, messageId, position, assembled.sha256, now);
        done.receivedSha256 = assembled.sha256;
        await this.audit.record(
          {
            event: 'file.received',
            actor: message.sender,
            messageId,
            correlationId: context.correlationId,
            details: { attachment: position, size: assembled.size, sha256: assembled.sha256 },
          },
          db,
        );
      }
      return files.map((a) => (a.position === position ? done : a));
    });
    if (all.find((a) => a.position === position)!.receivedSha256 !== null) {
      // Spools of this file's chunks that a stopped process left: none is needed any more (a copy
      // still on its way is refused before its spool is used). Swept once the file is let go.
      await this.removeSpools(async (_, name) => name.startsWith(`${messageId}-${position}.`));
    }
    const progress = progressOf(messageId, all);
    if (progress.next !== null) return progress;
    return { ...progress, receipt: await this.issueReceipt(messageId, all, context) };
  }

  /**
   * Signs the receipt once the envelope and every file are in: the non-repudiation of receipt
   * names the SHA-256 of each file as assembled here. Stored once; a later ask replays it.
   */
  async issueReceipt(
    messageId: string,
    files: readonly MessageAttachment[],
    context: ChunkContext,
  ): Promise<string> {
    const existing = await this.messages.findReceipt(messageId);
    if (existing) return existing.armored;
    const message = await this.messages.require(messageId);
    const envelope = (await this.messages.findEnvelope(messageId))!;
    const now = this.clock.now();
    const signing = this.identity.signingKey(now);
    const attachments: ReceivedAttachment[] = files.map((file) => ({
      position: file.position,
      fileId: file.manifest.fileId ?? '',
      size: file.manifest.size,
      sha256: file.receivedSha256 ?? '',
    }));
    const receipt = await signReceipt(
      {
        type: 'receipt',
        formatVersion: 1,
        messageId,
        sender: message.sender,
        recipient: message.recipient,
        envelopeSha256: envelope.sha256,
        receivedAt: now.toISOString(),
        attachments,
      },
      signing.key,
    );
    await this.messages.transaction(async (trx) => {
      await this.messages.storeReceipt(
        trx,
        messageId,
        {
          armored: receipt,
          envelopeSha256: envelope.sha256,
          receivedAt: now.toISOString(),
          signerFingerprint: signing.fingerprint,
        },
        now,
      );
    });
    this.logger.log({ messageId, correlationId: context.correlationId }, 'every file received');
    return receipt;
  }

  private async assemblerFor(
    sender: string,
    messageId: string,
    file: MessageAttachment,
    manifest: FileManifest,
    db: Db,
  ): Promise<FileAssembler> {
    const key = `${messageId}:${file.position}`;
    const open = this.assemblers.get(key);
    if (open && open.nextIndex === file.chunksDone) return open;
    if (open) {
      await open.close();
      this.assemblers.delete(key);
    }
    const authority = this.directory.find(sender);
    if (!authority) {
      throw new GatewayError(ErrorCode.UNKNOWN_SENDER, `${sender} is not in the directory`);
    }
    const where = inboundFileOf(this.config.dir, messageId, file.position);
    const target = { ...where, keys: this.cipher };
    const keys = { decryptionKeys: this.identity.keys.decryptionKeys, sender: authority };
    // After a restart the chunks committed so far count (their digest is re-read once).
    let assembler: FileAssembler;
    try {
      assembler =
        file.chunksDone === 0
          ? await FileAssembler.begin(manifest, keys, target)
          : await FileAssembler.resume(manifest, keys, target);
    } catch (error) {
      if (!isGatewayError(error) || error.code !== ErrorCode.STORED_DATA_UNREADABLE) throw error;
      // Stopped in the middle of a chunk: the file no longer ends where a chunk does. It is
      // received again from its first chunk rather than trusted in part.
      await rm(where.path, { force: true });
      await this.attachments.restart(messageId, file.position, this.clock.now(), db);
      this.logger.warn(
        { messageId, attachment: file.position },
        'a partly received file did not end at a chunk boundary: received again from chunk 0',
      );
      throw new GatewayError(
        ErrorCode.CHUNK_OUT_OF_ORDER,
        `attachment ${file.position} is received again from its first chunk`,
        [{ field: 'chunk', attachment: file.position, expected: 0 }],
      );
    }
    if (assembler.nextIndex > file.chunksDone) {
      // Stopped between committing a verified chunk and recording it: the file at rest counts.
      await this.attachments.acknowledgedUpTo(
        messageId,
        file.position,
        assembler.nextIndex,
        this.clock.now(),
        db,
      );
      this.assemblers.set(key, assembler);
      throw new GatewayError(
        ErrorCode.CHUNK_REPLAYED,
        `chunk ${file.chunksDone} of attachment ${file.position} was received already`,
        [{ field: 'chunk', attachment: file.position, chunk: assembler.nextIndex }],
      );
    }
    if (assembler.nextIndex < file.chunksDone) {
      await assembler.close();
      throw new GatewayError(
        ErrorCode.STORED_DATA_UNREADABLE,
        `the received file of attachment ${file.position} holds fewer chunks than recorded`,
      );
    }
    this.assemblers.set(key, assembler);
    return assembler;
  }

  private async refused(
    error: GatewayError,
    target: ChunkTarget,
    routing: Partial<EnvelopeRouting>,
    context: ChunkContext,
  ): Promise<void> {
    const claimed = (value: string | undefined) =>
      value === undefined ? null : String(value).slice(0, 80);
    const record = {
      event: 'file.chunk-rejected' as const,
      actor: 'unauthenticated-peer',
      messageId: UUID.test(target.messageId) ? target.messageId : null,
      correlationId: context.correlationId,
      details: {
        code: error.code,
        reason: error.message,
        claimedSender: claimed(routing.sender),
        claimedRecipient: claimed(routing.recipient),
        attachment: target.attachment,
        chunk: target.chunk,
        remoteAddress: context.remoteAddress ?? null,
      },
    };
    // A chunk for no known message is anonymous: aggregated per address and code (S7).
    await this.anonymousRefusals.recordPeerRefusal(record, error.code, context.remoteAddress, {
      ...record,
      messageId: null,
    });
  }
}

/** Writes a body to `path`, refusing it past `maxBytes` or short of it; returns its SHA-256. */
async function spoolBounded(
  body: AsyncIterable<Uint8Array>,
  path: string,
  exactBytes: number,
): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path, { mode: 0o600 });
  let length = 0;
  const mismatch = () =>
    new GatewayError(
      ErrorCode.CHUNK_DIGEST_MISMATCH,
      `the chunk is not the ${exactBytes} bytes the signed manifest lists`,
      [{ field: 'chunk', bytes: exactBytes }],
    );
  try {
    for await (const piece of body) {
      length += piece.byteLength;
      if (length > exactBytes) throw mismatch();
      hash.update(piece);
      if (!out.write(piece))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    if (length !== exactBytes) throw mismatch();
  } finally {
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
  return hash.digest('hex');
}
