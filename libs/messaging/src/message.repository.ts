import { Injectable } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import { OutOfScopeError, type AccessScope } from '#libs/access';
import type { EnvelopePayload } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  ColumnCipher,
  InjectDatabase,
  writeTogether,
  type Database,
  type Db,
  type EvidenceRow,
  type MessageDirection,
  type MessageRow,
  type ReceiptRow,
  visibleTo,
  type JoinedWrite,
} from '#libs/persistence';
import {
  assertTransition,
  PENDING_OUTBOUND,
  sourcesOf,
  type MessageStatus,
} from './message-status.js';

export type Trx = Transaction<Database>;

/** A message claimed for a delivery attempt, with what the attempt sends. */
export interface DeliveryClaim {
  message: MessageRow;
  envelope: KeptEnvelope;
  /** Whether sealed files follow the envelope (their rows are read only then). */
  hasFiles: boolean;
}

/** What a status change may change besides the status. */
export interface StatusChanges {
  lastError?: string | null;
  incrementAttempts?: boolean;
  /** A fresh retry window (an operator's retry): attempts count again from zero. */
  retryWindow?: { until: Date };
}

/** A message as this node first stores it, sent or received. */
export interface NewMessage {
  payload: EnvelopePayload;
  direction: MessageDirection;
  status: MessageStatus;
  correlationId: string;
  retryUntil: Date | null;
  now: Date;
}

export interface StoredEnvelope {
  armored: string;
  sha256: string;
}

/** An envelope as kept: its armored text is null once erased under a retention profile. */
export interface KeptEnvelope {
  armored: string | null;
  sha256: string;
}

/** What an officer sees in place of erased content: which profile erased it, and when. */
export interface ContentErasure {
  profile: string;
  erasedAt: string;
  note: string;
}

export function contentErasureOf(
  row: Pick<MessageRow, 'content_erased_at' | 'retention_profile'>,
): ContentErasure | null {
  if (!row.content_erased_at) return null;
  const profile = row.retention_profile ?? 'unknown';
  const erasedAt = row.content_erased_at.toISOString();
  return {
    profile,
    erasedAt,
    note: `content erased under retention profile ${profile} on ${erasedAt.slice(0, 10)}`,
  };
}

export interface StoredReceipt {
  armored: string;
  envelopeSha256: string;
  receivedAt: string;
  signerFingerprint: string;
}

export interface MessageFilter {
  direction?: MessageDirection;
  status?: MessageStatus;
  limit: number;
}

/** PostgreSQL adapter for messages, their raw envelopes, receipts and evidences. */
@Injectable()
export class MessageRepository {
  constructor(
    @InjectDatabase() readonly db: Db,
    private readonly cipher: ColumnCipher,
  ) {}

  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Stores a message with its envelope: one statement, both or neither. */
  async insert(executor: Trx | Db, message: NewMessage, envelope: StoredEnvelope): Promise<void> {
    await writeTogether(executor, this.insertsOf(message, envelope));
  }

  /**
   * The rows of a message and its envelope, to be written with the change's other rows
   * (writeTogether, AuditTrail.recordAll): the envelope's row refers to the message's.
   */
  insertsOf(message: NewMessage, envelope: StoredEnvelope): JoinedWrite[] {
    const { payload, now } = message;
    return [
      (db) =>
        db.insertInto('messages').values({
          id: payload.messageId,
          direction: message.direction,
          status: message.status,
          procedure: payload.procedure,
          message_type: payload.messageType,
          sender: payload.sender,
          recipient: payload.recipient,
          case_reference: payload.caseReference,
          in_reply_to: payload.inReplyTo,
          request_id: payload.requestId,
          created_at: payload.createdAt,
          payload: this.cipher.seal('messages.payload', payload.messageId, payload),
          correlation_id: message.correlationId,
          retry_until: message.retryUntil,
          status_changed_at: now,
        }),
      (db) =>
        db.insertInto('envelopes').values({
          message_id: payload.messageId,
          armored: envelope.armored,
          sha256: envelope.sha256,
          stored_at: now,
        }),
    ];
  }

  async storeReceipt(
    trx: Trx,
    messageId: string,
    receipt: StoredReceipt,
    now: Date,
  ): Promise<void> {
    await writeTogether(trx, [this.receiptInsertOf(messageId, receipt, now)]);
  }

  /** The receipt's row, to be written with the change's other rows. */
  receiptInsertOf(messageId: string, receipt: StoredReceipt, now: Date): JoinedWrite {
    return (db) =>
      db.insertInto('receipts').values({
        message_id: messageId,
        armored: receipt.armored,
        envelope_sha256: receipt.envelopeSha256,
        received_at: receipt.receivedAt,
        signer_fingerprint: receipt.signerFingerprint,
        stored_at: now,
      });
  }

  /** An evidence of the message's path, to be written with the change's other rows. */
  evidenceInsertOf(
    messageId: string,
    kind: EvidenceRow['kind'],
    occurredAt: Date,
    details: Record<string, unknown>,
  ): JoinedWrite {
    return (db) =>
      db.insertInto('evidences').values({
        message_id: messageId,
        kind,
        occurred_at: occurredAt,
        details: JSON.stringify(details),
      });
  }

  /**
   * Moves a message to a new status, enforcing the status machine in the statement itself (one
   * round trip: the row is updated only from a status that may lead to `to`). Returns the row as
   * updated; a refused transition is reported with the status the message is in.
   */
  async transition(
    executor: Trx | Db,
    messageId: string,
    to: MessageStatus,
    now: Date,
    changes: StatusChanges = {},
  ): Promise<MessageRow> {
    const updated = await this.transitionOf(
      messageId,
      to,
      now,
      changes,
    )(executor)
      .returningAll()
      .executeTakeFirst();
    return updated ?? this.transitionRefused(executor, messageId, to);
  }

  /**
   * The same move as a write joined to the change it belongs to (writeTogether); the rows it
   * updated tell whether it held (none: report it with `transitionRefused`).
   */
  transitionOf(messageId: string, to: MessageStatus, now: Date, changes: StatusChanges = {}) {
    return (db: Pick<Db, 'updateTable'>) =>
      db
        .updateTable('messages')
        .set((eb) => ({
          status: to,
          status_changed_at: now,
          ...(changes.lastError !== undefined ? { last_error: changes.lastError } : {}),
          ...(changes.incrementAttempts ? { attempts: eb('attempts', '+', 1) } : {}),
          ...(changes.retryWindow ? { retry_until: changes.retryWindow.until, attempts: 0 } : {}),
        }))
        .where('id', '=', messageId)
        .where('status', 'in', sourcesOf(to));
  }

  /** Why a message could not move to `to`: it does not exist, or its status does not lead there. */
  async transitionRefused(
    executor: Trx | Db,
    messageId: string,
    to: MessageStatus,
  ): Promise<never> {
    const current = await executor
      .selectFrom('messages')
      .select('status')
      .where('id', '=', messageId)
      .executeTakeFirst();
    if (!current)
      throw new GatewayError(ErrorCode.MESSAGE_NOT_FOUND, `message ${messageId} does not exist`);
    assertTransition(current.status as MessageStatus, to);
    throw new GatewayError(
      ErrorCode.INVALID_STATUS_TRANSITION,
      `message ${messageId} changed status concurrently`,
    );
  }

  /**
   * Claims an outbound message for a delivery attempt in one statement: `sending`, one attempt
   * more, from a status that leads there and inside its retry window; with its envelope and
   * whether files follow it. Undefined when it cannot (final, past its window, gone, inbound,
   * without an envelope): the caller finds out why under the row's lock.
   */
  async claimForDelivery(messageId: string, now: Date): Promise<DeliveryClaim | undefined> {
    const row = await this.db
      .updateTable('messages')
      .from('envelopes')
      .set((eb) => ({
        status: 'sending',
        status_changed_at: now,
        attempts: eb('messages.attempts', '+', 1),
      }))
      .whereRef('envelopes.message_id', '=', 'messages.id')
      .where('messages.id', '=', messageId)
      .where('messages.direction', '=', 'outbound')
      .where('messages.status', 'in', sourcesOf('sending'))
      .where((eb) =>
        eb.or([eb('messages.retry_until', 'is', null), eb('messages.retry_until', '>=', now)]),
      )
      .returningAll('messages')
      .returning((eb) => [
        'envelopes.armored as envelope_armored',
        'envelopes.sha256 as envelope_sha256',
        eb
          .exists(
            eb
              .selectFrom('message_attachments')
              .select('message_attachments.message_id')
              .whereRef('message_attachments.message_id', '=', 'messages.id'),
          )
          .as('has_files'),
      ])
      .executeTakeFirst();
    if (!row) return undefined;
    const { envelope_armored, envelope_sha256, has_files, ...message } = row;
    return {
      message,
      envelope: { armored: envelope_armored, sha256: envelope_sha256 },
      hasFiles: Boolean(has_files),
    };
  }

  async lock(trx: Trx, messageId: string): Promise<MessageRow> {
    const row = await trx
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .forUpdate()
      .executeTakeFirst();
    if (!row)
      throw new GatewayError(ErrorCode.MESSAGE_NOT_FOUND, `message ${messageId} does not exist`);
    return row;
  }

  async exists(executor: Trx | Db, messageId: string): Promise<boolean> {
    const row = await executor
      .selectFrom('messages')
      .select('id')
      .where('id', '=', messageId)
      .executeTakeFirst();
    return row !== undefined;
  }

  find(messageId: string): Promise<MessageRow | undefined> {
    return this.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .executeTakeFirst();
  }

  async require(messageId: string): Promise<MessageRow> {
    const row = await this.find(messageId);
    if (!row)
      throw new GatewayError(ErrorCode.MESSAGE_NOT_FOUND, `message ${messageId} does not exist`);
    return row;
  }

  /** A message the scope may see; any other is reported as missing, so that none is revealed. */
  async requireVisible(messageId: string, scope: AccessScope): Promise<MessageRow> {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .where(visibleTo(scope))
      .executeTakeFirst();
    if (row) return row;
    // Another authority's message and a missing one take the same path (one more look-up to tell
    // them apart for the audit trail): neither answers faster than the other.
    const exists = await this.db
      .selectFrom('messages')
      .select('id')
      .where('id', '=', messageId)
      .executeTakeFirst();
    const message = `message ${messageId} does not exist`;
    throw exists
      ? new OutOfScopeError(ErrorCode.MESSAGE_NOT_FOUND, message)
      : new GatewayError(ErrorCode.MESSAGE_NOT_FOUND, message);
  }

  /** The decrypted payload of a stored message, opened only where it is used. */
  openPayload(row: Pick<MessageRow, 'id' | 'payload'>): EnvelopePayload {
    return this.cipher.open<EnvelopePayload>('messages.payload', row.id, row.payload);
  }

  findEnvelope(messageId: string): Promise<KeptEnvelope | undefined> {
    return this.db
      .selectFrom('envelopes')
      .select(['armored', 'sha256'])
      .where('message_id', '=', messageId)
      .executeTakeFirst();
  }

  findReceipt(messageId: string): Promise<ReceiptRow | undefined> {
    return this.db
      .selectFrom('receipts')
      .selectAll()
      .where('message_id', '=', messageId)
      .executeTakeFirst();
  }

  findEvidences(messageId: string): Promise<EvidenceRow[]> {
    return this.db
      .selectFrom('evidences')
      .selectAll()
      .where('message_id', '=', messageId)
      .orderBy('id')
      .execute();
  }

  list(filter: MessageFilter, scope: AccessScope): Promise<MessageRow[]> {
    let query = this.db
      .selectFrom('messages')
      .selectAll()
      .where(visibleTo(scope))
      .orderBy('created_at', 'desc')
      .limit(filter.limit);
    if (filter.direction) query = query.where('direction', '=', filter.direction);
    if (filter.status) query = query.where('status', '=', filter.status);
    return query.execute();
  }

  /**
   * Whether an earlier message of the same request to the same recipient is still on its way: a
   * peer may refuse a step of the procedure only because the step before has not reached it yet.
   */
  async earlierStillPending(
    message: Pick<MessageRow, 'id' | 'request_id' | 'recipient' | 'created_at'>,
  ): Promise<boolean> {
    if (!message.request_id) return false;
    const row = await this.db
      .selectFrom('messages')
      .select('id')
      .where('direction', '=', 'outbound')
      .where('request_id', '=', message.request_id)
      .where('recipient', '=', message.recipient)
      // Earlier by creation, the id breaking ties: of two messages, one is always the first.
      .where(sql<boolean>`(created_at, id) < (${message.created_at}, ${message.id}::uuid)`)
      .where('status', 'in', [...PENDING_OUTBOUND])
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Outbound messages that must have a delivery job: PostgreSQL is the truth the queue is rebuilt from. */
  async pendingOutbound(): Promise<Array<Pick<MessageRow, 'id' | 'correlation_id'>>> {
    return this.db
      .selectFrom('messages')
      .select(['id', 'correlation_id'])
      .where('direction', '=', 'outbound')
      .where('status', 'in', [...PENDING_OUTBOUND])
      .orderBy('created_at')
      .execute();
  }
}
