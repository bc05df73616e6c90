import { ErrorCode, GatewayError } from '#libs/errors';
import type { Procedure } from '#libs/envelope';
import { nextMessageTypes, applyMessage, applySystemEvent, initialState } from './apply-message.js';
import { definitionOf, hasBodyField, senderRolesOf, statusesOf } from './catalogue.js';
import { validateMessageBody } from './validate-message-body.js';

const PROCEDURES: Procedure[] = ['mla', 'jit', 'nationality-verification', 'assets'];

function caught(run: () => unknown): GatewayError {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('procedure catalogue', () => {
  it.each(PROCEDURES)('%s: every transition names known statuses and a sender', (procedure) => {
    const definition = definitionOf(procedure);
    const statuses: readonly string[] = definition.statuses;
    expect(initialState(procedure)).toMatchObject({ procedure, status: 'draft' });
    for (const message of Object.values(definition.messages)) {
      expect(message.senders.length).toBeGreaterThan(0);
      expect(message.from.length).toBeGreaterThan(0);
      for (const status of message.from) expect(statuses).toContain(status);
      if (message.to) expect(statuses).toContain(message.to);
    }
    for (const event of Object.values(definition.events)) {
      for (const status of event.from) expect(statuses).toContain(status);
      if (event.to) expect(statuses).toContain(event.to);
    }
  });

  it('says who sends what', () => {
    expect(senderRolesOf('mla', 'consultation')).toEqual(['requesting', 'requested']);
    expect(senderRolesOf('mla', 'refusal')).toEqual(['requested']);
    expect(senderRolesOf('jit', 'evidence-item')).toEqual(['member']);
    expect(statusesOf('nationality-verification')).toContain('deemed-consent');
  });

  it('lists the message types a side may send now', () => {
    expect(nextMessageTypes('mla', undefined, 'requesting')).toEqual(['request']);
    expect(nextMessageTypes('mla', undefined, 'requested')).toEqual([]);
    const submitted = applyMessage({
      procedure: 'assets',
      messageType: 'identify',
      senderRole: 'requesting',
    });
    expect(nextMessageTypes('assets', submitted, 'requested')).toEqual([
      // freezing-confirmation answers a freeze, not an identify request.
      'acknowledgement',
      'answer',
      'refusal',
    ]);
    expect(nextMessageTypes('assets', submitted, 'requesting')).toEqual(['withdrawal']);
  });

  it('rejects unknown procedures and message types as validation failures', () => {
    const procedure = caught(() => validateMessageBody('extradition' as Procedure, 'request', {}));
    expect(procedure).toMatchObject({
      code: ErrorCode.VALIDATION_FAILED,
      details: [{ field: 'procedure' }],
    });
    for (const type of ['summons', 'constructor', '__proto__', 'toString']) {
      const error = caught(() => validateMessageBody('mla', type, {}));
      expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
      expect(error.details[0]).toMatchObject({ field: 'messageType' });
    }
    expect(
      caught(() => applyMessage({ procedure: 'jit', messageType: 'request', senderRole: 'member' }))
        .code,
    ).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('refuses a state that belongs to another procedure', () => {
    const state = initialState('mla');
    const error = caught(() =>
      applySystemEvent({
        procedure: 'assets',
        state: state as unknown as ReturnType<typeof initialState<'assets'>>,
        event: 'close',
      }),
    );
    expect(error.code).toBe(ErrorCode.PROCEDURE_TRANSITION_REFUSED);
    expect(error.message).toBe('assets: the state given belongs to a mla case');
  });

  it('does not mutate the state it is given', () => {
    const draft = Object.freeze(initialState('assets'));
    const next = applyMessage({
      procedure: 'assets',
      state: draft,
      messageType: 'seize',
      senderRole: 'requesting',
    });
    expect(draft.status).toBe('draft');
    expect(next).toMatchObject({ status: 'requested', pendingRequest: 'seize' });
  });
});

describe('hasBodyField', () => {
  it('finds top-level and nested fields of a message body', () => {
    expect(hasBodyField('assets', 'freeze', 'urgentFreezing')).toBe(true);
    expect(hasBodyField('assets', 'freeze', 'urgency.urgent')).toBe(true);
    expect(hasBodyField('mla', 'request', 'suggestedDeadline.date')).toBe(true);
  });

  it('does not find a misspelt field, a field of another message or a path into a scalar', () => {
    expect(hasBodyField('assets', 'freeze', 'urgentfreezing')).toBe(false);
    expect(hasBodyField('assets', 'seize', 'urgentFreezing')).toBe(false);
    expect(hasBodyField('assets', 'freeze', 'urgentFreezing.value')).toBe(false);
    expect(hasBodyField('assets', 'freeze', 'constructor')).toBe(false);
  });
});
