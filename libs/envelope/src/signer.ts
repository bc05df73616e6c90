import type * as openpgp from 'openpgp';
import { reportSignatures, type ReportedSignature, type SignatureReport } from './decrypt.js';
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
  return judgeSignatureReports(await reportSignatures(signatures), signer);
}

/** The same judgement on signature checks reported as plain data (from a worker thread). */
export function judgeSignatureReports(
  reports: readonly SignatureReport[],
  signer: SignerKeys,
): SignatureVerdict {
  if (reports.length !== 1) return { valid: false };
  const [report] = reports;
  const key = signer.publicKeys.find((candidate) =>
    candidate.getKeys().some((k) => k.getKeyID().toHex() === report.keyId),
  );
  if (!key || !report.createdAt) return { valid: false };
  const fingerprint = fingerprintOf(key);
  const signedAt = report.createdAt;
  const keyRefusal = signer.signatureRefusal(fingerprint, signedAt);
  if (report.failure === null) {
    return keyRefusal ? { valid: false, keyRefusal } : { valid: true, fingerprint, signedAt };
  }
  // openpgp itself refuses a signature made after the key's OpenPGP expiry; any other failure
  // (a forged or altered signature) is a bad signature whatever time it claims.
  const expired = /expired/i.test(report.failure);
  return { valid: false, keyRefusal: expired ? keyRefusal : undefined };
}
