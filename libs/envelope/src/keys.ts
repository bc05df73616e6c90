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
  /** OpenPGP key expiry: the key stops signing after this many days (GnuPG shows it too). */
  expiresInDays?: number;
}): Promise<GeneratedKeyPair> {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: options.authorityName, comment: options.authorityId }],
    passphrase: options.passphrase,
    date: options.date,
    keyExpirationTime: options.expiresInDays ? Math.round(options.expiresInDays * 86_400) : 0,
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

/** When the key's OpenPGP self-signature makes it expire; undefined if it never does. */
export async function keyExpiresAt(key: openpgp.Key): Promise<Date | undefined> {
  const expires = await key.getExpirationTime();
  return expires instanceof Date ? expires : undefined;
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

const ARMORED_PRIVATE_KEY =
  /-----BEGIN PGP PRIVATE KEY BLOCK-----[\s\S]*?-----END PGP PRIVATE KEY BLOCK-----\r?\n?/g;

/**
 * The armored private keys of a key ring file: blocks one after another, as `gpg --export-secret-keys`
 * of several keys, or `cat` of several key files, produce them.
 */
export function splitArmoredPrivateKeys(armored: string): string[] {
  return armored.match(ARMORED_PRIVATE_KEY) ?? [];
}

/**
 * Unlocks every key of a key ring with one passphrase. Every key must be passphrase-protected;
 * an empty ring is refused.
 */
export async function unlockKeyRing(
  armored: string,
  passphrase: string,
): Promise<openpgp.PrivateKey[]> {
  const blocks = splitArmoredPrivateKeys(armored);
  if (blocks.length === 0) {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'the private key file holds no armored OpenPGP private key',
    );
  }
  return Promise.all(blocks.map((block) => unlockPrivateKey(block, passphrase)));
}
