import {
  createCipheriv,
  createHash,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import type * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import { mpi, PacketTag, packetHeader, SYMMETRIC_AES256 } from './packets.js';

/*
 * Public-key encrypted session key packets (v3) for v4 Cv25519 keys, made with Node's native X25519,
 * SHA-256 and AES key wrap (RFC 6637 with the Curve25519 of RFC 4880bis), so that a chunk's
 * session keys cost a fraction of a millisecond instead of several in openpgp.js. openpgp.js opens
 * them (tests check both it and GnuPG do).
 */

const PUBLIC_KEY_ALGORITHM_ECDH = 18;
const CURVE25519_OID = Buffer.from('2b060104019755010501', 'hex');
const ANONYMOUS_SENDER = Buffer.from('Anonymous Sender    ', 'ascii');
const KDF_HASHES: Readonly<Record<number, string>> = { 8: 'sha256', 9: 'sha384', 10: 'sha512' };
const KEY_WRAPS: Readonly<Record<number, { cipher: string; bytes: number }>> = {
  7: { cipher: 'id-aes128-wrap', bytes: 16 },
  8: { cipher: 'id-aes192-wrap', bytes: 24 },
  9: { cipher: 'id-aes256-wrap', bytes: 32 },
};
const KEY_WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

/** What encrypting a session key to one recipient needs, read once from its OpenPGP key. */
export interface SessionKeyRecipient {
  keyId: Buffer;
  publicKey: KeyObject;
  kdfHash: string;
  keyWrap: { cipher: string; bytes: number };
  /** RFC 6637 section 8: the KDF's fixed input. */
  kdfParam: Buffer;
}

interface EcdhKeyPacket {
  algorithm: unknown;
  publicParams: {
    oid?: { toHex(): string };
    Q?: Uint8Array;
    kdfParams?: { hash: number; cipher: number };
  };
  getKeyID(): openpgp.KeyID;
  getFingerprintBytes(): Uint8Array | null;
}

function notUsable(why: string): GatewayError {
  return new GatewayError(
    ErrorCode.RECIPIENT_KEY_UNAVAILABLE,
    `files are encrypted to v4 Cv25519 keys only: ${why}`,
  );
}

/** The encryption (sub)key of an authority's key, ready for native session key packets. */
export async function sessionKeyRecipient(key: openpgp.PublicKey): Promise<SessionKeyRecipient> {
  const encryption = await key.getEncryptionKey();
  const packet = (encryption as unknown as { keyPacket: EcdhKeyPacket }).keyPacket;
  const { oid, Q, kdfParams } = packet.publicParams;
  if (packet.algorithm !== 'ecdh' && packet.algorithm !== PUBLIC_KEY_ALGORITHM_ECDH) {
    throw notUsable('the encryption key is not ECDH');
  }
  if (oid?.toHex() !== CURVE25519_OID.toString('hex') || !Q || Q.length !== 33 || Q[0] !== 0x40) {
    throw notUsable('the encryption key is not on Curve25519');
  }
  const kdfHash = kdfParams ? KDF_HASHES[kdfParams.hash] : undefined;
  const keyWrap = kdfParams ? KEY_WRAPS[kdfParams.cipher] : undefined;
  const fingerprint = packet.getFingerprintBytes();
  if (!kdfHash || !keyWrap || !kdfParams) throw notUsable('its KDF parameters are not supported');
  if (!fingerprint || fingerprint.length !== 20) throw notUsable('it is not a v4 key');
  const kdfParam = Buffer.concat([
    Buffer.from([CURVE25519_OID.length]),
    CURVE25519_OID,
    Buffer.from([PUBLIC_KEY_ALGORITHM_ECDH, 3, 1, kdfParams.hash, kdfParams.cipher]),
    ANONYMOUS_SENDER,
    fingerprint,
  ]);
  return {
    keyId: Buffer.from(packet.getKeyID().bytes, 'binary'),
    publicKey: createPublicKey({
      key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(Q.subarray(1)).toString('base64url') },
      format: 'jwk',
    }),
    kdfHash,
    keyWrap,
    kdfParam,
  };
}

/** One PKESK v3 packet carrying an AES-256 session key to one recipient. */
export function sessionKeyPacket(recipient: SessionKeyRecipient, sessionKey: Uint8Array): Buffer {
  const ephemeral = generateKeyPairSync('x25519');
  const shared = diffieHellman({
    privateKey: ephemeral.privateKey,
    publicKey: recipient.publicKey,
  });
  const kek = createHash(recipient.kdfHash)
    .update(Buffer.from([0, 0, 0, 1]))
    .update(shared)
    .update(recipient.kdfParam)
    .digest()
    .subarray(0, recipient.keyWrap.bytes);
  let checksum = 0;
  for (const byte of sessionKey) checksum = (checksum + byte) & 0xffff;
  const unpadded = Buffer.concat([
    Buffer.from([SYMMETRIC_AES256]),
    sessionKey,
    Buffer.from([checksum >> 8, checksum & 0xff]),
  ]);
  // PKCS#5 padding to the key wrap's 8-octet blocks (RFC 6637 section 8).
  const padding = 8 - (unpadded.length % 8);
  const wrapper = createCipheriv(recipient.keyWrap.cipher, kek, KEY_WRAP_IV);
  const wrapped = Buffer.concat([
    wrapper.update(Buffer.concat([unpadded, Buffer.alloc(padding, padding)])),
    wrapper.final(),
  ]);
  const ephemeralPublic = Buffer.from(
    ephemeral.publicKey.export({ format: 'jwk' }).x ?? '',
    'base64url',
  );
  const body = Buffer.concat([
    Buffer.from([3]),
    recipient.keyId,
    Buffer.from([PUBLIC_KEY_ALGORITHM_ECDH]),
    mpi(Buffer.concat([Buffer.from([0x40]), ephemeralPublic])),
    Buffer.from([wrapped.length]),
    wrapped,
  ]);
  return Buffer.concat([packetHeader(PacketTag.publicKeyEncryptedSessionKey, body.length), body]);
}
