/** Event patterns the apps publish to each other over the Redis transport. */
export const MailboxEventPattern = {
  received: 'message.received',
  delivered: 'message.delivered',
  retryScheduled: 'message.retry-scheduled',
  deliveryFailed: 'message.delivery-failed',
  deadlineReminder: 'deadline.reminder',
  deadlineExpired: 'deadline.expired',
} as const;
export type MailboxEventPattern = (typeof MailboxEventPattern)[keyof typeof MailboxEventPattern];

/**
 * What officers see live on their mailbox. Routing facts only: payload content never travels on
 * the event bus.
 */
export interface MailboxEvent {
  pattern: MailboxEventPattern;
  /** The authority whose mailbox the event belongs to (the bus is shared by every node on a Redis). */
  authorityId: string;
  /** The message concerned; absent for request-level events such as deadlines. */
  messageId?: string;
  requestId?: string;
  status: string;
  counterpart: string;
  procedure: string;
  /** Lets a liaison officer's mailbox show only their JITs. */
  caseReference: string | null;
  messageType?: string;
  /** For deadline events: the profile and its due instant. */
  deadline?: { profileId: string; dueAt: string; source: string; actions?: string[] };
  occurredAt: string;
  correlationId: string | null;
  reason?: string;
}
