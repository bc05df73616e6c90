import * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';

export type { PrivateKey, PublicKey } from 'openpgp';

export interface GeneratedKeyPair {
  /** Armored private key, encrypted with the passphrase it was generated with. */
  privateKeyArmored: string;
  publicKeyArmored: string;
  fingerprint: string;
}

/**
 * v4 Ed25519/Cv25519 keys: the newest key format GnuPG 2.2 reads, so envelopes and receipts stay
 * verifiable with standard tools (domain.md section 7).
 */
export async function generateAuthorityKeyPair(options: {
  authorityId: string;
  authorityName: string;
  passphrase: string;
  date?: Date;
}): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: options.authorityName, comment: options.authorityId }],
    passphrase: options.passphrase,
    date: options.date,
    format: 'armored',
  });
  const key = await openpgp.readKey({ armoredKey: publicKey });
  return {
    privateKeyArmored: privateKey,
    publicKeyArmored: publicKey,
    fingerprint: fingerprintOf(key),
  };
}

export function fingerprintOf(key: openpgp.Key): string {
  return key.getFingerprint().toUpperCase();
}

/** Reads a public key; a private key is refused, so that it can never end up published. */
export async function readPublicKey(armoredKey: string): Promise<openpgp.PublicKey> {
  const key = await openpgp.readKey({ armoredKey });
  if (key.isPrivate()) throw new TypeError('expected a public key, got a private key');
  return key;
}

/** Unlocks a passphrase-protected private key. The passphrase never appears in an error. */
export async function unlockPrivateKey(
  armoredKey: string,
  passphrase: string,
): Promise<openpgp.PrivateKey> {
  let privateKey: openpgp.PrivateKey;
  try {
    privateKey = await openpgp.readPrivateKey({ armoredKey });
  } catch {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'the private key file is not an OpenPGP private key',
    );
  }
  if (privateKey.isDecrypted()) {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'the private key is stored without a passphrase; keys must be encrypted at rest',
    );
  }
  try {
    return await openpgp.decryptKey({ privateKey, passphrase });
  } catch {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'the private key could not be unlocked with the configured passphrase',
    );
  }
}
