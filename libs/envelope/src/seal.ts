import * as openpgp from 'openpgp';
import { assertSealAuthorised, sealDigestOf, type SealAuthorisation } from '#libs/policy';
import { canonicalJson, type EnvelopePayload } from './payload.js';

export interface SealingKeys {
  /** The sender's unlocked private key: signs the payload. */
  signingKey: openpgp.PrivateKey;
  /** The recipient's directory key. */
  recipientKey: openpgp.PublicKey;
}

/**
 * Signs the canonical payload with the sender's key and encrypts it to the recipient's key and to
 * the sender's own key, so the sender can later open its own evidence. The output is an armored
 * OpenPGP message (SEIPDv1 with v4 keys) that `gpg --decrypt` reads and verifies.
 */
export async function sealEnvelope(
  payload: EnvelopePayload,
  keys: SealingKeys,
  authorisation: SealAuthorisation,
): Promise<string> {
  // No envelope without a policy decision for exactly this payload and recipient (domain.md 4).
  assertSealAuthorised(authorisation, {
    payloadDigest: sealDigestOf(payload),
    recipient: payload.recipient,
  });
  const message = await openpgp.createMessage({
    binary: new TextEncoder().encode(canonicalJson(payload)),
    filename: `${payload.messageId}.json`,
  });
  const armored: string = await openpgp.encrypt({
    message,
    signingKeys: keys.signingKey,
    encryptionKeys: [keys.recipientKey, keys.signingKey.toPublic()],
    format: 'armored',
  });
  return armored;
}
