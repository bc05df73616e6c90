import type * as openpgp from 'openpgp';
import { fingerprintOf } from './keys.js';

/**
 * What checking a signature needs to know about its signer: every key the signer has had, and
 * whether a given key could sign at a given time. The directory's authorities provide it.
 */
export interface SignerKeys {
  readonly id: string;
  /** Current and past keys, so that a signature verifies whichever of them made it. */
  readonly publicKeys: readonly openpgp.PublicKey[];
  /** Why the key with this fingerprint could not have made a signature at `signedAt`, if it could not. */
  signatureRefusal(fingerprint: string, signedAt: Date): string | undefined;
}

/** A signature as `openpgp.decrypt` and `openpgp.verify` report it. */
interface ReportedSignature {
  keyID: openpgp.KeyID;
  verified: Promise<true>;
  signature: Promise<openpgp.Signature>;
}

export type SignatureVerdict =
  | { valid: true; fingerprint: string; signedAt: Date }
  /** `keyRefusal`: the signature is by one of the signer's keys, but at a time that key could not sign. */
  | { valid: false; keyRefusal?: string };

/**
 * Judges the signatures openpgp reported for a message: exactly one, by one of the signer's keys,
 * cryptographically valid, made while the directory let that key sign.
 */
export async function judgeSignature(
  signatures: readonly ReportedSignature[],
  signer: SignerKeys,
): Promise<SignatureVerdict> {
  if (signatures.length !== 1) return { valid: false };
  const [signature] = signatures;
  const key = signer.publicKeys.find((candidate) => candidate.getKeys(signature.keyID).length > 0);
  if (!key) return { valid: false };
  const fingerprint = fingerprintOf(key);
  let failure: unknown;
  try {
    await signature.verified;
  } catch (error) {
    failure = error;
  }
  let signedAt: Date | null | undefined;
  try {
    signedAt = (await signature.signature).packets[0]?.created;
  } catch {
    return { valid: false };
  }
  if (!signedAt) return { valid: false };
  const keyRefusal = signer.signatureRefusal(fingerprint, signedAt);
  if (failure === undefined) {
    return keyRefusal ? { valid: false, keyRefusal } : { valid: true, fingerprint, signedAt };
  }
  // openpgp itself refuses a signature made after the key's OpenPGP expiry; any other failure
  // (a forged or altered signature) is a bad signature whatever time it claims.
  const expired = failure instanceof Error && /expired/i.test(failure.message);
  return { valid: false, keyRefusal: expired ? keyRefusal : undefined };
}
