import {
  messageFor,
  type MessageDefinitions,
  type ProcedureDefinition,
} from '../procedure-definition.js';
import {
  NationalityVerificationWithdrawalBody,
  TravelDocumentIssuedBody,
  TravelDocumentRequestBody,
  VerificationAnswerBody,
  VerificationRequestBody,
  type VerificationOutcome,
} from './nationality-verification.schemas.js';

/**
 * Nationality verification for return (TIP art. 8(3)–(4)): draft → requested → answered →
 * travel-document-requested → travel-document-issued → closed. Readmission silence: the deadline
 * engine raises `deemed-consent` where the agreement says silence is consent, `deadline-expired`
 * otherwise (→ expired). A late answer is still recorded: it supersedes the silence.
 */
export const NATIONALITY_VERIFICATION_STATUSES = [
  'draft',
  'requested',
  'answered',
  'travel-document-requested',
  'travel-document-issued',
  'deemed-consent',
  'expired',
  'withdrawn',
  'closed',
] as const;
export type NationalityVerificationStatus = (typeof NATIONALITY_VERIFICATION_STATUSES)[number];

export interface NationalityVerificationState {
  readonly procedure: 'nationality-verification';
  readonly status: NationalityVerificationStatus;
  readonly outcome: VerificationOutcome | null;
  readonly agreementId: string | null;
  readonly accelerated: boolean;
  /** The travel-document deadline passed (escalation; the request stays open). */
  readonly overdue: boolean;
}

const message = messageFor<NationalityVerificationState>();

export const NATIONALITY_VERIFICATION_PROCEDURE = {
  procedure: 'nationality-verification',
  statuses: NATIONALITY_VERIFICATION_STATUSES,
  initial: (): NationalityVerificationState => ({
    procedure: 'nationality-verification',
    status: 'draft',
    outcome: null,
    agreementId: null,
    accelerated: false,
    overdue: false,
  }),
  messages: {
    'verification-request': message({
      schema: VerificationRequestBody,
      senders: ['requesting'],
      from: ['draft'],
      outOfOrder: { reason: 'a case verifies one person once; a new request opens a new case' },
      apply: (state, m) => {
        const body = m.body();
        return {
          ...state,
          status: 'requested',
          agreementId: body.agreementId ?? null,
          accelerated: body.accelerated === true,
        };
      },
    }),
    'verification-answer': message({
      schema: VerificationAnswerBody,
      senders: ['requested'],
      from: ['requested', 'deemed-consent', 'expired'],
      outOfOrder: {
        rule: 'TIP art. 8(3)',
        reason: 'an answer follows a verification request and is given once',
      },
      apply: (state, m) => ({ ...state, status: 'answered', outcome: m.body().outcome }),
    }),
    'travel-document-request': message({
      schema: TravelDocumentRequestBody,
      senders: ['requesting'],
      from: ['answered', 'deemed-consent'],
      outOfOrder: {
        rule: 'TIP art. 8(4)',
        reason: 'travel documents are requested once nationality or residence is established',
      },
      guard: (state) =>
        state.status === 'deemed-consent' ||
        state.outcome === 'national' ||
        state.outcome === 'permanent-resident'
          ? undefined
          : {
              rule: 'TIP art. 8(4)',
              reason: `travel documents are issued to nationals and permanent residents (the answer was ${state.outcome ?? 'none'})`,
            },
      to: 'travel-document-requested',
    }),
    'travel-document-issued': message({
      schema: TravelDocumentIssuedBody,
      senders: ['requested'],
      from: ['travel-document-requested'],
      outOfOrder: { rule: 'TIP art. 8(4)', reason: 'a travel document answers a request for it' },
      to: 'travel-document-issued',
    }),
    withdrawal: message({
      schema: NationalityVerificationWithdrawalBody,
      senders: ['requesting'],
      from: ['requested', 'answered', 'travel-document-requested', 'deemed-consent', 'expired'],
      outOfOrder: { reason: 'only an open request can be withdrawn' },
      to: 'withdrawn',
    }),
  },
  events: {
    'deadline-expired': {
      from: ['requested', 'travel-document-requested'],
      outOfOrder: { reason: 'a deadline runs while an answer or a travel document is awaited' },
      apply: (state) =>
        state.status === 'requested'
          ? { ...state, status: 'expired' }
          : { ...state, overdue: true },
    },
    'deemed-consent': {
      from: ['requested'],
      outOfOrder: {
        reason: 'silence counts as consent only while a verification answer is awaited',
      },
      guard: (state) =>
        state.agreementId
          ? undefined
          : { reason: 'silence counts as consent only under a readmission agreement that says so' },
      to: 'deemed-consent',
    },
    close: {
      from: ['answered', 'travel-document-issued', 'deemed-consent', 'expired', 'withdrawn'],
      outOfOrder: { reason: 'a case is closed once answered, issued, expired or withdrawn' },
      to: 'closed',
    },
  },
} satisfies ProcedureDefinition<
  NationalityVerificationState,
  MessageDefinitions<NationalityVerificationState>
>;
