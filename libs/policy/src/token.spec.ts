import { canonicalJson, sha256Hex, type EnvelopePayload } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { PolicyDecision } from './decision.js';
import { evaluate, withRequiredHandling } from './engine.js';
import { DE_CENTRAL, message, mlaRequest, person, safeVerification } from './fixtures.js';
import {
  assertSealAuthorised,
  authorisePayload,
  SealAuthorisation,
  sealDigestOf,
} from './token.js';
import type { PolicyInput } from './input.js';

function thrown(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

/** The payload the lead's submit path builds from a decision. */
function payloadFor(input: PolicyInput, decision: PolicyDecision): EnvelopePayload {
  return {
    formatVersion: 1,
    messageId: '0195f1a2-0000-7000-8000-000000000001',
    procedure: input.procedure,
    messageType: input.messageType,
    requestId: '0195f1a2-0000-7000-8000-000000000001',
    deadlineProfiles: [],
    sender: input.sender.authorityId,
    recipient: input.recipient.authorityId,
    createdAt: '2026-03-02T10:00:00.000Z',
    inReplyTo: null,
    caseReference: 'TIP-2026-17',
    handling: withRequiredHandling(
      { permittedPurpose: 'prosecution', confidential: true, noOnwardTransferTo: [] },
      decision,
    ),
    body: { ...(decision.approvedBody ?? input.body) },
    attachments: [],
  };
}

const refugee = () =>
  message('mla', 'request', mlaRequest([person({ roles: ['victim'] })]), {
    recipient: DE_CENTRAL,
    facts: { persons: [{ personKey: 'P1', asylum: { status: 'granted', shieldFrom: ['UA'] } }] },
  });

describe('the seal authorisation', () => {
  it('binds the exact payload (redacted body, required handling) and its recipient', () => {
    const input = refugee();
    const decision = evaluate(input);
    expect(decision.outcome).toBe('allow-with-redactions');
    const payload = payloadFor(input, decision);
    const token = authorisePayload(decision, payload);
    const payloadDigest = sha256Hex(canonicalJson(payload));
    expect(sealDigestOf(payload)).toBe(payloadDigest);
    expect(token).toBeInstanceOf(SealAuthorisation);
    expect(token).toMatchObject({
      payloadDigest,
      recipient: 'DE-BFJ-IRZ',
      decisionId: decision.decisionId,
    });
    expect(() =>
      assertSealAuthorised(token, { payloadDigest, recipient: 'DE-BFJ-IRZ' }),
    ).not.toThrow();
    expect(Object.isFrozen(token)).toBe(true);
  });

  it('refuses a plain object, a prototype trick, a copy and nothing at all', () => {
    const input = refugee();
    const decision = evaluate(input);
    const payload = payloadFor(input, decision);
    const real = authorisePayload(decision, payload);
    const target = { payloadDigest: real.payloadDigest, recipient: real.recipient };
    const forgeries: unknown[] = [
      undefined,
      null,
      'token',
      { ...real },
      { decisionId: real.decisionId, payloadDigest: real.payloadDigest, recipient: real.recipient },
      Object.assign(Object.create(SealAuthorisation.prototype) as object, { ...real }),
    ];
    for (const forged of forgeries) {
      expect(thrown(() => assertSealAuthorised(forged, target)).code).toBe(
        ErrorCode.POLICY_DECISION_MISSING,
      );
    }
  });

  it('cannot be constructed outside the engine', () => {
    const Constructor = SealAuthorisation as unknown as new (...args: unknown[]) => unknown;
    expect(() => new Constructor(Symbol('policy:mint'), {}, new Date())).toThrow(TypeError);
  });

  it('refuses another payload digest or another recipient', () => {
    const input = refugee();
    const decision = evaluate(input);
    const token = authorisePayload(decision, payloadFor(input, decision));
    expect(
      thrown(() =>
        assertSealAuthorised(token, { payloadDigest: '0'.repeat(64), recipient: token.recipient }),
      ).code,
    ).toBe(ErrorCode.POLICY_DECISION_MISSING);
    expect(
      thrown(() =>
        assertSealAuthorised(token, { payloadDigest: token.payloadDigest, recipient: 'RO-MJ-DDI' }),
      ).code,
    ).toBe(ErrorCode.POLICY_DECISION_MISSING);
  });

  it('is never minted for a payload other than the one decided on', () => {
    const input = refugee();
    const decision = evaluate(input);
    const good = payloadFor(input, decision);
    const variants: [string, EnvelopePayload][] = [
      ['the unredacted body', { ...good, body: { ...input.body } }],
      ['another recipient', { ...good, recipient: 'RO-MJ-DDI' }],
      ['another sender', { ...good, sender: 'FR-PN-OCRTEH' }],
      ['another message type', { ...good, messageType: 'additional-information' }],
      [
        'handling without the shielded States',
        { ...good, handling: { ...good.handling, noOnwardTransferTo: ['UA'] } },
      ],
    ];
    for (const [, payload] of variants) {
      expect(thrown(() => authorisePayload(decision, payload)).code).toBe(
        ErrorCode.POLICY_DECISION_MISSING,
      );
    }
  });

  it('is never minted for a decision the engine did not make', () => {
    const input = refugee();
    const decision = evaluate(input);
    const payload = payloadFor(input, decision);
    const copy: PolicyDecision = { ...decision };
    const invented = { ...decision, outcome: 'allow', findings: [] } as PolicyDecision;
    for (const fake of [copy, invented]) {
      expect(thrown(() => authorisePayload(fake, payload)).code).toBe(
        ErrorCode.POLICY_DECISION_MISSING,
      );
    }
  });

  it('is never minted for a block, nor while warnings wait', () => {
    const blockedInput = safeVerification({ asylum: { status: 'pending', shieldFrom: [] } });
    const blocked = evaluate(blockedInput);
    expect(blocked.outcome).toBe('block');
    expect(thrown(() => authorisePayload(blocked, payloadFor(blockedInput, blocked))).code).toBe(
      ErrorCode.POLICY_BLOCKED,
    );
    const waitingInput = safeVerification({ returnVoluntary: false });
    const waiting = evaluate(waitingInput);
    expect(waiting.outcome).toBe('warn');
    expect(thrown(() => authorisePayload(waiting, payloadFor(waitingInput, waiting))).code).toBe(
      ErrorCode.POLICY_ACKNOWLEDGEMENT_REQUIRED,
    );
  });
});
