import { ErrorCode, GatewayError } from '#libs/errors';
import { applyMessage, applySystemEvent, initialState } from '../apply-message.js';
import { messageTypesOf, type MessageTypeOf } from '../catalogue.js';
import type { SenderRole } from '../procedure-definition.js';
import { validateMessageBody } from '../validate-message-body.js';
import type {
  NationalityVerificationState as State,
  NationalityVerificationStatus as Status,
} from './nationality-verification.procedure.js';
import {
  NV,
  ref,
  person,
  request,
  VALID_BODIES as valid,
} from './nationality-verification.examples.js';

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

describe('nationality-verification message bodies', () => {
  it('defines a valid example for every message type', () => {
    expect(Object.keys(valid).sort()).toEqual([...messageTypesOf(NV)].sort());
  });

  it.each(Object.entries(valid))('accepts a valid %s', (type, body) => {
    expect(() => validateMessageBody(NV, type, body)).not.toThrow();
  });

  it('accepts fingerprints when the agreement allows them, and the accelerated procedure', () => {
    const body = {
      ...request,
      agreementAllowsFingerprints: true,
      fingerprintsReference: ref('prints.wsq'),
      accelerated: true,
      apprehendedAt: '2026-04-01T22:10:00+02:00',
    };
    expect(() => validateMessageBody(NV, 'verification-request', body)).not.toThrow();
  });

  it.each<[string, string, Record<string, unknown>, string, string | undefined]>([
    [
      'fingerprints without an agreement allowing them',
      'verification-request',
      { ...request, fingerprintsReference: ref('prints.wsq') },
      'body.fingerprintsReference',
      'TIP art. 8(3)',
    ],
    [
      'fingerprints when the agreement does not allow them',
      'verification-request',
      { ...request, agreementAllowsFingerprints: false, fingerprintsReference: ref('prints.wsq') },
      'body.fingerprintsReference',
      'TIP art. 8(3)',
    ],
    [
      'an allowance without naming the agreement',
      'verification-request',
      { ...without(request, 'agreementId'), agreementAllowsFingerprints: true },
      'body.agreementId',
      undefined,
    ],
    [
      'the accelerated procedure without the apprehension time',
      'verification-request',
      { ...request, accelerated: true },
      'body.apprehendedAt',
      undefined,
    ],
    [
      'the accelerated procedure without an agreement',
      'verification-request',
      {
        ...without(request, 'agreementId'),
        accelerated: true,
        apprehendedAt: '2026-04-01T22:10:00Z',
      },
      'body.agreementId',
      undefined,
    ],
    [
      'no date of birth',
      'verification-request',
      { ...request, person: without(person, 'dateOfBirth') },
      'body.person.dateOfBirth',
      'TIP art. 8(3)',
    ],
    [
      'no place of birth',
      'verification-request',
      { ...request, person: without(person, 'placeOfBirth') },
      'body.person.placeOfBirth',
      'TIP art. 8(3)',
    ],
    [
      'no names',
      'verification-request',
      { ...request, person: without(person, 'names') },
      'body.person.names',
      'TIP art. 8(3)',
    ],
    [
      'a location (not minimal identity data)',
      'verification-request',
      { ...request, person: { ...person, lastKnownLocation: 'Shelter X' } },
      'body.person.lastKnownLocation',
      undefined,
    ],
    [
      'a protection status (H-1)',
      'verification-request',
      { ...request, person: { ...person, protectionStatus: 'applicant' } },
      'body.person.protectionStatus',
      undefined,
    ],
    [
      'an answer outside the four outcomes',
      'verification-answer',
      { outcome: 'probably' },
      'body.outcome',
      'TIP art. 8(3)',
    ],
    [
      'an undetermined answer that does not say what is missing',
      'verification-answer',
      { outcome: 'undetermined' },
      'body.missing',
      undefined,
    ],
    [
      'an unknown travel document type',
      'travel-document-request',
      { documentType: 'visa' },
      'body.documentType',
      'TIP art. 8(4)',
    ],
    [
      'a travel document valid before its issue',
      'travel-document-issued',
      { ...valid['travel-document-issued'], validUntil: '2026-03-01' },
      'body.validUntil',
      undefined,
    ],
    [
      'reasons on a withdrawal (H-1: none by design)',
      'withdrawal',
      { ...valid.withdrawal, reasons: 'asylum claim lodged' },
      'body.reasons',
      undefined,
    ],
  ])('rejects %s', (_name, type, body, field, rule) => {
    const error = caught(() => validateMessageBody(NV, type, body));
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    const detail = error.details.find((d) => d.field === field);
    expect(detail).toBeDefined();
    expect(detail?.rule).toBe(rule);
  });
});

function send(
  state: State,
  type: MessageTypeOf<typeof NV>,
  role: SenderRole,
  body?: object,
): State {
  return applyMessage({
    procedure: NV,
    state,
    messageType: type,
    senderRole: role,
    body: body ?? valid[type],
  });
}

function event(state: State, name: 'deadline-expired' | 'deemed-consent' | 'close'): State {
  return applySystemEvent({ procedure: NV, state, event: name });
}

function expectStatus(state: State, status: Status): State {
  expect(state.status).toBe(status);
  return state;
}

const requested = () => send(initialState(NV), 'verification-request', 'requesting');

describe('nationality-verification lifecycle', () => {
  it('walks request → answer → travel document → closed', () => {
    let state = expectStatus(requested(), 'requested');
    expect(state).toMatchObject({ agreementId: 'EU-AL-2005', accelerated: false });
    state = expectStatus(send(state, 'verification-answer', 'requested'), 'answered');
    expect(state.outcome).toBe('national');
    state = expectStatus(
      send(state, 'travel-document-request', 'requesting'),
      'travel-document-requested',
    );
    state = expectStatus(
      send(state, 'travel-document-issued', 'requested'),
      'travel-document-issued',
    );
    expectStatus(event(state, 'close'), 'closed');
  });

  it('issues travel documents to permanent residents too', () => {
    const answered = send(requested(), 'verification-answer', 'requested', {
      outcome: 'permanent-resident',
    });
    expectStatus(
      send(answered, 'travel-document-request', 'requesting'),
      'travel-document-requested',
    );
  });

  it.each(['neither', 'undetermined'])(
    'refuses a travel-document request after a %s answer (TIP art. 8(4))',
    (outcome) => {
      const answered = send(requested(), 'verification-answer', 'requested', {
        outcome,
        missing: 'records',
      });
      const error = caught(() => send(answered, 'travel-document-request', 'requesting'));
      expect(error.code).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
      expect(error.message).toBe(
        `nationality-verification: travel-document-request cannot be applied in state answered — TIP art. 8(4): travel documents are issued to nationals and permanent residents (the answer was ${outcome})`,
      );
      expectStatus(event(answered, 'close'), 'closed');
    },
  );

  it('treats silence as consent where the agreement says so, then requests travel documents', () => {
    let state = expectStatus(event(requested(), 'deemed-consent'), 'deemed-consent');
    state = expectStatus(
      send(state, 'travel-document-request', 'requesting'),
      'travel-document-requested',
    );
    expectStatus(send(state, 'travel-document-issued', 'requested'), 'travel-document-issued');
  });

  it('records a late answer after deemed consent or expiry: it supersedes the silence', () => {
    const late = send(event(requested(), 'deemed-consent'), 'verification-answer', 'requested', {
      outcome: 'neither',
    });
    expect(late).toMatchObject({ status: 'answered', outcome: 'neither' });
    expect(caught(() => send(late, 'travel-document-request', 'requesting')).details[0]?.rule).toBe(
      'TIP art. 8(4)',
    );
    const expired = expectStatus(event(requested(), 'deadline-expired'), 'expired');
    expectStatus(send(expired, 'verification-answer', 'requested'), 'answered');
    expectStatus(event(expired, 'close'), 'closed');
  });

  it('refuses deemed consent without a readmission agreement', () => {
    const body = { ...without(request, 'agreementId') };
    const state = send(initialState(NV), 'verification-request', 'requesting', body);
    expect(state.agreementId).toBeNull();
    expect(caught(() => event(state, 'deemed-consent')).message).toContain(
      'silence counts as consent only under a readmission agreement that says so',
    );
    expectStatus(event(state, 'deadline-expired'), 'expired');
  });

  it('marks a late travel document overdue without closing the request', () => {
    const state = send(
      send(requested(), 'verification-answer', 'requested'),
      'travel-document-request',
      'requesting',
    );
    expect(event(state, 'deadline-expired')).toMatchObject({
      status: 'travel-document-requested',
      overdue: true,
    });
    expect(caught(() => event(state, 'deemed-consent')).code).toBe(
      ErrorCode.PROCEDURE_TRANSITION_REFUSED,
    );
  });

  it('records the accelerated procedure', () => {
    const body = { ...request, accelerated: true, apprehendedAt: '2026-04-01T22:10:00Z' };
    expect(send(initialState(NV), 'verification-request', 'requesting', body).accelerated).toBe(
      true,
    );
  });

  it('lets the requesting side withdraw an open request', () => {
    expectStatus(event(send(requested(), 'withdrawal', 'requesting'), 'close'), 'closed');
  });

  it.each<[string, () => unknown]>([
    [
      'a verification request from the requested side',
      () => send(initialState(NV), 'verification-request', 'requested'),
    ],
    [
      'an answer from the requesting side',
      () => send(requested(), 'verification-answer', 'requesting'),
    ],
    [
      'a second answer',
      () =>
        send(
          send(requested(), 'verification-answer', 'requested'),
          'verification-answer',
          'requested',
        ),
    ],
    [
      'a travel document before it is requested',
      () =>
        send(
          send(requested(), 'verification-answer', 'requested'),
          'travel-document-issued',
          'requested',
        ),
    ],
    [
      'a travel-document request before the answer',
      () => send(requested(), 'travel-document-request', 'requesting'),
    ],
    ['a withdrawal of a draft', () => send(initialState(NV), 'withdrawal', 'requesting')],
    ['closing an open request', () => event(requested(), 'close')],
  ])('refuses %s', (_name, run) => {
    const error = caught(run);
    expect(error.code).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
    expect(error.message).toMatch(
      /^nationality-verification: \S+( \S+)? cannot be applied in state \S+ — /,
    );
  });
});
