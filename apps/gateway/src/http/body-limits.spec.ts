import fc from 'fast-check';
import { PAYLOAD_LIMITS } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { bodyRefusal, jsonNestsDeeperThan, refuseDeepJson } from './body-limits.js';

/** Containers nested in one another, the document itself being level 1 (as PAYLOAD_LIMITS counts). */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + Math.max(0, ...children.map(depthOf));
}

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('JSON bodies: nesting read from the raw bytes', () => {
  it('measures the depth of any JSON document exactly, brackets inside strings aside', () => {
    // Strings full of brackets, quotes and escapes: they must not count as nesting.
    const tricky = fc.stringMatching(/^[[\]{}"\\a-z:,]{0,12}$/);
    const documents = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        tricky,
        fc.integer(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(tricky, tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(documents, fc.integer({ min: 0, max: 12 }), (document, limit) => {
        const text = bytes(JSON.stringify(document));
        expect(jsonNestsDeeperThan(text, limit)).toBe(depthOf(document) > limit);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a hostile nesting before any parser sees it, and lets the limit itself pass', () => {
    const nested = (depth: number) => bytes(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    expect(() =>
      refuseDeepJson({} as never, {} as never, nested(PAYLOAD_LIMITS.maxDepth)),
    ).not.toThrow();
    for (const depth of [PAYLOAD_LIMITS.maxDepth + 1, 100_000]) {
      const error = (() => {
        try {
          refuseDeepJson({} as never, {} as never, nested(depth));
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe(ErrorCode.BODY_TOO_DEEP);
    }
    // Unbalanced or truncated text is the parser's to refuse, not a depth problem.
    expect(jsonNestsDeeperThan(bytes('{"a": "[[[[[[['), 2)).toBe(false);
  });

  it('gives body-parser failures the codes of the API, never the peer endpoint’s', () => {
    expect(bodyRefusal({ status: 413, type: 'entity.too.large', limit: 10 })?.code).toBe(
      ErrorCode.BODY_TOO_LARGE,
    );
    expect(bodyRefusal({ status: 400, type: 'entity.parse.failed' })?.code).toBe(
      ErrorCode.BODY_MALFORMED,
    );
    expect(bodyRefusal({ status: 415, type: 'charset.unsupported' })?.code).toBe(
      ErrorCode.BODY_MALFORMED,
    );
    expect(bodyRefusal(new Error('boom'))).toBeUndefined();
    // A refusal of the verify hook comes back without the status body-parser put on it.
    const decorated = Object.assign(
      new GatewayError(ErrorCode.BODY_TOO_DEEP, 'deep', [{ limit: 32 }]),
      { status: 403, statusCode: 403, expose: true },
    );
    const passed = bodyRefusal(decorated)!;
    expect([passed.code, passed.details]).toEqual([ErrorCode.BODY_TOO_DEEP, [{ limit: 32 }]]);
    expect(passed).not.toHaveProperty('statusCode');
  });
});
