import { createHash, type Hash } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  personKeys,
  registrationKeys,
  type IdentifierKey,
  type KeyKind,
  type PersonIdentifiers,
  type RegistrationIdentifiers,
} from './identifier-keys.js';
import { TextPersonsReader, textPersonKeys } from './text-persons.js';

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

/** SHA-256's block size: HMAC pads its key to it (RFC 2104). */
const BLOCK_BYTES = 64;

/** HMAC-SHA-256 under one secret, its padded-key states computed once. */
interface Keyer {
  /** A copy of the secret, to notice a secret changed in place. */
  readonly secret: Buffer;
  readonly inner: Hash;
  readonly outer: Hash;
}

/**
 * One keyer per secret: createHmac derives the padded keys anew for every hash, which costs more
 * than hashing a short key string (a registration has ten keys and more, a message person five
 * and more). The states after the padded keys are kept and copied instead (Hash#copy): the same
 * HMAC, several times faster.
 */
const keyers = new WeakMap<Uint8Array, Keyer>();

function keyerOf(secret: Uint8Array): Keyer {
  const known = keyers.get(secret);
  if (known?.secret.equals(secret)) return known;
  const key = Buffer.alloc(BLOCK_BYTES);
  if (secret.byteLength > BLOCK_BYTES) createHash('sha256').update(secret).digest().copy(key);
  else key.set(secret);
  const pad = (byte: number) => key.map((value) => value ^ byte);
  const keyer = {
    secret: Buffer.from(secret),
    inner: createHash('sha256').update(pad(0x36)),
    outer: createHash('sha256').update(pad(0x5c)),
  };
  keyers.set(secret, keyer);
  return keyer;
}

function hmac(keyer: Keyer, canonical: string): string {
  const inner = keyer.inner.copy().update(canonical, 'utf8').digest();
  return keyer.outer.copy().update(inner).digest('base64url');
}

/** The keyed hash of one canonical key string: HMAC-SHA-256, base64url. */
export function keyedHash(secret: Uint8Array, canonical: string): string {
  assertSecret(secret);
  return hmac(keyerOf(secret), canonical);
}

function hashKeys(secret: Uint8Array, keys: readonly IdentifierKey[]): HashedKey[] {
  assertSecret(secret);
  const keyer = keyerOf(secret);
  return keys.map(({ kind, canonical }) => ({ kind, hash: hmac(keyer, canonical) }));
}

/** The hashed keys of a person named in a message, with their kinds. */
export function personHashedKeys(secret: Uint8Array, person: PersonIdentifiers): HashedKey[] {
  return hashKeys(secret, personKeys(person));
}

/** The keyed hashes of a person named in a message, to look up in the register. */
export function personHashes(secret: Uint8Array, person: PersonIdentifiers): string[] {
  return personHashedKeys(secret, person).map(({ hash }) => hash);
}

/** The keyed hashes of every person a free text may name (text-persons.ts), each once. */
export function textHashes(secret: Uint8Array, text: string): string[] {
  return hashKeys(secret, textPersonKeys(text)).map(({ hash }) => hash);
}

/** Words read between two turns of the event loop: about ten milliseconds of prose. */
const WORDS_PER_TURN = 64;

/**
 * textHashes, giving the event loop a turn after each few words: an attachment's text of two
 * million characters takes a while to read, and the process serves other requests meanwhile.
 */
export async function textHashesInTurns(secret: Uint8Array, text: string): Promise<string[]> {
  assertSecret(secret);
  const reader = new TextPersonsReader(text);
  const hashes: string[] = [];
  while (!reader.done) {
    for (const { hash } of hashKeys(secret, reader.read(WORDS_PER_TURN))) hashes.push(hash);
    if (!reader.done) await nextTurn();
  }
  return hashes;
}

/** The keyed hashes the asylum authority stores for a registration (nothing else is stored). */
export function registrationHashes(
  secret: Uint8Array,
  registration: RegistrationIdentifiers,
): string[] {
  return hashKeys(secret, registrationKeys(registration)).map(({ hash }) => hash);
}
