import { createHmac } from 'node:crypto';
import {
  personKeys,
  registrationKeys,
  type IdentifierKey,
  type KeyKind,
  type PersonIdentifiers,
  type RegistrationIdentifiers,
} from './identifier-keys.js';

/*
 * Keyed hashes of identifier keys: HMAC-SHA-256 under the node's register secret, base64url
 * without padding (43 characters). Without the secret, a hash cannot be tested against guessed
 * names and dates (a plain hash of a name and a date of birth could be brute-forced in minutes);
 * the canonical strings start with the key version and kind, so hashes of different kinds never
 * collide by construction (domain separation).
 */

/** Secrets shorter than this are refused; 32 random bytes are recommended. */
export const MIN_SECRET_BYTES = 16;

/** A register hash: base64url HMAC-SHA-256, 43 characters. */
export const REGISTER_HASH = /^[A-Za-z0-9_-]{43}$/;

/** An identifier key's kind with its keyed hash (no personal data). */
export interface HashedKey {
  readonly kind: KeyKind;
  readonly hash: string;
}

function assertSecret(secret: Uint8Array): void {
  if (!(secret instanceof Uint8Array) || secret.byteLength < MIN_SECRET_BYTES) {
    throw new RangeError(`the register secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

/** The keyed hash of one canonical key string. */
export function keyedHash(secret: Uint8Array, canonical: string): string {
  assertSecret(secret);
  return createHmac('sha256', secret).update(canonical, 'utf8').digest('base64url');
}

function hashKeys(secret: Uint8Array, keys: readonly IdentifierKey[]): HashedKey[] {
  assertSecret(secret);
  return keys.map(({ kind, canonical }) => ({ kind, hash: keyedHash(secret, canonical) }));
}

/** The hashed keys of a person named in a message, with their kinds. */
export function personHashedKeys(secret: Uint8Array, person: PersonIdentifiers): HashedKey[] {
  return hashKeys(secret, personKeys(person));
}

/** The keyed hashes of a person named in a message, to look up in the register. */
export function personHashes(secret: Uint8Array, person: PersonIdentifiers): string[] {
  return personHashedKeys(secret, person).map(({ hash }) => hash);
}

/** The keyed hashes the asylum authority stores for a registration (nothing else is stored). */
export function registrationHashes(
  secret: Uint8Array,
  registration: RegistrationIdentifiers,
): string[] {
  return hashKeys(secret, registrationKeys(registration)).map(({ hash }) => hash);
}
