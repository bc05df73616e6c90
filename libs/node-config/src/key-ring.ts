import { readFileSync } from 'node:fs';
import type { Authority } from '#libs/directory';
import { fingerprintOf, unlockKeyRing, type PrivateKey } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';

/**
 * The node's unlocked private keys: the one it signs with now, and the ones it keeps after a
 * rotation so that envelopes sealed to them (during the overlap, or as its own evidence) still open.
 * Which key signs is the directory's decision: its current key for the node's authority.
 */
export class NodeKeyRing {
  private readonly byFingerprint: ReadonlyMap<string, PrivateKey>;

  constructor(keys: readonly PrivateKey[]) {
    this.byFingerprint = new Map(keys.map((key) => [fingerprintOf(key), key]));
  }

  get fingerprints(): string[] {
    return [...this.byFingerprint.keys()];
  }

  /** Every key held, current and previous. */
  get decryptionKeys(): PrivateKey[] {
    return [...this.byFingerprint.values()];
  }

  /**
   * The key to sign and seal with for one of this node's authorities at `at`: the directory's
   * current key for it (newest valid, unrevoked), which this ring must hold.
   */
  signingKey(authority: Authority, at: Date): { key: PrivateKey; fingerprint: string } {
    const current = authority.currentKey(at);
    if (!current) {
      throw new GatewayError(
        ErrorCode.KEY_UNAVAILABLE,
        `the directory lists no valid key for ${authority.id} at ${at.toISOString()}`,
      );
    }
    const key = this.byFingerprint.get(current.fingerprint);
    if (!key) {
      throw new GatewayError(
        ErrorCode.KEY_UNAVAILABLE,
        `the directory's current key for ${authority.id} (${current.fingerprint}) is not in the private key file`,
      );
    }
    return { key, fingerprint: current.fingerprint };
  }
}

/**
 * Reads the key ring file (GATEWAY_PRIVATE_KEY_FILE: one or more armored private keys, each
 * protected by the node's passphrase) and unlocks every key in memory.
 */
export async function loadKeyRing(file: string, passphrase: string): Promise<NodeKeyRing> {
  let armored: string;
  try {
    armored = readFileSync(file, 'utf8');
  } catch {
    throw new GatewayError(ErrorCode.KEY_UNAVAILABLE, `cannot read the private key file ${file}`);
  }
  return new NodeKeyRing(await unlockKeyRing(armored, passphrase));
}
