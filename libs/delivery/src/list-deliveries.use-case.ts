import { Injectable, Logger } from '@nestjs/common';
import { isGatewayError, ErrorCode } from '#libs/errors';
import { DeliveryQueue, type MessageStatus } from '#libs/messaging';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import {
  deliveryStateOf,
  peerReasonOf,
  statusesOf,
  type DeliveryState,
  type PeerReason,
} from './delivery-retry.js';

export interface DeliveryQuery {
  /** The administrator's (or supervisor's) authority: a hub's authorities never see each other's. */
  authorityId: string;
  state?: DeliveryState;
  /** The recipient authority. */
  counterpart?: string;
  limit: number;
  /** The last message id of the previous page. */
  after?: string;
}

/** One undelivered message: routing facts and the peer's reason, never case content. */
export interface DeliveryView {
  messageId: string;
  messageType: string;
  procedure: string;
  recipient: string;
  status: MessageStatus;
  state: DeliveryState;
  /** Attempts in the current retry window. */
  attempts: number;
  createdAt: string;
  /** When the last attempt ended (or the one on the wire began); null before the first. */
  lastAttemptAt: string | null;
  /** When the worker tries again, for a message waiting out its backoff. */
  nextAttemptAt: string | null;
  retryUntil: string | null;
  peerReason: PeerReason | null;
}

export interface QueueDepths {
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
}

export interface DeliveryLog {
  items: DeliveryView[];
  /** Pass as `after` for the next page; null when this page was not full. */
  next: string | null;
  /** The delivery queue's jobs by state; null while Redis cannot be reached (the list still is). */
  queue: QueueDepths | null;
}

/** The delivery view (after Domibus's message log): what has not reached its recipient, and why. */
@Injectable()
export class ListDeliveries {
  private readonly logger = new Logger(ListDeliveries.name);

  constructor(
    private readonly log: DeliveryLogRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  async execute(query: DeliveryQuery): Promise<DeliveryLog> {
    const [rows, queue] = await Promise.all([
      this.log.undelivered({
        authorityId: query.authorityId,
        statuses: statusesOf(query.state),
        counterpart: query.counterpart,
        after: query.after,
        limit: query.limit,
      }),
      this.depths(),
    ]);
    const ids = rows.map((r) => r.id);
    const [evidences, retries] = await Promise.all([
      this.log.lastNonDelivery(ids),
      this.log.lastRetry(ids),
    ]);
    const items = rows.map((row): DeliveryView => {
      const status = row.status as MessageStatus;
      const lastRetry = retries.get(row.id);
      const nextAttemptAt = lastRetry?.details.nextAttemptAt;
      return {
        messageId: row.id,
        messageType: row.message_type,
        procedure: row.procedure,
        recipient: row.recipient,
        status,
        state: deliveryStateOf(status)!,
        attempts: row.attempts,
        createdAt: row.created_at.toISOString(),
        lastAttemptAt: row.attempts > 0 ? row.status_changed_at.toISOString() : null,
        nextAttemptAt:
          status === 'waiting-for-retry' && typeof nextAttemptAt === 'string'
            ? nextAttemptAt
            : null,
        retryUntil: row.retry_until?.toISOString() ?? null,
        peerReason: peerReasonOf(evidences.get(row.id), lastRetry),
      };
    });
    return {
      items,
      next: rows.length === query.limit ? rows[rows.length - 1].id : null,
      queue,
    };
  }

  private async depths(): Promise<QueueDepths | null> {
    try {
      const counts = await this.queue.depths();
      return {
        // Prioritised jobs wait too (BullMQ keeps them apart).
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        delayed: counts.delayed ?? 0,
        active: counts.active ?? 0,
        failed: counts.failed ?? 0,
      };
    } catch (error) {
      if (!isGatewayError(error) || error.code !== ErrorCode.QUEUE_UNAVAILABLE) throw error;
      this.logger.warn({ code: error.code }, 'delivery view without queue depths');
      return null;
    }
  }
}
