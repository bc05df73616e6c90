import type { AuditRecord } from '#libs/audit';
import { composeMail } from './mail-content.js';
import { NOTIFICATION_KINDS, triggerFor } from './notification-kinds.js';

/*
 * No case content can reach a mail: the mapping reads ids only, and the composer takes a kind, an
 * id and a console path, refusing anything else.
 */

const CONSOLE = 'https://gateway.example.org/console/';
/** What an audit entry's details may hold beside the ids: none of it may appear in a mail. */
const CASE_CONTENT = {
  caseReference: 'FR-PNAT-2026-0042 Okoro',
  names: 'Mrs Adaeze Okoro',
  body: 'the victim was recruited in Benin City',
  reason: 'peer refused the envelope',
  explanation: 'W-3: a victim identity abroad',
  recipientStates: ['NG'],
  email: 'officer@example.org',
};
const MESSAGE = '01930000-0000-7000-8000-000000000001';
const REQUEST = '01930000-0000-7000-8000-0000000000aa';

describe('notification mails', () => {
  const events: AuditRecord[] = [
    {
      event: 'message.received',
      actor: 'NG-MOJ-CA',
      messageId: MESSAGE,
      details: { requestId: REQUEST },
    },
    { event: 'message.failed', actor: 'FR-MOJ-BEPI', messageId: MESSAGE },
    {
      event: 'deadline.reminder',
      actor: 'system',
      details: { requestId: REQUEST, dueAt: '2026-07-08T08:00:00.000Z' },
    },
    { event: 'deadline.expired', actor: 'system', details: { requestId: REQUEST } },
    {
      event: 'policy.refused',
      actor: 'officer@FR-MOJ-BEPI',
      details: { decisionId: 'dec-1', outcome: 'warn' },
    },
    {
      event: 'register.review-opened',
      actor: 'system',
      details: { reviewId: 'rev-1', owner: 'FR-OFPRA' },
    },
    {
      event: 'key.expiring',
      actor: 'system',
      details: { authorityId: 'FR-MOJ-BEPI', owner: 'own', fingerprint: 'ABCDEF0123' },
    },
    {
      event: 'supervision.declined',
      actor: 'supervisor@FR-MOJ-BEPI',
      details: { supervisedSubmissionId: 'sup-1', submittedBy: 'officer@FR-MOJ-BEPI' },
    },
  ];

  it('carries the kind, the reference and a console link, and no case content', () => {
    const kinds = new Set<string>();
    for (const event of events) {
      const trigger = triggerFor({ ...event, details: { ...CASE_CONTENT, ...event.details } })!;
      kinds.add(trigger.kind);
      const mail = composeMail(trigger, CONSOLE);
      const all = `${mail.subject}\n${mail.text}`;
      expect(mail.subject).toContain(trigger.reference);
      expect(mail.text).toContain(`${CONSOLE}${trigger.link}`);
      for (const value of Object.values(CASE_CONTENT).flat()) expect(all).not.toContain(value);
      expect(all).not.toMatch(/Okoro|Benin|recruited|refused the envelope/);
    }
    expect([...kinds].sort()).toEqual([...NOTIFICATION_KINDS].sort());
  });

  it('refuses a reference or a link that is not an id or a console path', () => {
    expect(() =>
      composeMail({ kind: 'new-message', reference: 'Mrs Okoro', link: '#/mailbox' }, CONSOLE),
    ).toThrow('an id and a console path only');
    expect(() =>
      composeMail(
        { kind: 'new-message', reference: MESSAGE, link: 'https://evil.example/' },
        CONSOLE,
      ),
    ).toThrow('an id and a console path only');
    expect(() => composeMail({ kind: 'gossip', reference: MESSAGE, link: '#/' }, CONSOLE)).toThrow(
      'unknown notification kind',
    );
  });

  it('links under the console URL whether or not it ends with a slash', () => {
    const notice = { kind: 'new-message', reference: MESSAGE, link: '#/mailbox' };
    expect(composeMail(notice, 'https://gw.example/console').text).toContain(
      'https://gw.example/console/#/mailbox',
    );
  });
});
