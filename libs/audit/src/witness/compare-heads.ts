import { ErrorCode } from '#libs/errors';

/** A head of this node's chain as a peer holds it, under this node's signature. */
export interface WitnessedHead {
  /** The peer that holds it. */
  witness: string;
  seq: string;
  headHash: string;
  signedAt: string;
}

export interface WitnessMismatch {
  code: typeof ErrorCode.AUDIT_WITNESS_MISMATCH;
  seq: string;
  witness: string;
  signedAt: string;
  witnessedHash: string;
  /** The hash this node's chain has at that position now; null when it has no entry there. */
  localHash: string | null;
}

export interface WitnessComparison {
  ok: boolean;
  /** Heads compared, over every witness. */
  heads: number;
  agreeing: number;
  /**
   * The earliest witnessed position the chain no longer agrees with, and the latest one before it
   * that it still agrees with: each hash covers everything before it, so the rewrite lies after
   * `agreesUpToSeq` and at or before `firstMismatchSeq`. (Heads signed after a rewrite agree with
   * the rewritten chain: they say nothing about it.)
   */
  agreesUpToSeq: string | null;
  firstMismatchSeq: string | null;
  mismatches: WitnessMismatch[];
}

/**
 * Compares the heads peers witnessed with this node's chain: the entry at each witnessed position
 * must have the witnessed hash. `localHashes` maps a position to the hash stored there.
 */
export function compareWithWitnesses(
  heads: readonly WitnessedHead[],
  localHashes: ReadonlyMap<string, string>,
): WitnessComparison {
  const mismatches: WitnessMismatch[] = [];
  const agreeing: bigint[] = [];
  for (const head of heads) {
    const localHash = localHashes.get(head.seq) ?? null;
    if (localHash === head.headHash) {
      agreeing.push(BigInt(head.seq));
      continue;
    }
    mismatches.push({
      code: ErrorCode.AUDIT_WITNESS_MISMATCH,
      seq: head.seq,
      witness: head.witness,
      signedAt: head.signedAt,
      witnessedHash: head.headHash,
      localHash,
    });
  }
  mismatches.sort((a, b) => compareSeq(a.seq, b.seq) || a.witness.localeCompare(b.witness));
  const firstMismatch = mismatches[0] ? BigInt(mismatches[0].seq) : null;
  const before = agreeing.filter((seq) => firstMismatch === null || seq < firstMismatch);
  const agreesUpTo = before.reduce<bigint | null>(
    (max, seq) => (max === null || seq > max ? seq : max),
    null,
  );
  return {
    ok: mismatches.length === 0,
    heads: heads.length,
    agreeing: agreeing.length,
    agreesUpToSeq: agreesUpTo?.toString() ?? null,
    firstMismatchSeq: firstMismatch?.toString() ?? null,
    mismatches,
  };
}

function compareSeq(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}
