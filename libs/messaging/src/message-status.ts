import { ErrorCode, GatewayError } from '#libs/errors';

/**
 * Message statuses, after Domibus: SEND_ENQUEUED, WAITING_FOR_RECEIPT, WAITING_FOR_RETRY,
 * SEND_FAILURE, ACKNOWLEDGED on the sending side; RECEIVED and DOWNLOADED on the receiving side.
 */
export const OUTBOUND_STATUSES = [
  'queued',
  'sending',
  'waiting-for-receipt',
  'waiting-for-retry',
  'delivered',
  'failed',
] as const;
export const INBOUND_STATUSES = ['received', 'read'] as const;
export type OutboundStatus = (typeof OUTBOUND_STATUSES)[number];
export type InboundStatus = (typeof INBOUND_STATUSES)[number];
export type MessageStatus = OutboundStatus | InboundStatus;

const TRANSITIONS: Record<MessageStatus, readonly MessageStatus[]> = {
  queued: ['sending', 'failed'],
  // A worker that died mid-delivery leaves `sending` or `waiting-for-receipt`: the next attempt resumes from there.
  // The receipt in the answer to the envelope delivers from `sending` (a synchronous receipt, as in
  // Domibus); `waiting-for-receipt` is a peer holding the envelope while its files' chunks follow,
  // the receipt coming with the last.
  sending: ['sending', 'waiting-for-receipt', 'delivered', 'waiting-for-retry', 'failed'],
  'waiting-for-receipt': ['sending', 'delivered', 'waiting-for-retry', 'failed'],
  // An operator's "retry delivery" (RetryDelivery, libs/delivery) puts a waiting or failed message
  // back on the queue with a fresh retry window; nothing else leaves `failed`.
  'waiting-for-retry': ['sending', 'failed', 'queued'],
  delivered: [],
  failed: ['queued'],
  received: ['read'],
  read: [],
};

export function canTransition(from: MessageStatus, to: MessageStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses a message may reach `to` from. */
export function sourcesOf(to: MessageStatus): MessageStatus[] {
  return (Object.keys(TRANSITIONS) as MessageStatus[]).filter((from) =>
    TRANSITIONS[from].includes(to),
  );
}

export function assertTransition(from: MessageStatus, to: MessageStatus): void {
  if (!canTransition(from, to)) {
    throw new GatewayError(
      ErrorCode.INVALID_STATUS_TRANSITION,
      `a message cannot go from ${from} to ${to}`,
    );
  }
}

/** Statuses from which a delivery job must exist: what the reconciler re-enqueues. */
export const PENDING_OUTBOUND: readonly OutboundStatus[] = [
  'queued',
  'sending',
  'waiting-for-receipt',
  'waiting-for-retry',
];

/**
 * Statuses no worker moves a message out of: a delivery job finding one does nothing. `failed`
 * is among them although an operator's retry may re-queue it: that is a decision, not a job's.
 */
const FINAL: readonly MessageStatus[] = ['delivered', 'failed', 'read'];

export function isFinal(status: MessageStatus): boolean {
  return FINAL.includes(status);
}
