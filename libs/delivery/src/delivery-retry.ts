import { ErrorCode, GatewayError } from '#libs/errors';
import type { MessageStatus } from '#libs/messaging';

/**
 * The delivery view's three kinds of undelivered message (after Domibus's message log):
 * `failed` (SEND_FAILURE), `retrying` (WAITING_FOR_RETRY) and `queued` (enqueued or on the wire).
 */
export const DELIVERY_STATES = ['failed', 'retrying', 'queued'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const STATUSES: Record<DeliveryState, readonly MessageStatus[]> = {
  failed: ['failed'],
  retrying: ['waiting-for-retry'],
  queued: ['queued', 'sending', 'waiting-for-receipt'],
};

/** The message statuses a filter of the delivery view stands for (all three when none is given). */
export function statusesOf(state?: DeliveryState): MessageStatus[] {
  return state ? [...STATUSES[state]] : DELIVERY_STATES.flatMap((s) => STATUSES[s]);
}

export function deliveryStateOf(status: MessageStatus): DeliveryState | null {
  return DELIVERY_STATES.find((state) => STATUSES[state].includes(status)) ?? null;
}

/** What bounds a fresh retry window: the node's own and what its peers accept (node config). */
export interface RetryLimits {
  retryWindowMs: number;
  /** How old an envelope peers still accept (inbound.replayWindowMs, the network's setting). */
  replayWindowMs: number;
  requestTimeoutMs: number;
  clockSkewMs: number;
}

export type RetryPlan =
  /** Back to the queue, with a window closing at `retryUntil`. */
  | { kind: 'requeue'; retryUntil: Date }
  /** Queued or on the wire already: nothing to do (a second, parallel retry lands here). */
  | { kind: 'already-pending' };

/**
 * Whether and how an operator's retry puts a message back on the delivery queue. The retry sends
 * the very envelope stored at submission (its signature and `createdAt` cannot change), so its
 * window must close while peers still accept that envelope: the retry window of the node, cut
 * where the replay window would refuse it (ENVELOPE_EXPIRED, a permanent refusal).
 */
export function planRetry(
  message: { direction: string; status: MessageStatus; createdAt: Date },
  now: Date,
  limits: RetryLimits,
): RetryPlan {
  if (message.status === 'delivered') {
    throw new GatewayError(
      ErrorCode.DELIVERY_ALREADY_DELIVERED,
      'the recipient has acknowledged this message with a receipt: it is not sent again',
      [{ field: 'messageId', status: message.status }],
    );
  }
  const state = message.direction === 'outbound' ? deliveryStateOf(message.status) : null;
  if (state === null) {
    throw new GatewayError(
      ErrorCode.INVALID_STATUS_TRANSITION,
      `a ${message.direction} message in status ${message.status} has no delivery to retry`,
      [{ field: 'messageId', status: message.status }],
    );
  }
  if (state === 'queued') return { kind: 'already-pending' };
  const acceptedUntil =
    message.createdAt.getTime() +
    limits.replayWindowMs -
    limits.requestTimeoutMs -
    limits.clockSkewMs;
  const retryUntil = Math.min(now.getTime() + limits.retryWindowMs, acceptedUntil);
  if (retryUntil <= now.getTime()) {
    throw new GatewayError(
      ErrorCode.DELIVERY_RETRY_TOO_LATE,
      'the envelope is older than peers accept (replay window): it would be refused as ENVELOPE_EXPIRED; send the message again',
      [
        {
          field: 'messageId',
          rule: 'inbound.replayWindowMs',
          createdAt: message.createdAt.toISOString(),
          acceptedUntil: new Date(acceptedUntil).toISOString(),
        },
      ],
    );
  }
  return { kind: 'requeue', retryUntil: new Date(retryUntil) };
}

/** The peer's last word on a message, as the non-delivery evidence or the last retry recorded it. */
export interface PeerReason {
  /** The peer's error code, when it answered in the gateway's error format. */
  code: string | null;
  /** The peer's HTTP status, when it answered at all. */
  status: number | null;
  message: string;
  /** The peer refused these bytes for good (README, Delivery). */
  permanent: boolean;
  at: string;
}

interface RecordedFailure {
  occurredAt: Date;
  details: Record<string, unknown>;
}

/**
 * The latest of the two records that name the peer's reason: the non-delivery evidence (failed)
 * and the `message.retried` audit entry (each failed attempt). The evidence of a retry window
 * that closed carries no code; the attempt before it does, so a missing code is taken from it.
 */
export function peerReasonOf(
  evidence: RecordedFailure | undefined,
  lastRetry: RecordedFailure | undefined,
): PeerReason | null {
  const latest =
    evidence && (!lastRetry || evidence.occurredAt >= lastRetry.occurredAt) ? evidence : lastRetry;
  if (!latest) return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const number = (value: unknown) => (typeof value === 'number' ? value : null);
  const inherit =
    latest === evidence && evidence.details.permanent !== true ? lastRetry : undefined;
  return {
    code: text(latest.details.peerCode) ?? text(inherit?.details.peerCode),
    status: number(latest.details.peerStatus) ?? number(inherit?.details.peerStatus),
    message: text(latest.details.reason) ?? '',
    permanent: latest.details.permanent === true,
    at: latest.occurredAt.toISOString(),
  };
}
