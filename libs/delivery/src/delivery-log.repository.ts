import { Injectable } from '@nestjs/common';
import type { MessageStatus, Trx } from '#libs/messaging';
import { InjectDatabase, type Db, type MessageRow } from '#libs/persistence';

/** The columns the delivery view reads: routing facts, never the sealed payload. */
export type UndeliveredRow = Pick<
  MessageRow,
  | 'id'
  | 'procedure'
  | 'message_type'
  | 'recipient'
  | 'status'
  | 'attempts'
  | 'created_at'
  | 'status_changed_at'
  | 'retry_until'
  | 'last_error'
>;

export interface RecordedFailure {
  occurredAt: Date;
  details: Record<string, unknown>;
}

/**
 * PostgreSQL reads of the delivery view: an authority's outgoing messages not delivered, and for
 * each the latest non-delivery evidence and the latest failed attempt (`message.retried`).
 */
@Injectable()
export class DeliveryLogRepository {
  constructor(@InjectDatabase() private readonly db: Db) {}

  /** Newest first; `after` is the last message id of the page before (UUIDv7: time-ordered). */
  undelivered(query: {
    authorityId: string;
    statuses: MessageStatus[];
    counterpart?: string;
    after?: string;
    limit: number;
  }): Promise<UndeliveredRow[]> {
    let select = this.db
      .selectFrom('messages')
      .select([
        'id',
        'procedure',
        'message_type',
        'recipient',
        'status',
        'attempts',
        'created_at',
        'status_changed_at',
        'retry_until',
        'last_error',
      ])
      .where('direction', '=', 'outbound')
      .where('authority', '=', query.authorityId)
      .where('status', 'in', query.statuses)
      .orderBy('id', 'desc')
      .limit(query.limit);
    if (query.counterpart) select = select.where('recipient', '=', query.counterpart);
    if (query.after) select = select.where('id', '<', query.after);
    return select.execute();
  }

  /** The latest non-delivery evidence of each message. */
  async lastNonDelivery(
    messageIds: string[],
    executor: Db | Trx = this.db,
  ): Promise<Map<string, RecordedFailure>> {
    if (messageIds.length === 0) return new Map();
    const rows = await executor
      .selectFrom('evidences')
      .select(['message_id', 'occurred_at', 'details'])
      .distinctOn('message_id')
      .where('kind', '=', 'non-delivery')
      .where('message_id', 'in', messageIds)
      .orderBy('message_id')
      .orderBy('id', 'desc')
      .execute();
    return new Map(
      rows.map((r) => [r.message_id, { occurredAt: r.occurred_at, details: r.details }]),
    );
  }

  /** The latest failed attempt of each message, with the peer's answer and the next attempt. */
  async lastRetry(
    messageIds: string[],
    executor: Db | Trx = this.db,
  ): Promise<Map<string, RecordedFailure>> {
    if (messageIds.length === 0) return new Map();
    const rows = await executor
      .selectFrom('audit_log')
      .select(['message_id', 'occurred_at', 'details'])
      .distinctOn('message_id')
      .where('event', '=', 'message.retried')
      .where('message_id', 'in', messageIds)
      .orderBy('message_id')
      .orderBy('id', 'desc')
      .execute();
    return new Map(
      rows.map((r) => [r.message_id!, { occurredAt: r.occurred_at, details: r.details }]),
    );
  }
}
