import {
  messageFor,
  type MessageDefinitions,
  type ProcedureDefinition,
} from '../procedure-definition.js';
import {
  AssetSearchRequestBody,
  AssetsAcknowledgementBody,
  AssetsAnswerBody,
  AssetsRefusalBody,
  AssetsWithdrawalBody,
  ConfiscationRequestBody,
  DisposalBody,
  EnforceForeignOrderBody,
  FreezeRequestBody,
  FreezingConfirmationBody,
  ProvisionalMeasureRequestBody,
  type AssetAnswerOutcome,
  type AssetRequestKind,
} from './assets.schemas.js';

/**
 * Asset cases: draft → requested → acknowledged → identified / frozen / seized (or
 * no-assets-found) → confiscated → disposed → closed; refused; withdrawn. A case moves on by
 * follow-up requests: identify, then freeze what was identified, then confiscate what was frozen.
 */
export const ASSETS_STATUSES = [
  'draft',
  'requested',
  'acknowledged',
  'identified',
  'frozen',
  'seized',
  'no-assets-found',
  'confiscated',
  'disposed',
  'refused',
  'withdrawn',
  'closed',
] as const;
export type AssetsStatus = (typeof ASSETS_STATUSES)[number];

export interface AssetsState {
  readonly procedure: 'assets';
  readonly status: AssetsStatus;
  /** The request awaiting its answer. */
  readonly pendingRequest: AssetRequestKind | null;
  /** The deadline of the pending request passed (escalation). */
  readonly overdue: boolean;
}

/** Where a new request may be made: at the start, or as a follow-up to an answer. */
const REQUEST_FROM: readonly AssetsStatus[] = [
  'draft',
  'identified',
  'frozen',
  'seized',
  'no-assets-found',
];
const AWAITING: readonly AssetsStatus[] = ['requested', 'acknowledged'];

/** What an `answer` may report for each kind of request (a freeze is confirmed separately). */
const ANSWER_OUTCOMES: Record<AssetRequestKind, readonly AssetAnswerOutcome[]> = {
  identify: ['identified', 'no-assets-found'],
  trace: ['identified', 'no-assets-found'],
  freeze: ['no-assets-found'],
  seize: ['seized', 'no-assets-found'],
  confiscate: ['confiscated', 'no-assets-found'],
  'enforce-foreign-order': ['confiscated', 'no-assets-found'],
};

const message = messageFor<AssetsState>();

function request<B extends object>(kind: AssetRequestKind, schema: new () => B) {
  return message({
    schema,
    senders: ['requesting'],
    from: REQUEST_FROM,
    outOfOrder: { reason: 'a new request waits for the answer to the pending one' },
    apply: (state) => ({ ...state, status: 'requested', pendingRequest: kind, overdue: false }),
  });
}

export const ASSETS_PROCEDURE = {
  procedure: 'assets',
  statuses: ASSETS_STATUSES,
  initial: (): AssetsState => ({
    procedure: 'assets',
    status: 'draft',
    pendingRequest: null,
    overdue: false,
  }),
  messages: {
    identify: request('identify', AssetSearchRequestBody),
    trace: request('trace', AssetSearchRequestBody),
    freeze: request('freeze', FreezeRequestBody),
    seize: request('seize', ProvisionalMeasureRequestBody),
    confiscate: request('confiscate', ConfiscationRequestBody),
    'enforce-foreign-order': request('enforce-foreign-order', EnforceForeignOrderBody),
    acknowledgement: message({
      schema: AssetsAcknowledgementBody,
      senders: ['requested'],
      from: ['requested'],
      to: 'acknowledged',
    }),
    'freezing-confirmation': message({
      schema: FreezingConfirmationBody,
      senders: ['requested'],
      from: AWAITING,
      outOfOrder: {
        rule: 'UNTOC 13(2)',
        reason: 'a freezing confirmation answers a freezing request',
      },
      guard: (state) =>
        state.pendingRequest === 'freeze'
          ? undefined
          : {
              rule: 'UNTOC 13(2)',
              reason: `a freezing confirmation answers a freezing request (the pending request is ${state.pendingRequest ?? 'none'})`,
            },
      apply: (state) => ({ ...state, status: 'frozen', pendingRequest: null }),
    }),
    answer: message({
      schema: AssetsAnswerBody,
      senders: ['requested'],
      from: AWAITING,
      outOfOrder: { reason: 'an answer follows a pending request' },
      guard: (state, m) => {
        const { answersRequest, outcome } = m.body();
        if (answersRequest !== state.pendingRequest) {
          return {
            reason: `the answer is for a ${answersRequest} request, the pending request is ${state.pendingRequest ?? 'none'}`,
          };
        }
        return ANSWER_OUTCOMES[answersRequest].includes(outcome)
          ? undefined
          : {
              rule: answersRequest === 'freeze' ? 'UNTOC 13(2)' : 'UNTOC 13(1)',
              reason:
                answersRequest === 'freeze'
                  ? 'a freeze is confirmed with a freezing-confirmation'
                  : `a ${answersRequest} request cannot be answered ${outcome}`,
            };
      },
      apply: (state, m) => ({ ...state, status: m.body().outcome, pendingRequest: null }),
    }),
    disposal: message({
      schema: DisposalBody,
      senders: ['requested'],
      from: ['confiscated'],
      outOfOrder: { rule: 'UNTOC 14', reason: 'confiscated proceeds are disposed of' },
      to: 'disposed',
    }),
    refusal: message({
      schema: AssetsRefusalBody,
      senders: ['requested'],
      from: AWAITING,
      outOfOrder: { reason: 'a refusal answers a pending request' },
      apply: (state) => ({ ...state, status: 'refused', pendingRequest: null }),
    }),
    withdrawal: message({
      schema: AssetsWithdrawalBody,
      senders: ['requesting'],
      from: [...AWAITING, 'identified', 'frozen', 'seized', 'no-assets-found'],
      outOfOrder: { reason: 'only an open case can be withdrawn' },
      apply: (state) => ({ ...state, status: 'withdrawn', pendingRequest: null }),
    }),
  },
  events: {
    'deadline-expired': {
      from: AWAITING,
      outOfOrder: { reason: 'a deadline runs while a request awaits its answer' },
      apply: (state) => ({ ...state, overdue: true }),
    },
    close: {
      from: ['identified', 'no-assets-found', 'disposed', 'refused', 'withdrawn'],
      outOfOrder: {
        reason: 'a case with frozen, seized or undisposed confiscated assets is not closed',
      },
      to: 'closed',
    },
  },
} satisfies ProcedureDefinition<AssetsState, MessageDefinitions<AssetsState>>;
