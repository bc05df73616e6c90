import {
  messageFor,
  type IncomingMessage,
  type MessageDefinitions,
  type ProcedureDefinition,
  type Refusal,
} from '../procedure-definition.js';
import { stateOf } from '../schema-kit.js';
import {
  JitAcceptanceBody,
  JitActionApprovalBody,
  JitActionApprovalRequestBody,
  JitAgreementBody,
  JitClosureBody,
  JitEvidenceItemBody,
  JitExtensionBody,
  JitOperationalMessageBody,
  JitProposalBody,
} from './jit.schemas.js';

/**
 * Joint investigation team lifecycle: draft → proposed → agreed → active (once every party has
 * accepted) → extended → closed; `expired` when the duration ends without an extension.
 */
export const JIT_STATUSES = [
  'draft',
  'proposed',
  'agreed',
  'active',
  'extended',
  'expired',
  'closed',
] as const;
export type JitStatus = (typeof JIT_STATUSES)[number];

export interface JitAction {
  readonly actionId: string;
  /** ISO 3166-1 alpha-2 code of the State on whose territory the action takes place. */
  readonly territoryState: string;
  readonly requestedBy: string;
  readonly decision: 'pending' | 'approved' | 'refused';
}

export interface JitState {
  readonly procedure: 'jit';
  readonly status: JitStatus;
  /** Authority ids of the parties (proposed, then agreed). */
  readonly parties: readonly string[];
  /** Parties whose acceptance of the current agreement text is recorded. */
  readonly accepted: readonly string[];
  /** Last day of the team (ISO date), as agreed and extended. */
  readonly end: string | null;
  /** Actions on a State's territory and their approval by that State's member (H-9). */
  readonly actions: readonly JitAction[];
}

const OPERATING: readonly JitStatus[] = ['active', 'extended'];

const notOperating: Refusal = {
  rule: 'UNTOC 19',
  reason: 'the team operates once every party has accepted the agreement, until it ends',
};

function partyOnly(state: JitState, m: IncomingMessage<object>): Refusal | undefined {
  const sender = m.sender();
  return state.parties.includes(sender)
    ? undefined
    : { rule: 'UNTOC 19', reason: `${sender} is not a party to this joint investigation team` };
}

function approvalOf(state: JitState, actionId: string | undefined): JitAction | undefined {
  return state.actions.find((action) => action.actionId === actionId);
}

const message = messageFor<JitState>();

export const JIT_PROCEDURE = {
  procedure: 'jit',
  statuses: JIT_STATUSES,
  initial: (): JitState => ({
    procedure: 'jit',
    status: 'draft',
    parties: [],
    accepted: [],
    end: null,
    actions: [],
  }),
  messages: {
    proposal: message({
      schema: JitProposalBody,
      senders: ['member'],
      from: ['draft'],
      guard: (_state, m) =>
        m.body().proposedParties.includes(m.sender())
          ? undefined
          : { rule: 'UNTOC 19', reason: 'the proposer is one of the proposed parties' },
      apply: (state, m) => ({ ...state, status: 'proposed', parties: m.body().proposedParties }),
    }),
    agreement: message({
      schema: JitAgreementBody,
      senders: ['member'],
      // Sent again while `agreed`, it amends the text: every party accepts anew.
      from: ['draft', 'proposed', 'agreed'],
      outOfOrder: { rule: 'UNTOC 19', reason: 'the agreement is settled before the team operates' },
      guard: (_state, m) =>
        m.body().parties.includes(m.sender())
          ? undefined
          : { rule: 'UNTOC 19', reason: 'the agreement is circulated by one of its parties' },
      apply: (state, m) => {
        const body = m.body();
        return {
          ...state,
          status: 'agreed',
          parties: body.parties,
          // The party that circulates the text accepts it.
          accepted: [m.sender()],
          end: body.duration.end,
          actions: [],
        };
      },
    }),
    acceptance: message({
      schema: JitAcceptanceBody,
      senders: ['member'],
      from: ['agreed'],
      outOfOrder: {
        rule: 'UNTOC 19',
        reason: 'parties accept an agreement that has been circulated',
      },
      guard: (state, m) =>
        partyOnly(state, m) ??
        (state.accepted.includes(m.sender())
          ? { reason: `${m.sender()} has already accepted the agreement` }
          : undefined),
      apply: (state, m) => {
        const accepted = [...state.accepted, m.sender()];
        const all = state.parties.every((party) => accepted.includes(party));
        return { ...state, accepted, status: all ? 'active' : 'agreed' };
      },
    }),
    'operational-message': message({
      schema: JitOperationalMessageBody,
      senders: ['member'],
      from: OPERATING,
      outOfOrder: notOperating,
      guard: (state, m) => {
        const refusal = partyOnly(state, m);
        if (refusal) return refusal;
        const { territoryState, actionId } = m.body();
        if (!territoryState || territoryState === stateOf(m.sender())) return undefined;
        const action = approvalOf(state, actionId);
        return action?.territoryState === territoryState && action.decision === 'approved'
          ? undefined
          : {
              rule: 'H-9',
              reason: `an action on the territory of ${territoryState} needs the approval of its member (action ${actionId ?? '?'} is not approved)`,
            };
      },
    }),
    'action-approval-request': message({
      schema: JitActionApprovalRequestBody,
      senders: ['member'],
      from: OPERATING,
      outOfOrder: notOperating,
      guard: (state, m) => {
        const refusal = partyOnly(state, m);
        if (refusal) return refusal;
        const { actionId, territoryState } = m.body();
        if (approvalOf(state, actionId))
          return { reason: `action ${actionId} is already recorded` };
        return state.parties.some((party) => stateOf(party) === territoryState)
          ? undefined
          : {
              rule: 'H-9',
              reason: `${territoryState} has no member in this team to approve an action on its territory`,
            };
      },
      apply: (state, m) => {
        const { actionId, territoryState } = m.body();
        const action: JitAction = {
          actionId,
          territoryState,
          requestedBy: m.sender(),
          decision: 'pending',
        };
        return { ...state, actions: [...state.actions, action] };
      },
    }),
    'action-approval': message({
      schema: JitActionApprovalBody,
      senders: ['member'],
      from: OPERATING,
      outOfOrder: notOperating,
      guard: (state, m) => {
        const refusal = partyOnly(state, m);
        if (refusal) return refusal;
        // Checked before the body is read, so that the types a member may send next leave it out.
        const territory = stateOf(m.sender());
        if (!state.actions.some((a) => a.territoryState === territory && a.decision === 'pending'))
          return {
            rule: 'H-9',
            reason: `no action on the territory of ${territory} awaits approval`,
          };
        const action = approvalOf(state, m.body().actionId);
        if (!action)
          return {
            rule: 'H-9',
            reason: `no approval was requested for action ${m.body().actionId}`,
          };
        if (action.decision !== 'pending')
          return { reason: `action ${action.actionId} is already ${action.decision}` };
        return stateOf(m.sender()) === action.territoryState
          ? undefined
          : {
              rule: 'H-9',
              reason: `only the member of ${action.territoryState} approves an action on its territory`,
            };
      },
      apply: (state, m) => {
        const { actionId, approved } = m.body();
        const decision = approved ? 'approved' : 'refused';
        return {
          ...state,
          actions: state.actions.map((action) =>
            action.actionId === actionId ? { ...action, decision } : action,
          ),
        };
      },
    }),
    'evidence-item': message({
      schema: JitEvidenceItemBody,
      senders: ['member'],
      from: OPERATING,
      outOfOrder: notOperating,
      guard: partyOnly,
    }),
    extension: message({
      schema: JitExtensionBody,
      senders: ['member'],
      from: OPERATING,
      outOfOrder: { rule: 'UNTOC 19', reason: 'an operating team is extended before it ends' },
      guard: (state, m) =>
        partyOnly(state, m) ??
        (state.end !== null && m.body().newEnd <= state.end
          ? { reason: `an extension ends after the current end (${state.end})` }
          : undefined),
      apply: (state, m) => ({ ...state, status: 'extended', end: m.body().newEnd }),
    }),
    closure: message({
      schema: JitClosureBody,
      senders: ['member'],
      from: ['proposed', 'agreed', 'active', 'extended', 'expired'],
      guard: partyOnly,
      to: 'closed',
    }),
  },
  events: {
    'deadline-expired': {
      from: OPERATING,
      outOfOrder: { reason: 'only an operating team reaches the end of its duration' },
      to: 'expired',
    },
  },
} satisfies ProcedureDefinition<JitState, MessageDefinitions<JitState>>;
