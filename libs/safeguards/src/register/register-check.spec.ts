import fc from 'fast-check';
import { KEY_VERSION } from '#libs/protection-register';
import {
  assertRegisterQuery,
  REGISTER_QUERY_LIMITS,
  splitQuery,
  type RegisterQuery,
} from './register-check.js';

/*
 * A message's free text may yield far more hashes than one question may hold: the query is asked
 * in parts that each pass the answering node's checks, and together ask everything, in order.
 */

const HASH = 'A'.repeat(43);

const query = (sizes: readonly number[]): RegisterQuery => ({
  purpose: 'send',
  keyVersion: KEY_VERSION,
  requester: 'FR-MININT-DGEF',
  caseReference: 'DGEF-2026-1',
  recipientStates: ['NG'],
  persons: sizes.map((size, index) => ({ index, hashes: Array<string>(size).fill(HASH) })),
});

describe('a register query asked in parts', () => {
  it('splits any query into questions the answering node accepts, losing nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: REGISTER_QUERY_LIMITS.hashesPerPerson }), {
          maxLength: 1_200,
        }),
        (sizes) => {
          const parts = splitQuery(query(sizes));
          for (const part of parts) {
            assertRegisterQuery({ type: 'register-check', queryId: 'q', ...part });
          }
          expect(parts.flatMap((part) => part.persons.map((p) => p.index))).toEqual(
            sizes.map((_, index) => index),
          );
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a question of more hashes than a question holds', () => {
    const sizes = Array<number>(40).fill(REGISTER_QUERY_LIMITS.hashesPerPerson);
    expect(() =>
      assertRegisterQuery({ type: 'register-check', queryId: 'q', ...query(sizes) }),
    ).toThrow(/at most 8000 hashes/);
  });
});
