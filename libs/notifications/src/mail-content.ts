import { NOTIFICATION_KINDS, type NotificationKind } from './notification-kinds.js';

export interface MailContent {
  subject: string;
  text: string;
}

/** What a notice holds: the kind, an id and a console path. There is no field for anything else. */
export interface Notice {
  kind: string;
  reference: string;
  link: string;
}

const HEADLINES: Record<NotificationKind, string> = {
  'new-message': 'A new message is in your mailbox',
  'warning-awaiting-supervisor': "A policy warning awaits a supervisor's acknowledgement",
  'deadline-reminder': 'A deadline is approaching',
  'deadline-escalation': 'A deadline has passed',
  'delivery-failed': 'A message could not be delivered',
  'register-hit': 'A protected-persons register hit awaits review',
  'key-expiring': 'A key is about to expire',
  'supervisor-decided': 'A supervisor decided a submission of yours',
};

const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const LINK = /^#\/[A-Za-z0-9/._:-]*$/;

/**
 * The mail for a notice: the kind's fixed headline, the reference and a link to the console, and
 * nothing else, so that a mailbox, a mail relay or a misdirected copy learns no case content
 * (names, bodies, case facts, case references). Anything that is not an id is refused, not sent.
 */
export function composeMail(notice: Notice, consoleUrl: string): MailContent {
  if (!(NOTIFICATION_KINDS as readonly string[]).includes(notice.kind)) {
    throw new Error(`unknown notification kind ${notice.kind}`);
  }
  if (!REFERENCE.test(notice.reference) || !LINK.test(notice.link)) {
    throw new Error('a notification holds an id and a console path only');
  }
  const headline = HEADLINES[notice.kind as NotificationKind];
  const base = consoleUrl.endsWith('/') ? consoleUrl : `${consoleUrl}/`;
  return {
    subject: `[Gateway] ${headline} (ref. ${notice.reference})`,
    text: [
      `${headline}.`,
      '',
      `Reference: ${notice.reference}`,
      `Open it in the console: ${base}${notice.link}`,
      '',
      'This notice carries no case content: sign in to the console to read it.',
      'You receive it under your notification preferences (GET/PUT /api/v1/me/notifications).',
      '',
    ].join('\n'),
  };
}
