import fc from 'fast-check';
import { ErrorCode } from '#libs/errors';
import { classifyPeerAnswer, PERMANENT_REFUSALS } from './peer-refusals.js';

const permanentCode = fc.constantFrom(...PERMANENT_REFUSALS);
const otherCode = fc.oneof(
  fc.constantFrom<string | undefined>(
    undefined,
    ErrorCode.UNKNOWN_SENDER,
    ErrorCode.ENVELOPE_FROM_FUTURE,
    ErrorCode.RATE_LIMITED,
    ErrorCode.REGISTER_UNAVAILABLE,
    ErrorCode.DATABASE_UNAVAILABLE,
    'NOT_FOUND',
  ),
  fc.string().filter((code) => !PERMANENT_REFUSALS.has(code)),
);
const anyCode = fc.oneof(permanentCode, otherCode);

describe('transient and permanent peer failures (R7)', () => {
  it('retries every answer that is not a client error: no answer, 1xx-3xx, 5xx (503 included)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constant(undefined),
          fc.integer({ min: 100, max: 399 }),
          fc.integer({ min: 500, max: 599 }),
        ),
        anyCode,
        (status, code) => expect(classifyPeerAnswer(status, code)).toBe('transient'),
      ),
    );
  });

  it('retries 408, 425 and 429 whatever code they carry', () => {
    fc.assert(
      fc.property(fc.constantFrom(408, 425, 429), anyCode, (status, code) =>
        expect(classifyPeerAnswer(status, code)).toBe('transient'),
      ),
    );
  });

  it('fails at once on a 4xx naming a refusal of the envelope itself', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 499 }).filter((s) => ![408, 425, 429].includes(s)),
        permanentCode,
        (status, code) => expect(classifyPeerAnswer(status, code)).toBe('permanent'),
      ),
    );
    expect(classifyPeerAnswer(403, 'SIGNATURE_INVALID')).toBe('permanent');
    expect(classifyPeerAnswer(409, 'DUPLICATE_CONFLICT')).toBe('permanent');
    expect(classifyPeerAnswer(409, 'PROCEDURE_TRANSITION_REFUSED')).toBe('permanent');
    expect(classifyPeerAnswer(422, 'PAYLOAD_INVALID')).toBe('permanent');
  });

  it('retries a 4xx in any other words: a proxy, a peer whose directory lags, a clock ahead', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 499 }), otherCode, (status, code) =>
        expect(classifyPeerAnswer(status, code)).toBe('transient'),
      ),
    );
  });
});
