import { ErrorCode, GatewayError } from '#libs/errors';
import { applyMessage, applySystemEvent, initialState } from '../apply-message.js';
import { messageTypesOf, type MessageTypeOf } from '../catalogue.js';
import { validateMessageBody } from '../validate-message-body.js';
import type { JitState, JitStatus } from './jit.procedure.js';
import { FR, RO, IT, DE, agreement, VALID_BODIES as valid } from './jit.examples.js';

function caught(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('accepted');
}

const without = (body: Record<string, unknown>, field: string) =>
  Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));

describe('jit message bodies', () => {
  it('defines a valid example for every message type', () => {
    expect(Object.keys(valid).sort()).toEqual([...messageTypesOf('jit')].sort());
  });

  it.each(Object.entries(valid))('accepts a valid %s', (type, body) => {
    expect(() => validateMessageBody('jit', type, body)).not.toThrow();
  });

  it.each<[string, string, Record<string, unknown>, string, string | undefined]>([
    [
      'parties of a single State',
      'agreement',
      { ...agreement, parties: [FR, 'FR-PN-OCRTEH'] },
      'body.parties',
      'UNTOC 19',
    ],
    ['a single party', 'agreement', { ...agreement, parties: [FR] }, 'body.parties', 'UNTOC 19'],
    [
      'a leader who is not a party',
      'agreement',
      { ...agreement, leader: { authorityId: DE, name: 'K. Weber', role: 'leader' } },
      'body.leader',
      'UNTOC 19',
    ],
    [
      'a party without members',
      'agreement',
      { ...agreement, members: agreement.members.slice(0, 2) },
      'body.members',
      'UNTOC 19',
    ],
    [
      'no legal basis',
      'agreement',
      without(agreement, 'legalBasis'),
      'body.legalBasis',
      'UNTOC 19',
    ],
    [
      'no common objective',
      'agreement',
      without(agreement, 'purpose'),
      'body.purpose',
      '004 Table 5',
    ],
    [
      'no information-exchange procedure',
      'agreement',
      without(agreement, 'informationExchange'),
      'body.informationExchange',
      '004 Table 5',
    ],
    [
      'no distribution of tasks',
      'agreement',
      { ...agreement, tasks: [] },
      'body.tasks',
      '004 Table 5',
    ],
    ['no duration', 'agreement', without(agreement, 'duration'), 'body.duration', 'UNTOC 19'],
    [
      'an end before the start',
      'agreement',
      { ...agreement, duration: { start: '2026-04-01', end: '2026-03-01' } },
      'body.duration.end',
      undefined,
    ],
    [
      'child victims without a clause',
      'agreement',
      without(agreement, 'childVictimsClause'),
      'body.childVictimsClause',
      '004 Table 2',
    ],
    [
      'an action message without its action id',
      'operational-message',
      { ...valid['operational-message'], territoryState: 'RO' },
      'body.actionId',
      'H-9',
    ],
    [
      'an approval request without territory',
      'action-approval-request',
      without(valid['action-approval-request'], 'territoryState'),
      'body.territoryState',
      'H-9',
    ],
    [
      'an evidence item without a hash',
      'evidence-item',
      without(valid['evidence-item'], 'sha256'),
      'body.sha256',
      '004 Table 5',
    ],
    [
      'an evidence item without chain of custody',
      'evidence-item',
      { ...valid['evidence-item'], chainOfCustody: [] },
      'body.chainOfCustody',
      '004 Table 5',
    ],
    [
      'a custody record without a time zone',
      'evidence-item',
      { ...valid['evidence-item'], chainOfCustody: [{ at: '2026-05-03', by: 'x', action: 'y' }] },
      'body.chainOfCustody.0.at',
      undefined,
    ],
  ])('rejects %s', (_name, type, body, field, rule) => {
    const error = caught(() => validateMessageBody('jit', type, body));
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    const detail = error.details.find((d) => d.field === field);
    expect(detail).toBeDefined();
    expect(detail?.rule).toBe(rule);
  });

  it('needs no child-victims clause when no child victim is involved', () => {
    const body = { ...without(agreement, 'childVictimsClause'), childVictimsInvolved: false };
    expect(() => validateMessageBody('jit', 'agreement', body)).not.toThrow();
  });
});

function send(
  state: JitState,
  type: MessageTypeOf<'jit'>,
  sender: string,
  body: Record<string, unknown> = valid[type],
): JitState {
  return applyMessage({
    procedure: 'jit',
    state,
    messageType: type,
    senderRole: 'member',
    sender,
    body,
  });
}

function expectStatus(state: JitState, status: JitStatus): JitState {
  expect(state.status).toBe(status);
  return state;
}

function activeTeam(): JitState {
  let state = expectStatus(send(initialState('jit'), 'proposal', FR), 'proposed');
  state = expectStatus(send(state, 'agreement', FR), 'agreed');
  expect(state.accepted).toEqual([FR]);
  state = expectStatus(send(state, 'acceptance', RO), 'agreed');
  return expectStatus(send(state, 'acceptance', IT), 'active');
}

describe('jit lifecycle', () => {
  it('becomes active once every party has accepted, then is extended, expires and closes', () => {
    let state = activeTeam();
    expect(state).toMatchObject({
      parties: [FR, RO, IT],
      accepted: [FR, RO, IT],
      end: '2026-09-30',
    });
    state = expectStatus(send(state, 'operational-message', IT), 'active');
    state = expectStatus(send(state, 'evidence-item', RO), 'active');
    state = expectStatus(send(state, 'extension', FR), 'extended');
    expect(state.end).toBe('2027-03-31');
    state = expectStatus(
      applySystemEvent({ procedure: 'jit', state, event: 'deadline-expired' }),
      'expired',
    );
    const error = caught(() => send(state, 'operational-message', FR));
    expect(error.details[0]).toMatchObject({ rule: 'UNTOC 19', state: 'expired' });
    expectStatus(send(state, 'closure', RO), 'closed');
  });

  it('can be agreed without a proposal, and an amended agreement needs every acceptance again', () => {
    let state = send(initialState('jit'), 'agreement', RO);
    state = send(state, 'acceptance', FR);
    state = expectStatus(
      send(state, 'agreement', FR, { ...agreement, extensionTerms: 'None' }),
      'agreed',
    );
    expect(state.accepted).toEqual([FR]);
    state = send(state, 'acceptance', RO);
    expectStatus(send(state, 'acceptance', IT), 'active');
  });

  it('needs the approval of the territorial State member for an action there (H-9)', () => {
    let state = activeTeam();
    const action = { ...valid['operational-message'], territoryState: 'RO', actionId: 'A1' };
    const unapproved = caught(() => send(state, 'operational-message', FR, action));
    expect(unapproved.code).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
    expect(unapproved.message).toBe(
      'jit: operational-message cannot be applied in state active — H-9: an action on the territory of RO needs the approval of its member (action A1 is not approved)',
    );
    state = send(state, 'action-approval-request', FR);
    expect(state.actions).toEqual([
      { actionId: 'A1', territoryState: 'RO', requestedBy: FR, decision: 'pending' },
    ]);
    const wrongMember = caught(() => send(state, 'action-approval', IT));
    expect(wrongMember.details[0]).toMatchObject({ rule: 'H-9', messageType: 'action-approval' });
    expect(caught(() => send(state, 'operational-message', FR, action)).details[0]?.rule).toBe(
      'H-9',
    );
    state = send(state, 'action-approval', RO);
    expect(state.actions[0]?.decision).toBe('approved');
    expectStatus(send(state, 'operational-message', FR, action), 'active');
    expect(caught(() => send(state, 'action-approval', RO)).message).toContain(
      'no action on the territory of RO awaits approval',
    );
  });

  it('needs no approval for an action on the own territory of the sender', () => {
    const own = { ...valid['operational-message'], territoryState: 'FR', actionId: 'A9' };
    expectStatus(send(activeTeam(), 'operational-message', FR, own), 'active');
  });

  it('keeps an action refused by the territorial member refused', () => {
    let state = send(activeTeam(), 'action-approval-request', IT);
    state = send(state, 'action-approval', RO, { actionId: 'A1', approved: false, reasons: 'No' });
    expect(state.actions[0]?.decision).toBe('refused');
    const action = { ...valid['operational-message'], territoryState: 'RO', actionId: 'A1' };
    expect(caught(() => send(state, 'operational-message', IT, action)).details[0]?.rule).toBe(
      'H-9',
    );
  });

  it('refuses an action approval request for a State with no member (H-9)', () => {
    const body = { ...valid['action-approval-request'], territoryState: 'DE' };
    const error = caught(() => send(activeTeam(), 'action-approval-request', FR, body));
    expect(error.message).toContain('H-9: DE has no member in this team');
  });

  it('refuses an approval for an action never requested', () => {
    expect(caught(() => send(activeTeam(), 'action-approval', RO)).details[0]).toMatchObject({
      rule: 'H-9',
      reason: 'no action on the territory of RO awaits approval',
    });
    const requested = send(activeTeam(), 'action-approval-request', FR);
    const other = { ...valid['action-approval'], actionId: 'A2' };
    expect(caught(() => send(requested, 'action-approval', RO, other)).details[0]).toMatchObject({
      rule: 'H-9',
      reason: 'no approval was requested for action A2',
    });
  });

  it.each<[string, () => unknown, string | undefined]>([
    [
      'an acceptance by a non-party',
      () => send(send(initialState('jit'), 'agreement', FR), 'acceptance', DE),
      'UNTOC 19',
    ],
    [
      'a second acceptance by the same party',
      () =>
        send(send(send(initialState('jit'), 'agreement', FR), 'acceptance', RO), 'acceptance', RO),
      undefined,
    ],
    [
      'an operational message before every party accepted',
      () => send(send(initialState('jit'), 'agreement', FR), 'operational-message', FR),
      'UNTOC 19',
    ],
    [
      'an operational message by a non-party',
      () => send(activeTeam(), 'operational-message', DE),
      'UNTOC 19',
    ],
    ['evidence by a non-party', () => send(activeTeam(), 'evidence-item', DE), 'UNTOC 19'],
    [
      'an agreement circulated by a non-party',
      () => send(initialState('jit'), 'agreement', DE),
      'UNTOC 19',
    ],
    [
      'a proposal by someone it does not include',
      () => send(initialState('jit'), 'proposal', DE),
      'UNTOC 19',
    ],
    ['an agreement once the team operates', () => send(activeTeam(), 'agreement', FR), 'UNTOC 19'],
    [
      'an extension that does not extend',
      () => send(activeTeam(), 'extension', FR, { newEnd: '2026-06-30', reasons: 'x' }),
      undefined,
    ],
    ['a closure of a draft', () => send(initialState('jit'), 'closure', FR), undefined],
  ])('refuses %s', (_name, run, rule) => {
    const error = caught(run);
    expect(error.code).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
    expect(error.details[0]?.rule).toBe(rule);
    expect(error.message).toMatch(/^jit: \S+ cannot be applied in state \S+ — /);
  });

  it('accepts only members as senders, with their authority id', () => {
    const asRequesting = caught(() =>
      applyMessage({
        procedure: 'jit',
        messageType: 'proposal',
        senderRole: 'requesting',
        sender: FR,
        body: valid.proposal,
      }),
    );
    expect(asRequesting.message).toContain('sent by the member side, not by the requesting side');
    const anonymous = caught(() =>
      applyMessage({
        procedure: 'jit',
        messageType: 'proposal',
        senderRole: 'member',
        body: valid.proposal,
      }),
    );
    expect(anonymous.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(anonymous.details).toEqual([{ field: 'sender' }]);
  });

  it('expires only while operating, and has no deemed consent', () => {
    const agreed = send(initialState('jit'), 'agreement', FR);
    expect(
      caught(() => applySystemEvent({ procedure: 'jit', state: agreed, event: 'deadline-expired' }))
        .code,
    ).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
    expect(
      caught(() =>
        applySystemEvent({ procedure: 'jit', state: activeTeam(), event: 'deemed-consent' }),
      ).message,
    ).toContain('jit has no deemed-consent event');
  });
});
