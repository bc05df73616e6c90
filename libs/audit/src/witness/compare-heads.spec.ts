import { ErrorCode } from '#libs/errors';
import { compareWithWitnesses, type WitnessedHead } from './compare-heads.js';

const hash = (n: number, variant = 'a') => `${variant}${String(n).padStart(63, '0')}`;

/** The chain as stored: position → hash. */
const chain = (length: number, rewrittenFrom?: number) =>
  new Map(
    Array.from({ length }, (_, i) => {
      const seq = i + 1;
      return [String(seq), hash(seq, rewrittenFrom && seq >= rewrittenFrom ? 'b' : 'a')];
    }),
  );

const head = (witness: string, seq: number): WitnessedHead => ({
  witness,
  seq: String(seq),
  headHash: hash(seq),
  signedAt: `2026-12-05T10:00:${String(seq % 60).padStart(2, '0')}.000Z`,
});

describe('comparing the chain with its witnessed heads', () => {
  it('agrees with every head of an untouched chain', () => {
    const result = compareWithWitnesses([head('NG', 3), head('NG', 7), head('KE', 7)], chain(9));
    expect(result).toEqual({
      ok: true,
      heads: 3,
      agreeing: 3,
      agreesUpToSeq: '7',
      firstMismatchSeq: null,
      mismatches: [],
    });
  });

  it('names each head a rewritten (and re-hashed) chain no longer has, and brackets the rewrite', () => {
    // Entry 5 rewritten, every hash from it on re-computed: heads 3 agree, 6 and 8 do not; a head
    // signed after the rewrite (9, of the rewritten chain) agrees, and says nothing about it.
    const result = compareWithWitnesses(
      [head('NG', 8), head('NG', 3), head('KE', 6), { ...head('NG', 9), headHash: hash(9, 'b') }],
      chain(9, 5),
    );
    expect(result.ok).toBe(false);
    expect(result.agreeing).toBe(2);
    expect(result.agreesUpToSeq).toBe('3');
    expect(result.firstMismatchSeq).toBe('6');
    expect(result.mismatches).toEqual([
      {
        code: ErrorCode.AUDIT_WITNESS_MISMATCH,
        seq: '6',
        witness: 'KE',
        signedAt: head('KE', 6).signedAt,
        witnessedHash: hash(6),
        localHash: hash(6, 'b'),
      },
      expect.objectContaining({ seq: '8', witness: 'NG', localHash: hash(8, 'b') }),
    ]);
  });

  it('names a witnessed position the chain no longer reaches (a truncated tail)', () => {
    const result = compareWithWitnesses([head('NG', 4), head('NG', 12)], chain(9));
    expect(result.mismatches).toEqual([
      expect.objectContaining({ seq: '12', localHash: null, code: 'AUDIT_WITNESS_MISMATCH' }),
    ]);
  });

  it('is ok with no heads at all (nothing witnessed yet)', () => {
    expect(compareWithWitnesses([], chain(3))).toMatchObject({ ok: true, heads: 0 });
  });
});
