import { ErrorCode, GatewayError } from '#libs/errors';
import { applyMessage, applySystemEvent, initialState } from '../apply-message.js';
import { messageTypesOf, type MessageTypeOf } from '../catalogue.js';
import type { SenderRole } from '../procedure-definition.js';
import { validateMessageBody } from '../validate-message-body.js';
import type { AssetsState, AssetsStatus } from './assets.procedure.js';
import { account, VALID_BODIES as valid } from './assets.examples.js';

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

describe('assets message bodies', () => {
  it('defines a valid example for every message type', () => {
    expect(Object.keys(valid).sort()).toEqual([...messageTypesOf('assets')].sort());
  });

  it.each(Object.entries(valid))('accepts a valid %s', (type, body) => {
    expect(() => validateMessageBody('assets', type, body)).not.toThrow();
  });

  it('accepts a disposal that does not consider victim compensation when it records why (W-11)', () => {
    const body = {
      ...valid.disposal,
      victimCompensationConsidered: false,
      justification: 'No identified victim',
    };
    expect(() => validateMessageBody('assets', 'disposal', body)).not.toThrow();
  });

  it.each<[string, string, Record<string, unknown>, string, string | undefined]>([
    [
      'a disposal without victim compensation or justification',
      'disposal',
      { ...valid.disposal, victimCompensationConsidered: false },
      'body.justification',
      'W-11',
    ],
    [
      'a disposal that does not say whether compensation was considered',
      'disposal',
      without(valid.disposal, 'victimCompensationConsidered'),
      'body.victimCompensationConsidered',
      undefined,
    ],
    [
      'a freeze without assets',
      'freeze',
      { ...valid.freeze, assets: [] },
      'body.assets',
      'UNTOC 13(3)(c)',
    ],
    [
      'a freeze without the actions requested',
      'freeze',
      without(valid.freeze, 'actionsRequested'),
      'body.actionsRequested',
      'UNTOC 13(3)(c)',
    ],
    [
      'a freezing certificate whose urgency is not a yes or no',
      'freeze',
      { ...valid.freeze, urgentFreezing: 'yes' },
      'body.urgentFreezing',
      'Reg. (EU) 2018/1805 art. 9',
    ],
    [
      'a seizure that claims the urgency of a freezing certificate',
      'seize',
      { ...valid.seize, urgentFreezing: true },
      'body.urgentFreezing',
      undefined,
    ],
    [
      'a confiscation without property',
      'confiscate',
      without(valid.confiscate, 'assets'),
      'body.assets',
      'UNTOC 13(3)(a)',
    ],
    [
      'a foreign order not attached',
      'enforce-foreign-order',
      without(valid['enforce-foreign-order'], 'order'),
      'body.order',
      'UNTOC 13(3)(b)',
    ],
    [
      'no extent of execution',
      'enforce-foreign-order',
      without(valid['enforce-foreign-order'], 'extentOfExecution'),
      'body.extentOfExecution',
      'UNTOC 13(3)(b)',
    ],
    [
      'no statement of facts',
      'identify',
      without(valid.identify, 'summaryOfFacts'),
      'body.summaryOfFacts',
      'UNTOC 13(3)',
    ],
    [
      'no requesting authority',
      'seize',
      without(valid.seize, 'requestingAuthority'),
      'body.requestingAuthority',
      'UNTOC 18(15)(a)',
    ],
    [
      'a confiscation answer without its route',
      'answer',
      { answersRequest: 'confiscate', outcome: 'confiscated', assets: [account] },
      'body.confiscationRoute',
      'UNTOC 13(1)',
    ],
    [
      'an answer that found assets without describing them',
      'answer',
      { answersRequest: 'identify', outcome: 'identified' },
      'body.assets',
      undefined,
    ],
    [
      'a freezing confirmation without a time zone',
      'freezing-confirmation',
      { ...valid['freezing-confirmation'], frozenAt: '2026-05-01 11:42' },
      'body.frozenAt',
      undefined,
    ],
    [
      'a freezing confirmation without per-asset details',
      'freezing-confirmation',
      { ...valid['freezing-confirmation'], assets: [] },
      'body.assets',
      undefined,
    ],
    [
      'a frozen asset without its timestamp',
      'freezing-confirmation',
      { ...valid['freezing-confirmation'], assets: [{ description: 'Account' }] },
      'body.assets.0.frozenAt',
      undefined,
    ],
    [
      'a refusal on fiscal grounds only',
      'refusal',
      { ...valid.refusal, grounds: ['fiscal'] },
      'body.grounds',
      'UNTOC 18(22)',
    ],
    [
      'a refusal without reasons',
      'refusal',
      without(valid.refusal, 'reasons'),
      'body.reasons',
      'UNTOC 18(23)',
    ],
    [
      'an unknown currency',
      'seize',
      { ...valid.seize, assets: [{ ...account, estimatedValue: { amount: 1, currency: 'XXY' } }] },
      'body.assets.0.estimatedValue.currency',
      undefined,
    ],
  ])('rejects %s', (_name, type, body, field, rule) => {
    const error = caught(() => validateMessageBody('assets', type, body));
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    const detail = error.details.find((d) => d.field === field);
    expect(detail).toBeDefined();
    expect(detail?.rule).toBe(rule);
  });

  it('accepts an answer that found nothing without assets', () => {
    const body = { answersRequest: 'trace', outcome: 'no-assets-found', assets: [] };
    expect(() => validateMessageBody('assets', 'answer', body)).not.toThrow();
  });
});

function send(state: AssetsState, type: MessageTypeOf<'assets'>, role: SenderRole, body?: object) {
  return applyMessage({
    procedure: 'assets',
    state,
    messageType: type,
    senderRole: role,
    body: body ?? valid[type],
  });
}

function expectStatus(state: AssetsState, status: AssetsStatus): AssetsState {
  expect(state.status).toBe(status);
  return state;
}

const confiscationAnswer = {
  answersRequest: 'confiscate',
  outcome: 'confiscated',
  assets: [account],
  confiscationRoute: 'domestic-order',
};

describe('assets lifecycle', () => {
  it('walks identify → freeze → confiscate → dispose → close', () => {
    let state = expectStatus(send(initialState('assets'), 'identify', 'requesting'), 'requested');
    expect(state.pendingRequest).toBe('identify');
    state = expectStatus(send(state, 'acknowledgement', 'requested'), 'acknowledged');
    state = expectStatus(send(state, 'answer', 'requested'), 'identified');
    state = expectStatus(send(state, 'freeze', 'requesting'), 'requested');
    state = expectStatus(send(state, 'freezing-confirmation', 'requested'), 'frozen');
    expect(state.pendingRequest).toBeNull();
    state = expectStatus(send(state, 'confiscate', 'requesting'), 'requested');
    state = expectStatus(send(state, 'answer', 'requested', confiscationAnswer), 'confiscated');
    state = expectStatus(send(state, 'disposal', 'requested'), 'disposed');
    expectStatus(applySystemEvent({ procedure: 'assets', state, event: 'close' }), 'closed');
  });

  it('seizes, and enforces a foreign order', () => {
    let state = send(initialState('assets'), 'seize', 'requesting');
    state = expectStatus(
      send(state, 'answer', 'requested', {
        answersRequest: 'seize',
        outcome: 'seized',
        assets: [account],
      }),
      'seized',
    );
    state = send(state, 'enforce-foreign-order', 'requesting');
    const answer = {
      ...confiscationAnswer,
      answersRequest: 'enforce-foreign-order',
      confiscationRoute: 'foreign-order-enforced',
    };
    expectStatus(send(state, 'answer', 'requested', answer), 'confiscated');
  });

  it('records that nothing was found, and closes', () => {
    const state = send(initialState('assets'), 'trace', 'requesting');
    const none = send(state, 'answer', 'requested', {
      answersRequest: 'trace',
      outcome: 'no-assets-found',
    });
    expectStatus(
      applySystemEvent({
        procedure: 'assets',
        state: expectStatus(none, 'no-assets-found'),
        event: 'close',
      }),
      'closed',
    );
  });

  it('refuses, then closes', () => {
    const state = send(
      send(initialState('assets'), 'freeze', 'requesting'),
      'refusal',
      'requested',
    );
    expect(expectStatus(state, 'refused').pendingRequest).toBeNull();
    expectStatus(applySystemEvent({ procedure: 'assets', state, event: 'close' }), 'closed');
  });

  it('lets the requester withdraw, lifting a freeze', () => {
    const frozen = send(
      send(initialState('assets'), 'freeze', 'requesting'),
      'freezing-confirmation',
      'requested',
    );
    expectStatus(send(frozen, 'withdrawal', 'requesting'), 'withdrawn');
  });

  it('marks a pending request overdue; a new request starts afresh', () => {
    const requested = send(initialState('assets'), 'freeze', 'requesting');
    const overdue = applySystemEvent({
      procedure: 'assets',
      state: requested,
      event: 'deadline-expired',
    });
    expect(overdue).toMatchObject({ status: 'requested', overdue: true });
    const frozen = send(overdue, 'freezing-confirmation', 'requested');
    expect(send(frozen, 'confiscate', 'requesting').overdue).toBe(false);
  });

  it.each<[string, () => unknown, string | undefined]>([
    [
      'a freezing confirmation of an identification request',
      () =>
        send(
          send(initialState('assets'), 'identify', 'requesting'),
          'freezing-confirmation',
          'requested',
        ),
      'UNTOC 13(2)',
    ],
    [
      'a freeze answered other than by a confirmation',
      () =>
        send(send(initialState('assets'), 'freeze', 'requesting'), 'answer', 'requested', {
          answersRequest: 'freeze',
          outcome: 'seized',
          assets: [account],
        }),
      'UNTOC 13(2)',
    ],
    [
      'an identification answered as confiscated',
      () =>
        send(send(initialState('assets'), 'identify', 'requesting'), 'answer', 'requested', {
          ...confiscationAnswer,
          answersRequest: 'identify',
        }),
      'UNTOC 13(1)',
    ],
    [
      'an answer to another request',
      () =>
        send(send(initialState('assets'), 'identify', 'requesting'), 'answer', 'requested', {
          answersRequest: 'seize',
          outcome: 'seized',
          assets: [account],
        }),
      undefined,
    ],
    [
      'a disposal before confiscation',
      () =>
        send(
          send(
            send(initialState('assets'), 'freeze', 'requesting'),
            'freezing-confirmation',
            'requested',
          ),
          'disposal',
          'requested',
        ),
      'UNTOC 14',
    ],
    [
      'a second request while one is pending',
      () => send(send(initialState('assets'), 'identify', 'requesting'), 'freeze', 'requesting'),
      undefined,
    ],
    [
      'a request from the requested side',
      () => send(initialState('assets'), 'freeze', 'requested'),
      undefined,
    ],
    [
      'closing a case with frozen assets',
      () =>
        applySystemEvent({
          procedure: 'assets',
          state: send(
            send(initialState('assets'), 'freeze', 'requesting'),
            'freezing-confirmation',
            'requested',
          ),
          event: 'close',
        }),
      undefined,
    ],
    [
      'deemed consent',
      () =>
        applySystemEvent({
          procedure: 'assets',
          state: send(initialState('assets'), 'freeze', 'requesting'),
          event: 'deemed-consent',
        }),
      undefined,
    ],
  ])('refuses %s', (_name, run, rule) => {
    const error = caught(run);
    expect(error.code).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
    expect(error.details[0]?.rule).toBe(rule);
    expect(error.message).toMatch(/^assets: \S+( \S+)? cannot be applied in state \S+ — /);
  });
});
