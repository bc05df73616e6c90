import type { AuditRecord } from '#libs/audit';
import {
  audienceOf,
  preferencesOf,
  triggerFor,
  wants,
  type Candidate,
} from './notification-kinds.js';

/*
 * The mapping from audited events to notifications, and who receives them: the roles each kind is
 * for, the defaults, preferences, and JIT membership.
 */

const MESSAGE = '01930000-0000-7000-8000-000000000001';
const REQUEST = '01930000-0000-7000-8000-0000000000aa';

describe('notification triggers', () => {
  it('maps each notifying event to its kind, an id reference and a console path', () => {
    const cases: Array<[AuditRecord, object]> = [
      [
        {
          event: 'message.received',
          actor: 'NG-MOJ-CA',
          messageId: MESSAGE,
          details: { requestId: REQUEST, procedure: 'mla' },
        },
        { kind: 'new-message', reference: MESSAGE, link: `#/requests/${REQUEST}` },
      ],
      [
        { event: 'message.failed', actor: 'FR-MOJ-BEPI', messageId: MESSAGE, details: {} },
        { kind: 'delivery-failed', reference: MESSAGE, scope: { message: MESSAGE } },
      ],
      [
        {
          event: 'deadline.reminder',
          actor: 'system',
          details: {
            requestId: REQUEST,
            dueAt: '2026-07-08T08:00:00.000Z',
            before: { amount: 24, unit: 'hours' },
          },
        },
        { kind: 'deadline-reminder', reference: REQUEST, scope: { request: REQUEST } },
      ],
      [
        { event: 'deadline.expired', actor: 'system', details: { requestId: REQUEST } },
        { kind: 'deadline-escalation', reference: REQUEST },
      ],
      [
        {
          event: 'policy.refused',
          actor: 'fr.officer@FR-MOJ-BEPI',
          details: { decisionId: 'd-1', outcome: 'warn' },
        },
        {
          kind: 'warning-awaiting-supervisor',
          reference: 'd-1',
          scope: { authority: 'FR-MOJ-BEPI' },
          exceptUsername: 'fr.officer',
        },
      ],
      [
        {
          event: 'register.review-opened',
          actor: 'system',
          details: { reviewId: 'r-1', owner: 'FR-OFPRA' },
        },
        { kind: 'register-hit', reference: 'r-1', scope: { authority: 'FR-OFPRA' } },
      ],
      [
        {
          event: 'key.expiring',
          actor: 'system',
          details: {
            authorityId: 'FR-MOJ-BEPI',
            owner: 'own',
            fingerprint: 'ABCDEF',
            endsAt: '2026-08-01T00:00:00Z',
          },
        },
        { kind: 'key-expiring', reference: 'ABCDEF', scope: { authority: 'FR-MOJ-BEPI' } },
      ],
      [
        {
          event: 'key.expiring',
          actor: 'system',
          details: { authorityId: 'NG-MOJ-CA', owner: 'peer', fingerprint: null, endsAt: null },
        },
        { kind: 'key-expiring', reference: 'NG-MOJ-CA', scope: { node: true } },
      ],
      ...(['supervision.acknowledged', 'supervision.declined', 'supervision.blocked'] as const).map(
        (event): [AuditRecord, object] => [
          {
            event,
            actor: 'fr.supervisor@FR-MOJ-BEPI',
            details: { supervisedSubmissionId: 's-1', submittedBy: 'fr.officer@FR-MOJ-BEPI' },
          },
          {
            kind: 'supervisor-decided',
            reference: 's-1',
            scope: { authority: 'FR-MOJ-BEPI' },
            onlyUsername: 'fr.officer',
          },
        ],
      ),
    ];
    for (const [record, expected] of cases) {
      expect(triggerFor(record)).toEqual(expect.objectContaining(expected));
    }
  });

  it('ignores every other event, a blocked submission, and entries without usable ids', () => {
    expect(
      triggerFor({ event: 'message.read', actor: 'a@FR-MOJ-BEPI', messageId: MESSAGE }),
    ).toBeUndefined();
    expect(
      triggerFor({
        event: 'policy.refused',
        actor: 'a@FR-MOJ-BEPI',
        details: { decisionId: 'd', outcome: 'block' },
      }),
    ).toBeUndefined();
    expect(
      triggerFor({
        event: 'message.received',
        actor: 'NG-MOJ-CA',
        messageId: 'Mrs Okoro, born 1990',
      }),
    ).toBeUndefined();
  });

  it('tells reminders of one request apart, and the same reminder recorded twice not', () => {
    const reminder = (amount: number) =>
      triggerFor({
        event: 'deadline.reminder',
        actor: 'system',
        details: {
          requestId: REQUEST,
          dueAt: '2026-07-08T08:00:00.000Z',
          before: { amount, unit: 'hours' },
        },
      })!.dedupeKey;
    expect(reminder(24)).not.toBe(reminder(6));
    expect(reminder(24)).toBe(reminder(24));
  });
});

describe('recipients', () => {
  const user = (roles: string[], more: Partial<Candidate> = {}): Candidate => ({
    username: 'u',
    roles,
    jits: [],
    email: 'u@example.org',
    preferences: {},
    ...more,
  });

  it('gives each role its defaults', () => {
    const mla = audienceOf('new-message', 'mla');
    expect(wants(user(['central-authority-officer']), 'new-message', mla)).toBe(true);
    expect(wants(user(['repatriation-officer']), 'new-message', mla)).toBe(false);
    expect(wants(user(['supervisor']), 'new-message', mla)).toBe(false);
    expect(
      wants(
        user(['supervisor']),
        'warning-awaiting-supervisor',
        audienceOf('warning-awaiting-supervisor'),
      ),
    ).toBe(true);
    expect(
      wants(user(['asylum-authority-officer']), 'register-hit', audienceOf('register-hit')),
    ).toBe(true);
    expect(wants(user(['administrator']), 'delivery-failed', audienceOf('delivery-failed'))).toBe(
      true,
    );
    expect(wants(user(['administrator']), 'key-expiring', audienceOf('key-expiring'))).toBe(true);
    expect(wants(user(['auditor']), 'key-expiring', audienceOf('key-expiring'))).toBe(false);
    expect(
      wants(
        user(['central-authority-officer']),
        'deadline-reminder',
        audienceOf('deadline-reminder', 'mla'),
      ),
    ).toBe(true);
  });

  it('follows preferences within the roles, and sends nothing without an address', () => {
    const mla = audienceOf('new-message', 'mla');
    expect(
      wants(
        user(['central-authority-officer'], { preferences: { 'new-message': false } }),
        'new-message',
        mla,
      ),
    ).toBe(false);
    expect(
      wants(user(['supervisor'], { preferences: { 'new-message': true } }), 'new-message', mla),
    ).toBe(true);
    // A preference never opens a kind to a role it is not for.
    expect(
      wants(user(['monitor'], { preferences: { 'new-message': true } }), 'new-message', mla),
    ).toBe(false);
    expect(wants(user(['central-authority-officer'], { email: null }), 'new-message', mla)).toBe(
      false,
    );
  });

  it('tells a liaison officer only of the JITs named on their account', () => {
    const jit = audienceOf('new-message', 'jit');
    const liaison = user(['liaison-officer'], { jits: ['JIT-2026-07'] });
    expect(wants(liaison, 'new-message', jit, 'JIT-2026-07')).toBe(true);
    expect(wants(liaison, 'new-message', jit, 'JIT-2026-99')).toBe(false);
  });

  it('shows a user the kinds their roles are offered, with defaults', () => {
    expect(preferencesOf(['central-authority-officer'], { 'deadline-reminder': false })).toEqual([
      { kind: 'new-message', enabled: true, default: true },
      { kind: 'deadline-reminder', enabled: false, default: true },
      { kind: 'deadline-escalation', enabled: true, default: true },
      { kind: 'supervisor-decided', enabled: true, default: true },
    ]);
    expect(preferencesOf(['auditor'], {})).toEqual([]);
    expect(preferencesOf(['administrator'], {}).map((k) => k.kind)).toEqual([
      'delivery-failed',
      'key-expiring',
    ]);
  });
});
