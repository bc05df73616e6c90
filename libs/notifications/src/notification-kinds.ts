import type { AuditRecord } from '#libs/audit';
import { CASEWORK, type Role } from '#libs/access';

/** What a user may be told by e-mail (issue 14); stable names, used in preferences and the API. */
export const NOTIFICATION_KINDS = [
  'new-message',
  'warning-awaiting-supervisor',
  'deadline-reminder',
  'deadline-escalation',
  'delivery-failed',
  'register-hit',
  'key-expiring',
  'supervisor-decided',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Whose users a notification concerns: resolved against the database by the outbox. */
export type NotificationScope =
  /** The hosted authority a message belongs to (and its procedure, case reference). */
  | { message: string }
  /** The hosted authority a request belongs to (and its procedure). */
  | { request: string }
  | { authority: string }
  /** Every authority the node serves. */
  | { node: true };

/**
 * What an audit entry causes: a kind, the reference a mail names (an id, never case content), a
 * path in the officer console, and who is concerned. `dedupeKey` makes the same cause recorded
 * twice (a reminder retried, a key checked every six hours) one notice per user.
 */
export interface NotificationTrigger {
  kind: NotificationKind;
  reference: string;
  dedupeKey: string;
  link: string;
  scope: NotificationScope;
  /** The user whose own act caused it (a supervisor's refused submission) is not told of it. */
  exceptUsername?: string;
  /** Only this user is told (the submitter of a submission a supervisor decided). */
  onlyUsername?: string;
}

/** Ids as the gateway makes them (UUIDs, fingerprints, authority ids): anything else is dropped. */
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;

function id(value: unknown): string | undefined {
  return typeof value === 'string' && REFERENCE.test(value) ? value : undefined;
}

/**
 * The one mapping from audit events to notifications. It reads ids from the entry and nothing
 * else: details may hold a case reference, rule explanations or a reason, and none of it may
 * reach a mail.
 */
export function triggerFor(record: AuditRecord): NotificationTrigger | undefined {
  const details = record.details ?? {};
  const messageId = id(record.messageId);
  const requestId = id(details.requestId);
  switch (record.event) {
    case 'message.received':
      if (!messageId) return undefined;
      return {
        kind: 'new-message',
        reference: messageId,
        dedupeKey: messageId,
        link: requestId ? `#/requests/${requestId}` : '#/mailbox',
        scope: { message: messageId },
      };
    case 'message.failed':
      if (!messageId) return undefined;
      return {
        kind: 'delivery-failed',
        reference: messageId,
        dedupeKey: messageId,
        link: '#/mailbox',
        scope: { message: messageId },
      };
    case 'deadline.reminder':
    case 'deadline.expired': {
      if (!requestId) return undefined;
      const reminder = record.event === 'deadline.reminder';
      // A request has several reminders (e.g. 24 and 6 hours before) and one expiry per due date.
      const before = details.before as { amount?: unknown; unit?: unknown } | undefined;
      const which = reminder
        ? `${Number(before?.amount)}-${id(before?.unit) ?? ''}@${id(details.dueAt) ?? ''}`
        : (id(details.dueAt) ?? 'due');
      return {
        kind: reminder ? 'deadline-reminder' : 'deadline-escalation',
        reference: requestId,
        dedupeKey: `${requestId}:${which}`,
        link: `#/requests/${requestId}`,
        scope: { request: requestId },
      };
    }
    case 'policy.refused': {
      // Refused for a warning (W-rule) only a supervisor may acknowledge; blocks are final.
      const decisionId = id(details.decisionId);
      const at = record.actor.lastIndexOf('@');
      if (details.outcome !== 'warn' || !decisionId || at < 1) return undefined;
      return {
        kind: 'warning-awaiting-supervisor',
        reference: decisionId,
        dedupeKey: decisionId,
        link: '#/supervision',
        scope: { authority: record.actor.slice(at + 1) },
        exceptUsername: record.actor.slice(0, at),
      };
    }
    case 'supervision.acknowledged':
    case 'supervision.declined':
    case 'supervision.blocked': {
      // The submitter learns that a supervisor decided; what was decided, they read in the console.
      const submissionId = id(details.supervisedSubmissionId);
      const submitter = typeof details.submittedBy === 'string' ? details.submittedBy : '';
      const at = submitter.lastIndexOf('@');
      const authority = id(submitter.slice(at + 1));
      if (!submissionId || at < 1 || !authority) return undefined;
      return {
        kind: 'supervisor-decided',
        reference: submissionId,
        dedupeKey: submissionId,
        link: '#/mailbox',
        scope: { authority },
        onlyUsername: submitter.slice(0, at),
      };
    }
    case 'register.review-opened': {
      const reviewId = id(details.reviewId);
      const owner = id(details.owner);
      if (!reviewId || !owner) return undefined;
      return {
        kind: 'register-hit',
        reference: reviewId,
        dedupeKey: reviewId,
        link: '#/register',
        scope: { authority: owner },
      };
    }
    case 'key.expiring': {
      const authorityId = id(details.authorityId);
      const reference = id(details.fingerprint) ?? authorityId;
      if (!reference || !authorityId) return undefined;
      return {
        kind: 'key-expiring',
        reference,
        dedupeKey: `${reference}:${id(details.endsAt) ?? 'no-usable-key'}`,
        link: '#/',
        // A key of one of the node's own authorities concerns its administrators; a peer's, all.
        scope: details.owner === 'own' ? { authority: authorityId } : { node: true },
      };
    }
    default:
      return undefined;
  }
}

const CASEWORKERS: readonly Role[] = [
  'central-authority-officer',
  'liaison-officer',
  'repatriation-officer',
  'asset-recovery-officer',
];

/** Who may receive a kind, and who receives it unless they turned it off. */
export interface Audience {
  eligible: readonly Role[];
  byDefault: readonly Role[];
}

/**
 * Per kind and procedure: caseworkers get new messages and deadline reminders of their procedures,
 * supervisors warnings awaiting them and escalations, asylum authority officers register hits,
 * administrators failed deliveries and key expiry. Nobody is offered a kind about what their
 * roles do not let them see.
 */
export function audienceOf(kind: NotificationKind, procedure?: string): Audience {
  const caseworkers = CASEWORKERS.filter((role) =>
    (CASEWORK[role] ?? []).some((p) => p === procedure),
  );
  switch (kind) {
    case 'new-message':
    case 'deadline-reminder':
      return { eligible: [...caseworkers, 'supervisor'], byDefault: caseworkers };
    case 'deadline-escalation':
      return {
        eligible: [...caseworkers, 'supervisor'],
        byDefault: [...caseworkers, 'supervisor'],
      };
    case 'warning-awaiting-supervisor':
      return { eligible: ['supervisor'], byDefault: ['supervisor'] };
    case 'delivery-failed':
      return { eligible: ['administrator', 'supervisor'], byDefault: ['administrator'] };
    case 'register-hit':
      return { eligible: ['asylum-authority-officer'], byDefault: ['asylum-authority-officer'] };
    case 'key-expiring':
      return { eligible: ['administrator'], byDefault: ['administrator'] };
    case 'supervisor-decided':
      // Whoever submitted: any caseworker (whatever the procedure) or a supervisor.
      return {
        eligible: [...CASEWORKERS, 'supervisor'],
        byDefault: [...CASEWORKERS, 'supervisor'],
      };
  }
}

/** A candidate recipient as stored: roles, JITs and the kinds they turned on or off. */
export interface Candidate {
  username: string;
  roles: readonly string[];
  jits: readonly string[];
  email: string | null;
  preferences: Readonly<Record<string, boolean>>;
}

/**
 * Whether a user is told: an address, a role the kind is for (a liaison officer only for the JITs
 * named on their account), and their preference, or else their roles' default.
 */
export function wants(
  user: Candidate,
  kind: NotificationKind,
  audience: Audience,
  jitCase?: string | null,
): boolean {
  if (!user.email) return false;
  const holds = (roles: readonly Role[]) =>
    user.roles.some(
      (role) =>
        roles.includes(role as Role) &&
        (role !== 'liaison-officer' || (!!jitCase && user.jits.includes(jitCase))),
    );
  if (!holds(audience.eligible)) return false;
  return user.preferences[kind] ?? holds(audience.byDefault);
}

/** A user's effective preferences, as the API shows them: the kinds their roles are offered. */
export function preferencesOf(
  roles: readonly string[],
  stored: Readonly<Record<string, boolean>>,
): Array<{ kind: NotificationKind; enabled: boolean; default: boolean }> {
  const procedures = ['mla', 'jit', 'nationality-verification', 'assets'];
  const has = (list: readonly Role[]) => roles.some((role) => list.includes(role as Role));
  return NOTIFICATION_KINDS.flatMap((kind) => {
    const audiences = procedures.map((procedure) => audienceOf(kind, procedure));
    if (!audiences.some((a) => has(a.eligible))) return [];
    const byDefault = audiences.some((a) => has(a.byDefault));
    return [{ kind, enabled: stored[kind] ?? byDefault, default: byDefault }];
  });
}
