import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { ProcedureTracker } from '#libs/cases';
import { AuthorityDirectory } from '#libs/directory';
import { verifyReceipt, type ChunkProgress } from '#libs/envelope';
import { chunkFileName, loadFilesConfig } from '#libs/files';
import { ErrorCode, isGatewayError } from '#libs/errors';
import {
  EventsPublisher,
  MailboxEventLog,
  MailboxEventPattern,
  type MailboxEvent,
} from '#libs/bus';
import {
  isFinal,
  MessageAttachmentsRepository,
  MessageRepository,
  outboundChunksDir,
  type DeliveryClaim,
  type DeliveryJobData,
  type KeptEnvelope,
  type MessageStatus,
  type Trx,
} from '#libs/messaging';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { deliverySeconds } from '#libs/observability';
import type { MessageRow } from '#libs/persistence';
import { ChunkBuffers } from './chunk-buffers.js';
import { PeerClient, type PeerAnswer } from './peer-client.js';
import { nextAttemptAt } from './retry-policy.js';

export type DeliveryOutcome =
  | { kind: 'delivered' }
  | { kind: 'retry'; at: Date; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'nothing-to-do'; status: MessageStatus };

type PeerRefusal = Extract<PeerAnswer, { ok: false }>;
type Routing = { sender: string; recipient: string; messageId: string };

/**
 * Chunks of a file on their way to a peer at once: the peer opens one while the next arrives.
 * At most the CHUNKS_IN_FLIGHT_MAX a receiver takes; each holds a sealed chunk in memory here.
 */
const CHUNKS_IN_FLIGHT = 3;

/** A claimed attempt; its envelope may have gone (erased under a retention profile). */
type Attempt = Omit<DeliveryClaim, 'envelope'> & { envelope: KeptEnvelope | undefined };

/** Why a message was not delivered, as its non-delivery evidence and its alert state it. */
interface FailureCause {
  reason: string;
  /** The peer refused these envelope bytes for good (R7): its status and code. */
  refusal?: { status?: number; code?: string };
}

/**
 * One delivery attempt: POST the stored envelope to the recipient's node, verify the signed
 * receipt against the directory and record it. Idempotent: the message id is the job id, the
 * receiving node stores an envelope once, and a message already final is left alone. Transient
 * failures are retried inside the retry window; a permanent refusal by the peer fails the message
 * at once. Every status change records its mailbox event in the same transaction.
 */
@Injectable()
export class DeliverMessage {
  private readonly logger = new Logger(DeliverMessage.name);
  /** Where the gateway left the chunks it sealed (GATEWAY_FILES_DIR, shared by the node's processes). */
  private readonly filesDir: string;

  constructor(
    private readonly messages: MessageRepository,
    private readonly tracker: ProcedureTracker,
    private readonly audit: AuditTrail,
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly peers: PeerClient,
    private readonly events: EventsPublisher,
    private readonly eventLog: MailboxEventLog,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly attachments: MessageAttachmentsRepository,
  ) {
    this.filesDir = loadFilesConfig(config.database.schema).dir;
  }

  async execute(job: DeliveryJobData): Promise<DeliveryOutcome> {
    const started = await this.start(job);
    if ('kind' in started) return started;
    const { message, envelope, hasFiles } = started;

    const recipient = this.directory.find(message.recipient);
    // An envelope erased under a retention profile is never pending (the task skips requests
    // with messages on their way), but it is not sent as nothing either.
    if (!recipient || !envelope?.armored) {
      return this.retryOrFail(
        message,
        job,
        `recipient ${message.recipient} or envelope unavailable`,
      );
    }
    const armored = envelope.armored;

    const routing = { sender: message.sender, recipient: message.recipient, messageId: message.id };
    const post = async () => {
      const attempt = deliverySeconds.startTimer();
      try {
        return await this.peers.deliver(recipient.endpoint, routing, armored, {
          correlationId: job.correlationId,
          timeoutMs: this.config.delivery.requestTimeoutMs,
        });
      } finally {
        attempt();
      }
    };
    let answer = await post();
    // Files follow the envelope as chunks, from the first the peer has not acknowledged; the
    // receipt comes with the last one (a retry re-posts the envelope and learns where to resume).
    if (answer.ok && 'progress' in answer) {
      // The peer holds the envelope; the receipt waits for the files.
      await this.messages.transition(
        this.messages.db,
        message.id,
        'waiting-for-receipt',
        this.clock.now(),
      );
      answer = await this.sendChunks(recipient.endpoint, routing, answer.progress, post, job);
    }
    if (!answer.ok) {
      if (await this.isPermanent(message, answer)) return this.refused(message, job, answer);
      return this.retryOrFail(message, job, answer.reason, {
        status: answer.status,
        code: answer.code,
      });
    }
    if (!('receipt' in answer)) {
      return this.retryOrFail(message, job, 'the peer has not received every file yet');
    }
    const files = hasFiles ? await this.attachments.list(message.id) : [];

    try {
      const { receipt, signerFingerprint } = await verifyReceipt(answer.receipt, recipient, {
        messageId: message.id,
        sender: message.sender,
        recipient: message.recipient,
        envelopeSha256: envelope.sha256,
        attachments: files.map((file) => file.manifest.sha256),
      });
      const now = this.clock.now();
      const event = this.mailboxEvent(MailboxEventPattern.delivered, message, 'delivered', job);
      await this.messages.transaction(async (trx) => {
        const requestMove =
          message.request_id === message.id
            ? await this.tracker.delivered(trx, message.id, now)
            : [];
        // The status, the request's move, the receipt, its evidence, the audit entry and the
        // mailbox event: one statement, judged by the status (still waiting for the receipt).
        const moved = await this.audit.recordAll(
          [
            {
              event: 'message.delivered',
              actor: this.identity.authorityId,
              messageId: message.id,
              correlationId: job.correlationId,
              details: {
                recipient: recipient.id,
                envelopeSha256: receipt.envelopeSha256,
                receivedAt: receipt.receivedAt,
                receiptSigner: signerFingerprint,
                ...(receipt.attachments && { attachments: receipt.attachments }),
              },
            },
          ],
          trx,
          [
            this.messages.receiptInsertOf(
              message.id,
              {
                armored: answer.receipt,
                envelopeSha256: receipt.envelopeSha256,
                receivedAt: receipt.receivedAt,
                signerFingerprint,
              },
              now,
            ),
            this.messages.evidenceInsertOf(message.id, 'delivery', now, {
              receivedAt: receipt.receivedAt,
              signer: signerFingerprint,
            }),
            this.eventLog.insertOf(event),
            ...requestMove,
          ],
          this.messages.transitionOf(message.id, 'delivered', now, { lastError: null }),
        );
        if (moved === 0n) await this.messages.transitionRefused(trx, message.id, 'delivered');
      });
      this.events.publish(event);
      return { kind: 'delivered' };
    } catch (error) {
      if (!isGatewayError(error)) throw error;
      await this.audit.record({
        event: 'receipt.rejected',
        actor: this.identity.authorityId,
        messageId: message.id,
        correlationId: job.correlationId,
        details: { code: error.code, reason: error.message, recipient: recipient.id },
      });
      return this.retryOrFail(message, job, `${error.code}: ${error.message}`);
    }
  }

  /**
   * PUTs the chunks the peer expects, file by file, several of a file on their way at once
   * (CHUNKS_IN_FLIGHT), recording each acknowledgement in order. A chunk the peer says it has
   * (CHUNK_REPLAYED: an acknowledgement lost) or expects another in its place (CHUNK_OUT_OF_ORDER:
   * the one before it went to another of its gateways and was not in yet) makes it re-post the
   * envelope to learn where the peer stands; after an out-of-order answer it goes on one at a time.
   */
  private async sendChunks(
    endpoint: string,
    routing: Routing,
    progress: ChunkProgress,
    post: () => Promise<PeerAnswer>,
    job: DeliveryJobData,
  ): Promise<PeerAnswer> {
    const files = await this.attachments.list(routing.messageId);
    const bound = files.reduce((sum, file) => sum + file.chunkCount, 0) * 2 + 4;
    let inFlight = CHUNKS_IN_FLIGHT;
    let at = progress;
    for (let step = 0; step < bound; step++) {
      if (at.receipt !== undefined) return { ok: true, receipt: at.receipt };
      const next = at.next;
      if (next === null)
        return {
          ok: false,
          failure: 'transient',
          reason: 'every chunk is in, but the peer gave no receipt',
        };
      const file = files.find((f) => f.position === next.attachment);
      if (!file || next.chunk >= file.chunkCount) {
        return {
          ok: false,
          failure: 'transient',
          reason: `the peer asks for chunk ${next.chunk} of attachment ${next.attachment}, which this message does not have`,
        };
      }
      const answer = await this.sendFileChunks(endpoint, routing, file, next.chunk, inFlight, job);
      if (
        !answer.ok &&
        (answer.code === ErrorCode.CHUNK_REPLAYED || answer.code === ErrorCode.CHUNK_OUT_OF_ORDER)
      ) {
        if (answer.code === ErrorCode.CHUNK_OUT_OF_ORDER) inFlight = 1;
        const again = await post();
        if (!again.ok) return again;
        if ('receipt' in again) return again;
        at = again.progress;
        continue;
      }
      if (!answer.ok) return answer;
      if (!('progress' in answer)) {
        return {
          ok: false,
          failure: 'transient',
          reason: 'the peer answered a chunk without saying which comes next',
        };
      }
      at = answer.progress;
    }
    return { ok: false, failure: 'transient', reason: 'the peer did not take the chunks in order' };
  }

  /**
   * PUTs the chunks of one file from `from` to its last, at most `inFlight` on their way at once,
   * and records their acknowledgements in order: the answer to the last chunk, or the first answer
   * that is not an acknowledgement (the chunks sent after it are let finish, their answers unused).
   */
  private async sendFileChunks(
    endpoint: string,
    routing: Routing,
    file: { position: number; chunkCount: number },
    from: number,
    inFlight: number,
    job: DeliveryJobData,
  ): Promise<PeerAnswer> {
    const answers: Array<Promise<PeerAnswer>> = [];
    const buffers = new ChunkBuffers(inFlight + 1);
    let sent = from;
    const sendNext = () =>
      answers.push(this.sendChunk(endpoint, routing, file.position, sent++, buffers, job));
    while (sent < file.chunkCount && answers.length < inFlight) sendNext();
    for (let chunk = from; ; chunk++) {
      const answer = await answers.shift()!;
      if (!answer.ok || !('progress' in answer)) {
        await Promise.allSettled(answers);
        return answer;
      }
      await this.attachments.acknowledgedUpTo(
        routing.messageId,
        file.position,
        chunk + 1,
        this.clock.now(),
      );
      if (chunk === file.chunkCount - 1) return answer;
      if (sent < file.chunkCount) sendNext();
    }
  }

  /** Reads one sealed chunk into one of the delivery's buffers and PUTs it. */
  private async sendChunk(
    endpoint: string,
    routing: Routing,
    attachment: number,
    chunk: number,
    buffers: ChunkBuffers,
    job: DeliveryJobData,
  ): Promise<PeerAnswer> {
    let sealed: Awaited<ReturnType<ChunkBuffers['read']>>;
    try {
      sealed = await buffers.read(
        join(outboundChunksDir(this.filesDir, routing.messageId, attachment), chunkFileName(chunk)),
      );
    } catch (error) {
      return {
        ok: false,
        failure: 'transient',
        reason: `sealed chunk ${chunk} of attachment ${attachment} unreadable: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      };
    }
    return this.peers.putChunk(endpoint, routing, { attachment, chunk }, sealed.bytes, {
      correlationId: job.correlationId,
      timeoutMs: this.config.delivery.requestTimeoutMs,
      bodyReleased: sealed.release,
    });
  }

  /**
   * A permanent refusal, with one exception: a procedure step refused while an earlier message of
   * the same request is still on its way to that peer may only have overtaken it (both retried
   * after an outage); it waits for the earlier one rather than fail.
   */
  private async isPermanent(message: MessageRow, answer: PeerRefusal): Promise<boolean> {
    if (answer.failure !== 'permanent') return false;
    if (answer.code !== ErrorCode.PROCEDURE_TRANSITION_REFUSED) return true;
    return !(await this.messages.earlierStillPending(message));
  }

  /** Claims the message for this attempt, or closes it if the retry window has passed. */
  private async start(job: DeliveryJobData): Promise<Attempt | DeliveryOutcome> {
    const now = this.clock.now();
    // The usual case in one round trip; anything else is sorted out under the row's lock.
    const claimed = await this.messages.claimForDelivery(job.messageId, now);
    if (claimed) return claimed;
    let failed: MailboxEvent | undefined;
    const outcome = await this.messages.transaction(
      async (trx): Promise<MessageRow | DeliveryOutcome> => {
        const row = await this.messages.lock(trx, job.messageId);
        const status = row.status as MessageStatus;
        if (row.direction !== 'outbound' || isFinal(status))
          return { kind: 'nothing-to-do', status };
        if (row.retry_until && now.getTime() > row.retry_until.getTime()) {
          const reason = row.last_error ?? 'retry window closed';
          failed = await this.fail(trx, row, job, { reason }, now);
          return { kind: 'failed', reason: 'retry window closed' };
        }
        await this.messages.transition(trx, row.id, 'sending', now, { incrementAttempts: true });
        return { ...row, attempts: row.attempts + 1 };
      },
    );
    if (failed) this.events.publish(failed);
    if ('kind' in outcome) return outcome;
    const envelope = await this.messages.findEnvelope(outcome.id);
    return { message: outcome, envelope, hasFiles: true };
  }

  /** `peer`: the peer's status and code when it answered, for the operators' delivery view. */
  private async retryOrFail(
    message: MessageRow,
    job: DeliveryJobData,
    reason: string,
    peer: { status?: number; code?: string } = {},
  ): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const at = nextAttemptAt(
      message.attempts,
      now,
      message.retry_until ?? now,
      this.config.delivery,
    );
    const event = await this.messages.transaction(async (trx) => {
      if (!at) return this.fail(trx, message, job, { reason }, now);
      await this.messages.transition(trx, message.id, 'waiting-for-retry', now, {
        lastError: reason,
      });
      const retrying = this.mailboxEvent(
        MailboxEventPattern.retryScheduled,
        message,
        'waiting-for-retry',
        job,
        reason,
      );
      await this.audit.recordAll(
        [
          {
            event: 'message.retried',
            actor: this.identity.authorityId,
            messageId: message.id,
            correlationId: job.correlationId,
            details: {
              attempt: message.attempts,
              reason,
              peerStatus: peer.status ?? null,
              peerCode: peer.code ?? null,
              nextAttemptAt: at.toISOString(),
            },
          },
        ],
        trx,
        [this.eventLog.insertOf(retrying)],
      );
      return retrying;
    });
    this.events.publish(event);
    if (!at) return { kind: 'failed', reason };
    this.logger.log(
      {
        messageId: message.id,
        correlationId: job.correlationId,
        attempt: message.attempts,
        reason,
        nextAttemptAt: at.toISOString(),
      },
      'delivery attempt failed; retry scheduled',
    );
    return { kind: 'retry', at, reason };
  }

  /** The peer refused the envelope for good: failed now, not when the retry window closes. */
  private async refused(
    message: MessageRow,
    job: DeliveryJobData,
    answer: PeerRefusal,
  ): Promise<DeliveryOutcome> {
    const now = this.clock.now();
    const reason = `${answer.reason} (permanent refusal: not retried)`;
    const event = await this.messages.transaction((trx) =>
      this.fail(
        trx,
        message,
        job,
        { reason, refusal: { status: answer.status, code: answer.code } },
        now,
      ),
    );
    this.events.publish(event);
    return { kind: 'failed', reason };
  }

  /**
   * SEND_FAILURE: the retry window has closed or the peer refused for good. A non-delivery
   * evidence, an audit entry and an operator alert, each naming the peer's code when it gave one.
   */
  private async fail(
    trx: Trx,
    message: MessageRow,
    job: DeliveryJobData,
    cause: FailureCause,
    now: Date,
  ): Promise<MailboxEvent> {
    const { reason, refusal } = cause;
    const peer = refusal
      ? { permanent: true, peerStatus: refusal.status ?? null, peerCode: refusal.code ?? null }
      : {};
    await this.messages.transition(trx, message.id, 'failed', now, { lastError: reason });
    const event = this.mailboxEvent(
      MailboxEventPattern.deliveryFailed,
      message,
      'failed',
      job,
      reason,
    );
    await this.audit.recordAll(
      [
        {
          event: 'message.failed',
          actor: this.identity.authorityId,
          messageId: message.id,
          correlationId: job.correlationId,
          details: { recipient: message.recipient, reason, attempts: message.attempts, ...peer },
        },
      ],
      trx,
      [
        this.messages.evidenceInsertOf(message.id, 'non-delivery', now, {
          reason,
          attempts: message.attempts,
          retryUntil: message.retry_until?.toISOString() ?? null,
          ...peer,
        }),
        this.eventLog.insertOf(event),
      ],
    );
    this.logger.error(
      {
        alert: 'delivery-failed',
        messageId: message.id,
        correlationId: job.correlationId,
        recipient: message.recipient,
        attempts: message.attempts,
        reason,
        ...peer,
      },
      refusal
        ? `ALERT: ${message.recipient} refused the message (${refusal.code ?? refusal.status}); not delivered`
        : 'ALERT: retry window closed; message not delivered',
    );
    return event;
  }

  private mailboxEvent(
    pattern: MailboxEventPattern,
    message: MessageRow,
    status: MessageStatus,
    job: DeliveryJobData,
    reason?: string,
  ): MailboxEvent {
    return {
      pattern,
      authorityId: message.sender,
      messageId: message.id,
      status,
      counterpart: message.recipient,
      procedure: message.procedure,
      caseReference: message.case_reference,
      messageType: message.message_type,
      occurredAt: this.clock.now().toISOString(),
      correlationId: job.correlationId,
      ...(reason ? { reason } : {}),
    };
  }
}
