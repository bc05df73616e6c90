import {
  messageFor,
  type MessageDefinitions,
  type ProcedureDefinition,
  type Refusal,
} from '../procedure-definition.js';
import {
  AdditionalInformationBody,
  AdditionalInformationRequestBody,
  ConfidentialityImpossibleBody,
  ConsultationBody,
  ExecutionResultBody,
  MlaAcknowledgementBody,
  MlaRefusalBody,
  MlaRequestBody,
  MlaWithdrawalBody,
  NoLongerRequiredBody,
  PartialExecutionBody,
  PostponementBody,
  ProgressAnswerBody,
  ProgressInquiryBody,
} from './mla.schemas.js';

/**
 * Mutual legal assistance lifecycle (domain.md 2.1): draft → submitted → delivered → acknowledged
 * → (additional-information-requested ⇄ additional-information-provided) → in-execution →
 * partially-executed / executed / postponed / refused → closed; withdrawn at any time by the
 * requesting side (withdrawal, or no-longer-required under 18(24)).
 */
export const MLA_STATUSES = [
  'draft',
  'submitted',
  'delivered',
  'acknowledged',
  'additional-information-requested',
  'additional-information-provided',
  'in-execution',
  'partially-executed',
  'postponed',
  'executed',
  'refused',
  'withdrawn',
  'closed',
] as const;
export type MlaStatus = (typeof MLA_STATUSES)[number];

export interface MlaState {
  readonly procedure: 'mla';
  readonly status: MlaStatus;
  /** A consultation (18(26)) took place since the last postponement: refusing or postponing is open. */
  readonly consultationHeld: boolean;
  /** The request asked for confidentiality (18(20)). */
  readonly confidentialityRequested: boolean;
  /** The requested side said it cannot keep the request confidential (18(20)). */
  readonly confidentialityImpossible: boolean;
  /** The suggested deadline passed (18(24)); it stays recorded. */
  readonly overdue: boolean;
}

/** The request travels but nothing is settled: the requester may still withdraw it. */
const OPEN: readonly MlaStatus[] = [
  'submitted',
  'delivered',
  'acknowledged',
  'additional-information-requested',
  'additional-information-provided',
  'in-execution',
  'partially-executed',
  'postponed',
];

/** The requested side holds the request and works on it. */
const WORKING: readonly MlaStatus[] = [
  'acknowledged',
  'additional-information-provided',
  'in-execution',
  'partially-executed',
  'postponed',
];

/** Statuses in which the suggested deadline runs (it pauses while information is awaited). */
const CLOCK_RUNS: readonly MlaStatus[] = ['delivered', ...WORKING];

const consultFirst = (before: string): Refusal => ({
  rule: 'UNTOC 18(26)',
  reason: `the requested State consults the requesting State before ${before} (send a consultation first)`,
});

const message = messageFor<MlaState>();

export const MLA_PROCEDURE = {
  procedure: 'mla',
  statuses: MLA_STATUSES,
  initial: (): MlaState => ({
    procedure: 'mla',
    status: 'draft',
    consultationHeld: false,
    confidentialityRequested: false,
    confidentialityImpossible: false,
    overdue: false,
  }),
  messages: {
    request: message({
      schema: MlaRequestBody,
      senders: ['requesting'],
      from: ['draft'],
      outOfOrder: { reason: 'a case carries one request; a new request opens a new case' },
      apply: (state, m) => ({
        ...state,
        status: 'submitted',
        confidentialityRequested: m.body().confidentialityRequested === true,
      }),
    }),
    acknowledgement: message({
      schema: MlaAcknowledgementBody,
      senders: ['requested'],
      // `submitted` too: the acknowledgement may overtake the delivery receipt on the requesting node.
      from: ['submitted', 'delivered'],
      to: 'acknowledged',
    }),
    'additional-information-request': message({
      schema: AdditionalInformationRequestBody,
      senders: ['requested'],
      from: WORKING,
      outOfOrder: {
        rule: 'UNTOC 18(16)',
        reason:
          'additional information is asked for once the request is acknowledged and before it is settled',
      },
      to: 'additional-information-requested',
    }),
    'additional-information': message({
      schema: AdditionalInformationBody,
      senders: ['requesting'],
      from: ['additional-information-requested'],
      outOfOrder: {
        rule: 'UNTOC 18(16)',
        reason: 'additional information answers a request for it',
      },
      to: 'additional-information-provided',
    }),
    'progress-inquiry': message({
      schema: ProgressInquiryBody,
      senders: ['requesting'],
      from: OPEN,
      outOfOrder: {
        rule: 'UNTOC 18(24)',
        reason: 'progress is asked about while the request is open',
      },
    }),
    'progress-answer': message({
      schema: ProgressAnswerBody,
      senders: ['requested'],
      from: WORKING,
      outOfOrder: {
        rule: 'UNTOC 18(24)',
        reason: 'progress is reported on an acknowledged, open request',
      },
      apply: (state, m) =>
        m.body().executionUnderWay &&
        ['acknowledged', 'additional-information-provided', 'postponed'].includes(state.status)
          ? { ...state, status: 'in-execution' }
          : state,
    }),
    'partial-execution': message({
      schema: PartialExecutionBody,
      senders: ['requested'],
      from: WORKING,
      to: 'partially-executed',
    }),
    'execution-result': message({
      schema: ExecutionResultBody,
      senders: ['requested'],
      from: WORKING,
      to: 'executed',
    }),
    consultation: message({
      schema: ConsultationBody,
      senders: ['requesting', 'requested'],
      from: [...WORKING, 'additional-information-requested'],
      outOfOrder: {
        rule: 'UNTOC 18(26)',
        reason: 'consultations take place on an acknowledged request that is not settled',
      },
      apply: (state) => ({ ...state, consultationHeld: true }),
    }),
    postponement: message({
      schema: PostponementBody,
      senders: ['requested'],
      from: WORKING,
      outOfOrder: {
        rule: 'UNTOC 18(25)',
        reason: 'execution is postponed on an acknowledged request that is not settled',
      },
      guard: (state) => (state.consultationHeld ? undefined : consultFirst('postponing execution')),
      // A later postponement or a refusal needs a consultation of its own.
      apply: (state) => ({ ...state, status: 'postponed', consultationHeld: false }),
    }),
    refusal: message({
      schema: MlaRefusalBody,
      senders: ['requested'],
      from: [...WORKING, 'additional-information-requested'],
      outOfOrder: {
        rule: 'UNTOC 18(21)',
        reason: 'a request is refused once acknowledged and before it is settled',
      },
      guard: (state) => (state.consultationHeld ? undefined : consultFirst('refusing')),
      to: 'refused',
    }),
    withdrawal: message({
      schema: MlaWithdrawalBody,
      senders: ['requesting'],
      from: OPEN,
      outOfOrder: { reason: 'only an open request can be withdrawn' },
      to: 'withdrawn',
    }),
    'no-longer-required': message({
      schema: NoLongerRequiredBody,
      senders: ['requesting'],
      from: OPEN,
      outOfOrder: { rule: 'UNTOC 18(24)', reason: 'only an open request can cease to be required' },
      to: 'withdrawn',
    }),
    'confidentiality-impossible': message({
      schema: ConfidentialityImpossibleBody,
      senders: ['requested'],
      from: [
        'submitted',
        'delivered',
        'acknowledged',
        'additional-information-requested',
        'additional-information-provided',
        'in-execution',
      ],
      outOfOrder: {
        rule: 'UNTOC 18(20)',
        reason:
          'the requested State says promptly, before executing, that it cannot keep confidentiality',
      },
      guard: (state) =>
        state.confidentialityRequested
          ? undefined
          : { rule: 'UNTOC 18(20)', reason: 'the request did not ask for confidentiality' },
      apply: (state) => ({ ...state, confidentialityImpossible: true }),
    }),
  },
  events: {
    // Idempotent: the receipt may arrive after the acknowledgement overtook it.
    delivered: {
      from: OPEN,
      apply: (state) => (state.status === 'submitted' ? { ...state, status: 'delivered' } : state),
    },
    'deadline-expired': {
      from: CLOCK_RUNS,
      outOfOrder: {
        rule: 'UNTOC 18(16)',
        reason:
          'the deadline does not run before delivery, while additional information is awaited, or once settled',
      },
      apply: (state) => ({ ...state, overdue: true }),
    },
    close: {
      from: ['partially-executed', 'executed', 'refused', 'withdrawn'],
      outOfOrder: {
        reason: 'a request is closed once executed (fully or in part), refused or withdrawn',
      },
      to: 'closed',
    },
  },
} satisfies ProcedureDefinition<MlaState, MessageDefinitions<MlaState>>;
