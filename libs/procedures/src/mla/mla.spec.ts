import { ErrorCode, GatewayError } from '#libs/errors';
import { applyMessage, applySystemEvent, initialState } from '../apply-message.js';
import { messageTypesOf, type MessageTypeOf } from '../catalogue.js';
import type { SenderRole } from '../procedure-definition.js';
import { validateMessageBody } from '../validate-message-body.js';
import type { MlaState, MlaStatus } from './mla.procedure.js';
import { suspect, request, VALID_BODIES as valid } from './mla.examples.js';

function failure(type: string, body: unknown): GatewayError {
  try {
    validateMessageBody('mla', type, body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error(`mla ${type} was accepted`);
}

const without = (body: Record<string, unknown>, field: string) =>
  Object.fromEntries(Object.entries(body).filter(([key]) => key !== field));

describe('mla message bodies', () => {
  it('defines a valid example for every message type', () => {
    expect(Object.keys(valid).sort()).toEqual([...messageTypesOf('mla')].sort());
  });

  it.each(Object.entries(valid))('accepts a valid %s', (type, body) => {
    expect(() => validateMessageBody('mla', type, body)).not.toThrow();
  });

  it('names the rule in the message and in the details', () => {
    const error = failure('request', without(request, 'summaryOfFacts'));
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(error.details).toEqual([
      {
        field: 'body.summaryOfFacts',
        rule: 'UNTOC 18(15)(c)',
        message: 'UNTOC 18(15)(c): a summary of the relevant facts is required',
      },
    ]);
    expect(error.message).toContain('UNTOC 18(15)(c)');
  });

  const cases: [string, string, Record<string, unknown>, string, string | undefined][] = [
    [
      'no requesting authority',
      'request',
      without(request, 'requestingAuthority'),
      'body.requestingAuthority',
      'UNTOC 18(15)(a)',
    ],
    [
      'no functions of the conducting authority',
      'request',
      {
        ...request,
        proceeding: { ...request.proceeding, conductingAuthority: { name: 'TJ Paris' } },
      },
      'body.proceeding.conductingAuthority.functions',
      'UNTOC 18(15)(b)',
    ],
    [
      'an unknown nature of proceeding',
      'request',
      { ...request, proceeding: { ...request.proceeding, nature: 'inquiry' } },
      'body.proceeding.nature',
      'UNTOC 18(15)(b)',
    ],
    [
      'no assistance sought',
      'request',
      { ...request, assistanceSought: [] },
      'body.assistanceSought',
      'UNTOC 18(15)(d)',
    ],
    [
      'assistance outside 18(3)',
      'request',
      { ...request, assistanceSought: ['interrogation'] },
      'body.assistanceSought',
      'UNTOC 18(15)(d)',
    ],
    [
      'other assistance not described',
      'request',
      { ...request, assistanceSought: ['other'] },
      'body.otherAssistance',
      'UNTOC 18(3)(i)',
    ],
    ['no purpose', 'request', without(request, 'purpose'), 'body.purpose', 'UNTOC 18(15)(f)'],
    [
      'no means for an adult victim',
      'request',
      { ...request, offence: without(request.offence, 'means') },
      'body.offence.means',
      'TIP art. 3(c)',
    ],
    [
      'no action element',
      'request',
      { ...request, offence: without(request.offence, 'action') },
      'body.offence.action',
      'TIP art. 3(a)',
    ],
    ['no offence', 'request', without(request, 'offence'), 'body.offence', 'TIP art. 3(a)'],
    [
      'urgency without reasons',
      'request',
      { ...request, urgency: { urgent: true } },
      'body.urgency.reasons',
      'UNTOC 18(24)',
    ],
    [
      'a suggested deadline without reasons',
      'request',
      { ...request, suggestedDeadline: { date: '2026-09-01' } },
      'body.suggestedDeadline.reasons',
      'UNTOC 18(24)',
    ],
    [
      'a suggested deadline that is not an ISO date',
      'request',
      { ...request, suggestedDeadline: { date: '01/09/2026', reasons: 'trial' } },
      'body.suggestedDeadline.date',
      undefined,
    ],
    [
      'a bilateral treaty not named',
      'request',
      { ...request, legalBasis: { kind: 'bilateral-treaty' } },
      'body.legalBasis.instrument',
      'UNTOC 18(7)',
    ],
    ['an unknown field', 'request', { ...request, religion: 'x' }, 'body.religion', undefined],
    [
      'an unknown field in a person',
      'request',
      { ...request, persons: [{ ...suspect, religion: 'x' }] },
      'body.persons.0.religion',
      undefined,
    ],
    [
      'a person without roles',
      'request',
      { ...request, persons: [without(suspect, 'roles')] },
      'body.persons.0.roles',
      undefined,
    ],
    [
      'a person named only in free text',
      'request',
      { ...request, persons: ['Dino Hoxha'] },
      'body.persons.0',
      undefined,
    ],
    [
      'health data without consent',
      'request',
      { ...request, persons: [{ ...suspect, health: { information: 'diabetic' } }] },
      'body.persons.0.health.consentReference',
      'H-10',
    ],
    [
      'no question',
      'additional-information-request',
      { questions: [] },
      'body.questions',
      'UNTOC 18(16)',
    ],
    [
      'no information',
      'additional-information',
      { information: '' },
      'body.information',
      'UNTOC 18(16)',
    ],
    [
      'an evidence reference without a valid digest',
      'execution-result',
      { summary: 'done', evidence: [{ name: 'x.pdf', sha256: 'ABC' }] },
      'body.evidence.0.sha256',
      undefined,
    ],
    [
      'a postponement without reasons',
      'postponement',
      without(valid.postponement, 'reasons'),
      'body.reasons',
      'UNTOC 18(25)',
    ],
    [
      'a postponement without consultation',
      'postponement',
      without(valid.postponement, 'consultationReference'),
      'body.consultationReference',
      'UNTOC 18(26)',
    ],
    [
      'a refusal on fiscal grounds only',
      'refusal',
      { ...valid.refusal, grounds: ['fiscal'] },
      'body.grounds',
      'UNTOC 18(22)',
    ],
    [
      'a refusal without grounds',
      'refusal',
      { ...valid.refusal, grounds: [] },
      'body.grounds',
      'UNTOC 18(21)',
    ],
    [
      'a refusal on a ground outside 18(21)',
      'refusal',
      { ...valid.refusal, grounds: ['bank-secrecy'] },
      'body.grounds',
      'UNTOC 18(21)',
    ],
    [
      'a refusal without reasons',
      'refusal',
      without(valid.refusal, 'reasons'),
      'body.reasons',
      'UNTOC 18(23)',
    ],
    [
      'a refusal without consultation',
      'refusal',
      without(valid.refusal, 'consultationReference'),
      'body.consultationReference',
      'UNTOC 18(26)',
    ],
    [
      'confidentiality impossible without reasons',
      'confidentiality-impossible',
      {},
      'body.reasons',
      'UNTOC 18(20)',
    ],
    [
      'a progress answer without its execution flag',
      'progress-answer',
      { summary: 'ongoing' },
      'body.executionUnderWay',
      undefined,
    ],
    [
      'an acknowledgement timestamp without a time zone',
      'acknowledgement',
      { receivedAt: '2026-03-02T09:00:00' },
      'body.receivedAt',
      undefined,
    ],
  ];

  it.each(cases)('rejects %s', (_name, type, body, field, rule) => {
    const error = failure(type, body);
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    const detail = error.details.find((d) => d.field === field);
    expect(detail).toBeDefined();
    expect(detail?.rule).toBe(rule);
    if (rule) expect(detail?.message).toMatch(new RegExp(`^${rule.replace(/[()]/g, '\\$&')}: `));
  });

  it('does not require a summary of facts for service of documents only', () => {
    const service = {
      ...without(request, 'summaryOfFacts'),
      assistanceSought: ['service-of-documents'],
    };
    expect(() => validateMessageBody('mla', 'request', service)).not.toThrow();
  });

  it('does not require the means element when the victim is a child (TIP art. 3(c))', () => {
    const child = {
      ...request,
      offence: { ...without(request.offence, 'means'), childVictim: true },
    };
    expect(() => validateMessageBody('mla', 'request', child)).not.toThrow();
  });

  it("takes the forms of exploitation, coded, when given (monitors' indicators)", () => {
    const coded = (forms: unknown) => ({
      ...request,
      offence: { ...request.offence, exploitationForms: forms },
    });
    expect(() =>
      validateMessageBody('mla', 'request', coded(['sexual-exploitation', 'forced-labour'])),
    ).not.toThrow();
    expect(() => validateMessageBody('mla', 'request', coded(['begging']))).toThrow(
      'forms of exploitation are one or more of',
    );
  });

  it('accepts a fiscal ground alongside an 18(21) ground', () => {
    const body = { ...valid.refusal, grounds: ['fiscal', 'domestic-law-prohibits'] };
    expect(() => validateMessageBody('mla', 'refusal', body)).not.toThrow();
  });

  it('rejects a body that is not an object', () => {
    expect(failure('request', [request]).details).toEqual([
      { field: 'body', message: 'the body must be a JSON object' },
    ]);
  });
});

type Step =
  | [type: MessageTypeOf<'mla'>, role: SenderRole, expected: MlaStatus]
  | [event: 'delivered' | 'deadline-expired' | 'close', expected: MlaStatus];

function send(state: MlaState, type: MessageTypeOf<'mla'>, role: SenderRole, body?: unknown) {
  return applyMessage({
    procedure: 'mla',
    state,
    messageType: type,
    senderRole: role,
    body: body ?? valid[type],
  });
}

function walk(steps: Step[], from: MlaState = initialState('mla')): MlaState {
  return steps.reduce((state, step) => {
    const next =
      step.length === 3
        ? send(state, step[0], step[1])
        : applySystemEvent({ procedure: 'mla', state, event: step[0] });
    expect(next.status).toBe(step[step.length - 1]);
    return next;
  }, from);
}

function refusal(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('the transition was applied');
}

const toAcknowledged: Step[] = [
  ['request', 'requesting', 'submitted'],
  ['delivered', 'delivered'],
  ['acknowledgement', 'requested', 'acknowledged'],
];

describe('mla lifecycle', () => {
  it('walks the main path with additional-information pauses to execution and closure', () => {
    const state = walk([
      ...toAcknowledged,
      ['additional-information-request', 'requested', 'additional-information-requested'],
      ['additional-information', 'requesting', 'additional-information-provided'],
      ['additional-information-request', 'requested', 'additional-information-requested'],
      ['additional-information', 'requesting', 'additional-information-provided'],
      ['progress-inquiry', 'requesting', 'additional-information-provided'],
      ['progress-answer', 'requested', 'in-execution'],
      ['partial-execution', 'requested', 'partially-executed'],
      ['additional-information-request', 'requested', 'additional-information-requested'],
      ['additional-information', 'requesting', 'additional-information-provided'],
      ['execution-result', 'requested', 'executed'],
      ['close', 'closed'],
    ]);
    expect(state).toEqual({
      procedure: 'mla',
      status: 'closed',
      consultationHeld: false,
      confidentialityRequested: true,
      confidentialityImpossible: false,
      overdue: false,
    });
  });

  it('reaches the same state on the sending and the receiving node', () => {
    const steps: Step[] = [...toAcknowledged, ['progress-answer', 'requested', 'in-execution']];
    expect(walk(steps)).toEqual(walk(steps));
  });

  it('refuses a refusal without a prior consultation (UNTOC 18(26)), then allows it', () => {
    const acknowledged = walk(toAcknowledged);
    const error = refusal(() => send(acknowledged, 'refusal', 'requested'));
    expect(error.code).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
    expect(error.message).toBe(
      'mla: refusal cannot be applied in state acknowledged — UNTOC 18(26): the requested State consults the requesting State before refusing (send a consultation first)',
    );
    expect(error.details[0]).toMatchObject({
      procedure: 'mla',
      state: 'acknowledged',
      messageType: 'refusal',
      rule: 'UNTOC 18(26)',
    });
    const refused = walk(
      [
        ['consultation', 'requested', 'acknowledged'],
        ['refusal', 'requested', 'refused'],
        ['close', 'closed'],
      ],
      acknowledged,
    );
    expect(refused.status).toBe('closed');
  });

  it('postpones after a consultation, which each postponement or refusal uses up', () => {
    const inExecution = walk([...toAcknowledged, ['progress-answer', 'requested', 'in-execution']]);
    expect(refusal(() => send(inExecution, 'postponement', 'requested')).details[0]?.rule).toBe(
      'UNTOC 18(26)',
    );
    const postponed = walk(
      [
        ['consultation', 'requesting', 'in-execution'],
        ['postponement', 'requested', 'postponed'],
      ],
      inExecution,
    );
    expect(postponed.consultationHeld).toBe(false);
    expect(refusal(() => send(postponed, 'refusal', 'requested')).details[0]?.rule).toBe(
      'UNTOC 18(26)',
    );
    expect(refusal(() => send(postponed, 'postponement', 'requested')).details[0]?.rule).toBe(
      'UNTOC 18(26)',
    );
    walk(
      [
        ['progress-inquiry', 'requesting', 'postponed'],
        ['progress-answer', 'requested', 'in-execution'],
        ['execution-result', 'requested', 'executed'],
      ],
      postponed,
    );
  });

  it('keeps the status on a progress answer that reports no execution yet', () => {
    const acknowledged = walk(toAcknowledged);
    const next = send(acknowledged, 'progress-answer', 'requested', {
      summary: 'Assigned to a prosecutor',
      executionUnderWay: false,
    });
    expect(next.status).toBe('acknowledged');
  });

  it('lets the requester withdraw at any time before the request is settled', () => {
    const open: Step[][] = [
      [['request', 'requesting', 'submitted']],
      [
        ['request', 'requesting', 'submitted'],
        ['delivered', 'delivered'],
      ],
      toAcknowledged,
      [
        ...toAcknowledged,
        ['additional-information-request', 'requested', 'additional-information-requested'],
      ],
      [...toAcknowledged, ['progress-answer', 'requested', 'in-execution']],
      [...toAcknowledged, ['partial-execution', 'requested', 'partially-executed']],
      [
        ...toAcknowledged,
        ['consultation', 'requested', 'acknowledged'],
        ['postponement', 'requested', 'postponed'],
      ],
    ];
    for (const steps of open) {
      const state = walk(steps);
      expect(send(state, 'withdrawal', 'requesting').status).toBe('withdrawn');
      expect(send(state, 'no-longer-required', 'requesting').status).toBe('withdrawn');
    }
    const executed = walk([...toAcknowledged, ['execution-result', 'requested', 'executed']]);
    expect(refusal(() => send(executed, 'withdrawal', 'requesting')).code).toBe(
      ErrorCode.PROCEDURE_TRANSITION_REFUSED,
    );
    expect(
      walk([['close', 'closed']], send(walk(toAcknowledged), 'withdrawal', 'requesting')).status,
    ).toBe('closed');
  });

  it('refuses a message from the wrong side', () => {
    const error = refusal(() => send(walk(toAcknowledged), 'execution-result', 'requesting'));
    expect(error.message).toContain('sent by the requested side, not by the requesting side');
    expect(
      refusal(() => send(initialState('mla'), 'request', 'requested')).details[0],
    ).toMatchObject({ senderRole: 'requested', messageType: 'request', state: 'draft' });
  });

  it.each<[string, Step[], MessageTypeOf<'mla'>, SenderRole, string | undefined]>([
    ['a second request', toAcknowledged, 'request', 'requesting', undefined],
    [
      'unsolicited additional information',
      toAcknowledged,
      'additional-information',
      'requesting',
      'UNTOC 18(16)',
    ],
    [
      'a result before acknowledgement',
      [['request', 'requesting', 'submitted']],
      'execution-result',
      'requested',
      undefined,
    ],
    [
      'a request for information before acknowledgement',
      [['request', 'requesting', 'submitted']],
      'additional-information-request',
      'requested',
      'UNTOC 18(16)',
    ],
    [
      'a consultation on a settled request',
      [...toAcknowledged, ['execution-result', 'requested', 'executed']],
      'consultation',
      'requested',
      'UNTOC 18(26)',
    ],
    ['a progress inquiry on a draft', [], 'progress-inquiry', 'requesting', 'UNTOC 18(24)'],
  ])('refuses %s', (_name, steps, type, role, rule) => {
    const error = refusal(() => send(walk(steps), type, role));
    expect(error.code).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
    expect(error.details[0]?.rule).toBe(rule);
    expect(error.message).toMatch(/^mla: \S+ cannot be applied in state \S+ — /);
  });

  it('accepts confidentiality-impossible only when confidentiality was requested (UNTOC 18(20))', () => {
    const acknowledged = walk(toAcknowledged);
    expect(
      send(acknowledged, 'confidentiality-impossible', 'requested').confidentialityImpossible,
    ).toBe(true);
    const plain = applyMessage({
      procedure: 'mla',
      messageType: 'request',
      senderRole: 'requesting',
      body: { ...request, confidentialityRequested: false },
    });
    const error = refusal(() => send(plain, 'confidentiality-impossible', 'requested'));
    expect(error.message).toBe(
      'mla: confidentiality-impossible cannot be applied in state submitted — UNTOC 18(20): the request did not ask for confidentiality',
    );
  });

  it('accepts an acknowledgement that overtakes the delivery receipt', () => {
    walk([
      ['request', 'requesting', 'submitted'],
      ['acknowledgement', 'requested', 'acknowledged'],
      ['delivered', 'acknowledged'],
    ]);
  });

  it('marks the case overdue when the deadline expires, except while paused (UNTOC 18(16))', () => {
    const inExecution = walk([...toAcknowledged, ['progress-answer', 'requested', 'in-execution']]);
    const overdue = applySystemEvent({
      procedure: 'mla',
      state: inExecution,
      event: 'deadline-expired',
    });
    expect(overdue).toMatchObject({ status: 'in-execution', overdue: true });
    const paused = send(inExecution, 'additional-information-request', 'requested');
    const error = refusal(() =>
      applySystemEvent({ procedure: 'mla', state: paused, event: 'deadline-expired' }),
    );
    expect(error.details[0]).toMatchObject({ event: 'deadline-expired', rule: 'UNTOC 18(16)' });
    expect(error.message).toContain(
      'mla: event deadline-expired cannot be applied in state additional-information-requested',
    );
  });

  it('has no deemed consent and does not close an open request', () => {
    const acknowledged = walk(toAcknowledged);
    expect(
      refusal(() =>
        applySystemEvent({ procedure: 'mla', state: acknowledged, event: 'deemed-consent' }),
      ).message,
    ).toBe(
      'mla: event deemed-consent cannot be applied in state acknowledged — mla has no deemed-consent event',
    );
    expect(
      refusal(() => applySystemEvent({ procedure: 'mla', state: acknowledged, event: 'close' }))
        .code,
    ).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
  });

  it('validates the body it applies and needs it where the transition reads it', () => {
    const invalid = refusal(() =>
      applyMessage({
        procedure: 'mla',
        messageType: 'request',
        senderRole: 'requesting',
        body: {},
      }),
    );
    expect(invalid.code).toBe(ErrorCode.VALIDATION_FAILED);
    const missing = refusal(() =>
      applyMessage({ procedure: 'mla', messageType: 'request', senderRole: 'requesting' }),
    );
    expect(missing.details).toEqual([{ field: 'body' }]);
    // An acknowledgement's transition does not read its body.
    const submitted = send(initialState('mla'), 'request', 'requesting');
    expect(
      applyMessage({
        procedure: 'mla',
        state: submitted,
        messageType: 'acknowledgement',
        senderRole: 'requested',
      }).status,
    ).toBe('acknowledged');
  });
});
