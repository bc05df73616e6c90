import fc from 'fast-check';
import { PROCEDURES, type Procedure } from '#libs/kernel';
import { ErrorCode, GatewayError } from '#libs/errors';
import { VALID_BODIES as ASSETS } from './assets/assets.examples.js';
import { applyMessage, applySystemEvent, initialState, nextMessageTypes } from './apply-message.js';
import { messageTypesOf, type ProcedureState } from './catalogue.js';
import type { JitState } from './jit/jit.procedure.js';
import { VALID_BODIES as JIT, agreement } from './jit/jit.examples.js';
import { VALID_BODIES as MLA } from './mla/mla.examples.js';
import { VALID_BODIES as NV } from './nationality-verification/nationality-verification.examples.js';
import { VERIFICATION_OUTCOMES } from './nationality-verification/nationality-verification.schemas.js';
import { SENDER_ROLES, SYSTEM_EVENTS, type SenderRole } from './procedure-definition.js';
import { stateOf } from './schema-kit.js';

const EXAMPLES: Record<Procedure, Record<string, Record<string, unknown>>> = {
  mla: MLA,
  jit: JIT,
  'nationality-verification': NV,
  assets: ASSETS,
};

/** Team members (and DE, an outsider until it proposes a team of its own). */
const AUTHORITIES = ['FR-MOJ-BEPI', 'RO-PICCJ-DIICOT', 'IT-DNA', 'DE-BKA'];

const unique = (ids: string[]) => [...new Set(ids)];

function teamAgreement(parties: string[]) {
  return {
    ...agreement,
    parties,
    leader: { ...agreement.leader, authorityId: parties[0] },
    members: parties.map((authorityId) => ({ authorityId, name: 'Member', role: 'prosecutor' })),
    tasks: parties.map((authorityId) => ({ authorityId, tasks: 'Investigation' })),
  };
}

function nextDay(date: string | null): string {
  if (date === null) return '2027-03-31';
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString().slice(0, 10);
}

/**
 * A valid body for a message in a state: the example, with what a guard compares to the state
 * (parties, pending action, end, pending request) taken from it. `variant` picks among the
 * values that steer the walk (an outcome, an approval); variant 0 is always accepted.
 */
function bodyFor(
  state: ProcedureState,
  type: string,
  sender: string,
  variant = 0,
): Record<string, unknown> {
  const example = EXAMPLES[state.procedure][type];
  if (state.procedure === 'jit') {
    const team = state;
    const others = AUTHORITIES.slice(0, 3).filter((id) => id !== sender);
    switch (type) {
      case 'proposal':
        return { ...example, proposedParties: [sender, ...others] };
      case 'agreement':
        return teamAgreement(
          unique([sender, ...(team.parties.length > 0 ? team.parties : others)]),
        );
      case 'action-approval-request': {
        const territories = unique(team.parties.map(stateOf));
        const territory =
          variant === 0 ? stateOf(sender) : territories[variant % territories.length];
        return { ...example, actionId: `A${team.actions.length + 1}`, territoryState: territory };
      }
      case 'action-approval': {
        const pending = team.actions.find(
          (action) => action.decision === 'pending' && action.territoryState === stateOf(sender),
        );
        return { ...example, actionId: pending?.actionId ?? 'none', approved: variant % 2 === 0 };
      }
      case 'extension':
        return { ...example, newEnd: nextDay(team.end) };
    }
  }
  if (state.procedure === 'assets' && type === 'answer') {
    const outcomes = ['no-assets-found', 'identified', 'seized', 'confiscated'];
    const pending = state.pendingRequest;
    return { ...example, answersRequest: pending, outcome: outcomes[variant % outcomes.length] };
  }
  if (state.procedure === 'nationality-verification' && type === 'verification-answer') {
    const outcome = VERIFICATION_OUTCOMES[variant % VERIFICATION_OUTCOMES.length];
    return outcome === 'undetermined'
      ? { outcome, missing: ['a photograph'] }
      : { ...example, outcome };
  }
  if (state.procedure === 'mla' && type === 'progress-answer') {
    return { ...example, executionUnderWay: variant % 2 === 0 };
  }
  return example;
}

interface Side {
  role: SenderRole;
  sender: string;
}

function sidesOf(procedure: Procedure): Side[] {
  const senders = procedure === 'jit' ? AUTHORITIES : [AUTHORITIES[0]];
  return SENDER_ROLES.flatMap((role) => senders.map((sender) => ({ role, sender })));
}

function send(state: ProcedureState, type: string, side: Side, body: unknown): ProcedureState {
  return applyMessage({
    procedure: state.procedure,
    state,
    messageType: type,
    senderRole: side.role,
    sender: side.sender,
    body,
  });
}

function refusal(run: () => unknown): GatewayError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
}

/** Every listed type is accepted with a valid body; every other type is refused. */
function expectListsExactlyTheAccepted(state: ProcedureState): void {
  for (const side of sidesOf(state.procedure)) {
    const listed: string[] = nextMessageTypes(state.procedure, state, side.role, side.sender);
    for (const type of messageTypesOf(state.procedure)) {
      const error = refusal(() => send(state, type, side, bodyFor(state, type, side.sender)));
      if (listed.includes(type)) {
        expect({ type, side, status: state.status, error }).toEqual({
          type,
          side,
          status: state.status,
          error: undefined,
        });
      } else {
        expect({ type, side, status: state.status, code: error?.code }).toEqual({
          type,
          side,
          status: state.status,
          code: ErrorCode.PROCEDURE_TRANSITION_REFUSED,
        });
      }
    }
  }
}

/** The states a case may reach next: a listed message from either side, or a system event. */
function successors(state: ProcedureState, variant: number): ProcedureState[] {
  const next: ProcedureState[] = [];
  for (const side of sidesOf(state.procedure)) {
    for (const type of nextMessageTypes(state.procedure, state, side.role, side.sender)) {
      const steered = bodyFor(state, type, side.sender, variant);
      const body = refusal(() => send(state, type, side, steered))
        ? bodyFor(state, type, side.sender)
        : steered;
      next.push(send(state, type, side, body));
    }
  }
  for (const event of SYSTEM_EVENTS) {
    try {
      next.push(applySystemEvent({ procedure: state.procedure, state, event }));
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
    }
  }
  return next;
}

describe('nextMessageTypes', () => {
  it.each(PROCEDURES)(
    '%s: along generated walks, lists exactly the types applyMessage accepts',
    (procedure) => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(), fc.nat(3)), { minLength: 1, maxLength: 14 }),
          (steps) => {
            let state: ProcedureState = initialState(procedure);
            expectListsExactlyTheAccepted(state);
            for (const [choice, variant] of steps) {
              const next = successors(state, variant);
              if (next.length === 0) break;
              state = next[choice % next.length]!;
              expectListsExactlyTheAccepted(state);
            }
          },
        ),
        { numRuns: 60 },
      );
    },
  );

  it('leaves out what a guard refuses on the state or the sender', () => {
    const team = (['proposal', 'agreement'] as const).reduce<ProcedureState>(
      (state, type) =>
        send(
          state,
          type,
          { role: 'member', sender: AUTHORITIES[0] },
          bodyFor(state, type, AUTHORITIES[0]),
        ),
      initialState('jit'),
    );
    expect(nextMessageTypes('jit', team as JitState, 'member', 'FR-MOJ-BEPI')).toEqual([
      'agreement',
      'closure',
    ]);
    expect(nextMessageTypes('jit', team as JitState, 'member', 'RO-PICCJ-DIICOT')).toEqual([
      'agreement',
      'acceptance',
      'closure',
    ]);
    expect(nextMessageTypes('jit', team as JitState, 'member', 'DE-BKA')).toEqual(['agreement']);
    // Membership unknown: what checks it is left out.
    expect(nextMessageTypes('jit', team as JitState, 'member')).toEqual(['agreement']);
  });
});
