import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type * as openpgp from 'openpgp';
import { fingerprintOf } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { PUBLIC_KEY_ALGORITHM_EDDSA_LEGACY } from './packets.js';

/** The key packet fields openpgp.js keeps for a legacy EdDSA (v4 Ed25519) key. */
interface EddsaKeyPacket {
  algorithm: unknown;
  publicParams: { Q?: Uint8Array };
  privateParams?: { seed?: Uint8Array } | null;
  getKeyID(): openpgp.KeyID;
  getFingerprintBytes(): Uint8Array | null;
}

/** A signing key as the sealer uses it: Node's Ed25519 key and the OpenPGP identifiers. */
export interface NativeSigningKey {
  key: KeyObject;
  keyId: Buffer;
  fingerprint: Buffer;
}

const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

function eddsaPacketOf(key: openpgp.Key | openpgp.Subkey): EddsaKeyPacket {
  const packet = (key as unknown as { keyPacket: EddsaKeyPacket }).keyPacket;
  if (
    packet.algorithm !== 'eddsaLegacy' &&
    packet.algorithm !== PUBLIC_KEY_ALGORITHM_EDDSA_LEGACY
  ) {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'file chunks are signed with v4 Ed25519 keys only (the keys GnuPG 2.2 reads)',
    );
  }
  return packet;
}

function publicPointOf(packet: EddsaKeyPacket): Buffer {
  const q = packet.publicParams.Q;
  // Native point format: 0x40, then the 32-octet Ed25519 public key.
  if (!q || q.length !== 33 || q[0] !== 0x40) {
    throw new GatewayError(ErrorCode.KEY_UNAVAILABLE, 'the EdDSA key has no native public point');
  }
  return Buffer.from(q.subarray(1));
}

/** The unlocked signing (sub)key of an authority's key as a native Ed25519 key. */
export async function nativeSigningKey(privateKey: openpgp.PrivateKey): Promise<NativeSigningKey> {
  const signing = await privateKey.getSigningKey();
  const packet = eddsaPacketOf(signing);
  const seed = packet.privateParams?.seed;
  if (!seed || seed.length !== 32) {
    throw new GatewayError(ErrorCode.KEY_UNAVAILABLE, 'the signing key is locked or not Ed25519');
  }
  const key = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const derived = createPublicKey(key).export({ format: 'jwk' }).x;
  if (derived !== publicPointOf(packet).toString('base64url')) {
    throw new GatewayError(
      ErrorCode.KEY_UNAVAILABLE,
      'the signing key does not match its public part',
    );
  }
  const fingerprint = packet.getFingerprintBytes();
  if (!fingerprint || fingerprint.length !== 20) {
    throw new GatewayError(ErrorCode.KEY_UNAVAILABLE, 'file chunks are signed with v4 keys only');
  }
  return {
    key,
    keyId: Buffer.from(packet.getKeyID().bytes, 'binary'),
    fingerprint: Buffer.from(fingerprint),
  };
}

/** A verifying key found among a signer's keys: Node's Ed25519 key and the primary fingerprint. */
export interface NativeVerifyingKey {
  key: KeyObject;
  /** The fingerprint of the primary key, as the directory names it. */
  fingerprint: string;
}

/**
 * The (sub)key with this key id or fingerprint among an authority's public keys, as a native
 * Ed25519 key; undefined when none of them has it, or it is not a v4 EdDSA key.
 */
export function nativeVerifyingKey(
  keys: readonly openpgp.PublicKey[],
  issuer: { keyId?: Buffer; fingerprint?: Buffer },
): NativeVerifyingKey | undefined {
  for (const key of keys) {
    for (const candidate of [key, ...key.getSubkeys()]) {
      const packet = (candidate as unknown as { keyPacket: EddsaKeyPacket }).keyPacket;
      const fingerprint = packet.getFingerprintBytes();
      const byFingerprint =
        issuer.fingerprint !== undefined &&
        fingerprint !== null &&
        Buffer.from(fingerprint).equals(issuer.fingerprint);
      const byKeyId =
        issuer.keyId !== undefined &&
        Buffer.from(packet.getKeyID().bytes, 'binary').equals(issuer.keyId);
      if (!byFingerprint && !byKeyId) continue;
      try {
        const point = publicPointOf(eddsaPacketOf(candidate));
        return {
          key: createPublicKey({
            key: { kty: 'OKP', crv: 'Ed25519', x: point.toString('base64url') },
            format: 'jwk',
          }),
          fingerprint: fingerprintOf(key),
        };
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
