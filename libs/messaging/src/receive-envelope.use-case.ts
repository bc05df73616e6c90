import { Inject, Injectable, Logger } from '@nestjs/common';
import { sql } from 'kysely';
import { AnonymousRefusals, AuditTrail } from '#libs/audit';
import { DeadlineTimers, ProcedureTracker, type TrackingResult } from '#libs/cases';
import {
  EventsPublisher,
  MailboxEventLog,
  MailboxEventPattern,
  type MailboxEvent,
} from '#libs/bus';
import { AuthorityDirectory } from '#libs/directory';
import {
  openEnvelope,
  sha256Hex,
  signReceipt,
  type ChunkProgress,
  type EnvelopeRouting,
  type OpenedEnvelope,
} from '#libs/envelope';
import { ErrorCode, GatewayError, isGatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { FILES_CONFIG, type FilesConfig } from '#libs/files';
import { writeTogether, type Db, type JoinedWrite } from '#libs/persistence';
import { InboundChunks, manifestOf, progressOf } from './attachments/inbound-chunks.js';
import { MessageAttachmentsRepository } from './attachments/message-attachments.repository.js';
import { InboundDecryption } from './inbound-decryption.js';
import { MessageRepository, type NewMessage } from './message.repository.js';

export interface InboundContext {
  correlationId: string;
  remoteAddress?: string;
}

/**
 * The answer to an envelope: its signed receipt, or, for a message whose files follow as chunks,
 * the chunk expected next (the receipt comes with the last chunk).
 */
export type InboundResult =
  { receipt: string; duplicate: boolean } | { progress: ChunkProgress; duplicate: boolean };

const UNIQUE_VIOLATION = '23505';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The receiving side of a delivery: opens the envelope, stores it exactly as received with the
 * decrypted message, and answers with a receipt signed by this node. The same envelope delivered
 * again is answered with the same receipt and stored once, however close together the copies come
 * (a sender's worker killed mid-delivery and its successor, a proxy that retries): copies of one
 * message id are stored one after another, under a lock on the id, and every copy after the first
 * finds the first stored and replays its receipt. An opening message without files is first tried
 * as new, by one statement without the lock: a copy of it fails on the unique id and then takes that
 * path. A rejected envelope leaves nothing but an audit entry.
 */
@Injectable()
export class ReceiveEnvelope {
  private readonly logger = new Logger(ReceiveEnvelope.name);

  constructor(
    private readonly messages: MessageRepository,
    private readonly tracker: ProcedureTracker,
    private readonly timers: DeadlineTimers,
    private readonly audit: AuditTrail,
    private readonly anonymousRefusals: AnonymousRefusals,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly events: EventsPublisher,
    private readonly eventLog: MailboxEventLog,
    private readonly clock: Clock,
    private readonly decryption: InboundDecryption,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly attachments: MessageAttachmentsRepository,
    @Inject(FILES_CONFIG) private readonly files: FilesConfig,
    private readonly chunks: InboundChunks,
  ) {}

  async execute(
    raw: Uint8Array,
    routing: Partial<EnvelopeRouting>,
    context: InboundContext,
  ): Promise<InboundResult> {
    const envelopeSha256 = sha256Hex(raw);
    try {
      // The envelope is authenticated before its id is looked up: an unauthenticated caller must
      // not learn whether a message id exists (a 409 against a 400 would tell).
      // A copy of a stored message is found in the storing transaction and answered from there.
      const opened = await this.open(raw, routing);
      return await this.store(raw, opened, context);
    } catch (error) {
      if (isGatewayError(error))
        await this.recordRejection(error, routing, envelopeSha256, raw.byteLength, context);
      throw error;
    }
  }

  private open(raw: Uint8Array, routing: Partial<EnvelopeRouting>): Promise<OpenedEnvelope> {
    const { http, inbound } = this.config;
    return openEnvelope(raw, routing, {
      servedAuthorities: this.identity.hosted.map((authority) => authority.id),
      decryptionKeys: this.identity.keys.decryptionKeys,
      senderKeys: (id) => this.directory.find(id),
      maxEnvelopeBytes: http.maxEnvelopeBytes,
      maxDecompressedBytes: inbound.maxDecompressedBytes,
      replayWindowMs: inbound.replayWindowMs,
      clockSkewMs: inbound.clockSkewMs,
      now: this.clock.now(),
      decrypt: this.decryption.decrypt,
    });
  }

  private async store(
    raw: Uint8Array,
    opened: OpenedEnvelope,
    context: InboundContext,
    retried = false,
  ): Promise<InboundResult> {
    const { payload, envelopeSha256 } = opened;
    const now = this.clock.now();
    // Files that follow as chunks: their manifests are checked now (MANIFEST_INVALID), and the
    // receipt waits until every chunk is in (it names each file as received).
    const files = payload.attachments.flatMap((attachment, position) => {
      const manifest = manifestOf(attachment);
      return manifest ? [{ position, attachment, manifest }] : [];
    });
    const signing = this.identity.signingKey(now);
    const receipt = await signReceipt(
      {
        type: 'receipt',
        formatVersion: 1,
        messageId: payload.messageId,
        sender: payload.sender,
        recipient: payload.recipient,
        envelopeSha256,
        receivedAt: now.toISOString(),
      },
      signing.key,
    );
    const event: MailboxEvent = {
      pattern: MailboxEventPattern.received,
      authorityId: payload.recipient,
      messageId: payload.messageId,
      requestId: payload.requestId,
      status: 'received',
      counterpart: payload.sender,
      procedure: payload.procedure,
      caseReference: payload.caseReference,
      messageType: payload.messageType,
      occurredAt: now.toISOString(),
      correlationId: context.correlationId,
    };
    // An opening message is taken for new the first time: its request cannot exist yet. One
    // without files is then stored by one statement, atomic by itself, with no lock and no copy
    // check. A copy of it, or another request under its id, fails on the unique id and comes
    // back here as `retried`, to the copy check.
    const opensNewRequest = payload.messageId === payload.requestId && !retried;
    const write = async (db: Db): Promise<TrackingResult> => {
      // The same procedure rules as on the sending node: a message its state does not allow is refused.
      const tracked = await this.tracker.track(db, {
        requestId: payload.requestId,
        procedure: payload.procedure,
        messageType: payload.messageType,
        body: payload.body,
        sender: payload.sender,
        authority: payload.recipient,
        counterparts: [payload.sender],
        caseReference: payload.caseReference,
        deadlineProfiles: payload.deadlineProfiles,
        direction: 'inbound',
        // The signed creation time, not the arrival: both nodes then run identical clocks,
        // however long the delivery took.
        at: new Date(payload.createdAt),
        deliveredAt: payload.messageId === payload.requestId ? now : undefined,
        opensNewRequest,
      });
      const inbound: NewMessage = {
        payload,
        direction: 'inbound',
        status: 'received',
        correlationId: context.correlationId,
        retryUntil: null,
        now,
      };
      const envelope = { armored: Buffer.from(raw).toString('utf8'), sha256: envelopeSha256 };
      // The request it opens, the message, its envelope, its receipt, the audit entry and the
      // mailbox event: one statement. A message with files is stored first: its files' rows
      // refer to it, and its receipt waits for them.
      const joined: JoinedWrite[] = [this.eventLog.insertOf(event)];
      const rows = [...tracked.opening, ...this.messages.insertsOf(inbound, envelope)];
      if (files.length === 0) {
        joined.push(
          ...rows,
          this.messages.receiptInsertOf(
            payload.messageId,
            {
              armored: receipt,
              envelopeSha256,
              receivedAt: now.toISOString(),
              signerFingerprint: signing.fingerprint,
            },
            now,
          ),
        );
      } else {
        await writeTogether(db, rows);
        for (const { position, attachment } of files) {
          await this.attachments.insertAt(
            db,
            payload.messageId,
            position,
            'inbound',
            attachment,
            now,
          );
        }
      }
      await this.audit.recordAll(
        [
          {
            event: 'message.received',
            actor: payload.sender,
            messageId: payload.messageId,
            correlationId: context.correlationId,
            details: {
              procedure: payload.procedure,
              messageType: payload.messageType,
              requestId: payload.requestId,
              requestStatus: tracked.state.status,
              envelopeSha256,
              signer: opened.signerFingerprint,
              signedAt: opened.signedAt.toISOString(),
              ...(files.length > 0 && {
                awaitingFiles: files.map(({ position, manifest }) => ({
                  attachment: position,
                  size: manifest.size,
                  sha256: manifest.sha256,
                  chunks: manifest.chunks.length,
                })),
              }),
            },
          },
        ],
        db,
        joined,
      );
      return tracked;
    };
    let stored: { kind: 'stored'; tracked: TrackingResult } | { kind: 'copy' };
    try {
      stored =
        opensNewRequest && files.length === 0
          ? { kind: 'stored', tracked: await write(this.messages.db) }
          : await this.messages.transaction(async (trx) => {
              // Copies of one message serialise here (R3): without it, a copy that lost the race
              // would be judged against the request as the first copy left it
              // (PROCEDURE_TRANSITION_REFUSED), before ever reaching the duplicate check. The lock
              // ends with the transaction.
              await sql`select pg_advisory_xact_lock(
                hashtextextended(current_schema() || ':inbound:' || ${payload.messageId}::text, 0))`.execute(
                trx,
              );
              if (await this.messages.exists(trx, payload.messageId))
                return { kind: 'copy' as const };
              if (files.length > 0) await this.checkQuota(trx, payload.recipient, files);
              return { kind: 'stored' as const, tracked: await write(trx) };
            });
    } catch (error) {
      // The message's or the request's id is taken (a copy, or another message that opened the
      // same request at the same time and is now committed, or a request here has it already):
      // this one is judged once more under the lock, as if it had arrived second.
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && !retried)
        return this.store(raw, opened, context, true);
      throw error;
    }
    if (stored.kind === 'copy') {
      const replay = await this.storedReceiptFor(payload.messageId, envelopeSha256, context);
      if (replay) return replay;
      // Stored between the lock and this read, then gone: nothing this node does removes a message.
      throw new Error(`message ${payload.messageId} vanished after it was stored`);
    }
    await this.timers
      .schedule(stored.tracked.deadlines)
      .catch((error: Error) =>
        this.logger.warn(
          { requestId: payload.requestId, err: error.message },
          'deadline timers not scheduled; re-derivation will',
        ),
      );
    this.events.publish(event);
    if (files.length > 0) {
      return {
        progress: {
          messageId: payload.messageId,
          next: { attachment: files[0].position, chunk: 0 },
        },
        duplicate: false,
      };
    }
    return { receipt, duplicate: false };
  }

  /**
   * Files received count against the receiving authority's quota (GATEWAY_FILES_QUOTA_BYTES), as
   * uploads do: an envelope whose files would exceed it is refused (QUOTA_EXCEEDED) and nothing of
   * it is kept; the sender retries within its window.
   */
  private async checkQuota(
    trx: Parameters<Parameters<MessageRepository['transaction']>[0]>[0],
    authority: string,
    files: ReadonlyArray<{ manifest: { size: number } }>,
  ): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtext(${`inbound-files-quota:${authority}`}))`.execute(
      trx,
    );
    const held = await trx
      .selectFrom('message_attachments')
      .innerJoin('messages', 'messages.id', 'message_attachments.message_id')
      .select(sql<string>`coalesce(sum(message_attachments.size), 0)`.as('bytes'))
      .where('message_attachments.direction', '=', 'inbound')
      .where('messages.recipient', '=', authority)
      .executeTakeFirstOrThrow();
    const incoming = files.reduce((sum, file) => sum + file.manifest.size, 0);
    if (Number(held.bytes) + incoming > this.files.quotaBytes) {
      throw new GatewayError(
        ErrorCode.QUOTA_EXCEEDED,
        `${authority} would hold more than its quota of ${this.files.quotaBytes} bytes of received files`,
        [{ field: 'attachments', quota: this.files.quotaBytes }],
      );
    }
  }

  /** The receipt already issued for this exact envelope, or a conflict if the id was used for another. */
  private async storedReceiptFor(
    messageId: string | undefined,
    envelopeSha256: string,
    context: InboundContext,
  ): Promise<InboundResult | undefined> {
    // Only a well-formed UUID reaches the uuid column: PostgreSQL fails on any other text.
    if (!messageId || !UUID.test(messageId)) return undefined;
    const existing = await this.messages.find(messageId);
    if (!existing) return undefined;
    const receipt = await this.messages.findReceipt(messageId);
    if (!receipt && existing.direction === 'inbound') {
      // The envelope is in, its files are not yet: the sender resumes at the chunk expected next.
      const envelope = await this.messages.findEnvelope(messageId);
      const files = await this.attachments.list(messageId);
      if (envelope?.sha256 === envelopeSha256 && files.length > 0) {
        await this.audit.record({
          event: 'message.duplicate',
          actor: existing.sender,
          messageId,
          correlationId: context.correlationId,
          details: { envelopeSha256, answeredWith: 'chunk progress' },
        });
        const progress = progressOf(messageId, files);
        // Every chunk in, the receipt not yet signed (stopped in between): signed now.
        if (progress.next === null) {
          return {
            receipt: await this.chunks.issueReceipt(messageId, files, context),
            duplicate: true,
          };
        }
        return { progress, duplicate: true };
      }
    }
    if (
      existing.direction !== 'inbound' ||
      !receipt ||
      receipt.envelope_sha256 !== envelopeSha256
    ) {
      throw new GatewayError(
        ErrorCode.DUPLICATE_CONFLICT,
        `message id ${messageId} was already used for a different envelope`,
      );
    }
    await this.audit.record({
      event: 'message.duplicate',
      actor: existing.sender,
      messageId,
      correlationId: context.correlationId,
      details: { envelopeSha256, answeredWith: 'stored receipt' },
    });
    return { receipt: receipt.armored, duplicate: true };
  }

  /**
   * Audits a delivery refused before its body could be read (over the size limit, in a content
   * encoding that cannot be decoded): the entry any rejected envelope gets, without a digest.
   */
  async recordUnreadRejection(
    error: GatewayError,
    routing: Partial<EnvelopeRouting>,
    declaredSize: number | null,
    context: InboundContext,
  ): Promise<void> {
    await this.recordRejection(error, routing, null, declaredSize, context);
  }

  private async recordRejection(
    error: GatewayError,
    routing: Partial<EnvelopeRouting>,
    envelopeSha256: string | null,
    size: number | null,
    context: InboundContext,
  ): Promise<void> {
    // Claimed routing values are attacker-controlled: recorded truncated, never as keys.
    const claimed = (value: string | undefined) =>
      value === undefined ? null : value.slice(0, 80);
    const record = {
      event: 'message.rejected' as const,
      actor: 'unauthenticated-peer',
      correlationId: context.correlationId,
      details: {
        code: error.code,
        reason: error.message,
        claimedSender: claimed(routing.sender),
        claimedRecipient: claimed(routing.recipient),
        claimedMessageId: claimed(routing.messageId),
        envelopeSha256,
        size,
        remoteAddress: context.remoteAddress ?? null,
      },
    };
    // Before the signature verified the source is anonymous: aggregated per address and code (S7).
    await this.anonymousRefusals.recordPeerRefusal(record, error.code, context.remoteAddress);
  }
}
