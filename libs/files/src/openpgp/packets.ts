/**
 * The few OpenPGP packets (RFC 4880, with the v4 EdDSA of RFC 4880bis that GnuPG 2.2 reads) that a
 * sealed file chunk is made of, written and read by hand so that the bulk of each chunk goes through
 * Node's native AES-CFB and SHA instead of openpgp.js (domain.md 7: openpgp.js buffers non-AEAD
 * messages whole and seals at a third of GnuPG's speed). openpgp.js still makes and opens the
 * public-key encrypted session keys.
 */

export const PacketTag = {
  publicKeyEncryptedSessionKey: 1,
  signature: 2,
  onePassSignature: 4,
  marker: 10,
  literalData: 11,
  symEncryptedIntegrityProtectedData: 18,
  modificationDetectionCode: 19,
} as const;

/** RFC 4880 9.1 and RFC 4880bis: legacy EdDSA, what v4 Ed25519 keys sign with. */
export const PUBLIC_KEY_ALGORITHM_EDDSA_LEGACY = 22;
/** RFC 4880 9.2. */
export const SYMMETRIC_AES256 = 9;
/** RFC 4880 5.2.1: a signature over binary data. */
export const SIGNATURE_TYPE_BINARY = 0x00;

/** RFC 4880 9.4, the hashes a chunk's signature may use (none weaker than 256 bits for EdDSA). */
export const SIGNATURE_HASHES: Readonly<Record<number, { node: string; bytes: number }>> = {
  8: { node: 'sha256', bytes: 32 },
  9: { node: 'sha384', bytes: 48 },
  10: { node: 'sha512', bytes: 64 },
};
export const HASH_SHA256 = 8;

/** AES-CFB block size, and the random prefix (block + 2 repeated octets) opening every SEIPD. */
export const CFB_BLOCK_BYTES = 16;
export const SEIPD_PREFIX_BYTES = CFB_BLOCK_BYTES + 2;
/** The MDC packet closing an SEIPDv1 body: 0xD3 0x14 and a SHA-1 digest. */
export const MDC_PACKET_BYTES = 22;
export const MDC_HEADER = Uint8Array.of(0xc0 | PacketTag.modificationDetectionCode, 20);

/** A new-format packet header with a definite length (RFC 4880 4.2.2). */
export function packetHeader(tag: number, length: number): Buffer {
  const first = 0xc0 | tag;
  if (length < 192) return Buffer.from([first, length]);
  if (length < 8384) {
    const rest = length - 192;
    return Buffer.from([first, (rest >> 8) + 192, rest & 0xff]);
  }
  const header = Buffer.alloc(6);
  header[0] = first;
  header[1] = 0xff;
  header.writeUInt32BE(length, 2);
  return header;
}

/** A length of a body part alone (no tag): the last part of a partial-length body. */
export function definiteLength(length: number): Buffer {
  return packetHeader(0, length).subarray(1);
}

/** The octet announcing a partial body part of 2^exponent bytes (RFC 4880 4.2.2.4). */
export function partialLengthOctet(exponent: number): number {
  return 0xe0 | exponent;
}

/** A multiprecision integer: bit count, then the octets without leading zeros (RFC 4880 3.2). */
export function mpi(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  const value = bytes.subarray(start);
  const bits = value.length === 0 ? 0 : (value.length - 1) * 8 + (32 - Math.clz32(value[0]));
  const out = Buffer.alloc(2 + value.length);
  out.writeUInt16BE(bits, 0);
  out.set(value, 2);
  return out;
}

/** A one-pass signature packet (v3), announcing the signature that follows the literal data. */
export function onePassSignaturePacket(hashAlgorithm: number, issuerKeyId: Uint8Array): Buffer {
  const body = Buffer.alloc(13);
  body[0] = 3;
  body[1] = SIGNATURE_TYPE_BINARY;
  body[2] = hashAlgorithm;
  body[3] = PUBLIC_KEY_ALGORITHM_EDDSA_LEGACY;
  body.set(issuerKeyId, 4);
  body[12] = 1;
  return Buffer.concat([packetHeader(PacketTag.onePassSignature, 13), body]);
}

/** A literal data packet's header and the fields before the data: binary, its name and date. */
export function literalDataHeader(filename: string, date: Date, dataBytes: number): Buffer {
  const name = Buffer.from(filename, 'utf8');
  if (name.length > 255) throw new RangeError('a literal data file name is at most 255 octets');
  const fields = Buffer.alloc(6 + name.length);
  fields[0] = 0x62; // 'b'
  fields[1] = name.length;
  fields.set(name, 2);
  fields.writeUInt32BE(Math.floor(date.getTime() / 1000), 2 + name.length);
  return Buffer.concat([packetHeader(PacketTag.literalData, fields.length + dataBytes), fields]);
}

/** The hashed part of a v4 signature: what follows the data in the hash, before the trailer. */
export function signatureHashedPart(
  hashAlgorithm: number,
  createdAt: Date,
  issuerFingerprint: Uint8Array,
): Buffer {
  const creation = Buffer.alloc(6);
  creation[0] = 5;
  creation[1] = 2; // signature creation time
  creation.writeUInt32BE(Math.floor(createdAt.getTime() / 1000), 2);
  const fingerprint = Buffer.alloc(2 + 1 + issuerFingerprint.length);
  fingerprint[0] = 1 + 1 + issuerFingerprint.length;
  fingerprint[1] = 33; // issuer fingerprint
  fingerprint[2] = 4;
  fingerprint.set(issuerFingerprint, 3);
  const subpackets = Buffer.concat([creation, fingerprint]);
  const head = Buffer.from([
    4,
    SIGNATURE_TYPE_BINARY,
    PUBLIC_KEY_ALGORITHM_EDDSA_LEGACY,
    hashAlgorithm,
    subpackets.length >> 8,
    subpackets.length & 0xff,
  ]);
  return Buffer.concat([head, subpackets]);
}

/** The v4 trailer hashed after the hashed part (RFC 4880 5.2.4). */
export function signatureTrailer(hashedPartLength: number): Buffer {
  const trailer = Buffer.alloc(6);
  trailer[0] = 4;
  trailer[1] = 0xff;
  trailer.writeUInt32BE(hashedPartLength, 2);
  return trailer;
}

/** The complete signature packet, once the digest is signed (EdDSA: r and s as MPIs). */
export function signaturePacket(
  hashedPart: Uint8Array,
  issuerKeyId: Uint8Array,
  digest: Uint8Array,
  ed25519Signature: Uint8Array,
): Buffer {
  const unhashed = Buffer.alloc(2 + 2 + 8);
  unhashed.writeUInt16BE(10, 0);
  unhashed[2] = 9;
  unhashed[3] = 16; // issuer key id
  unhashed.set(issuerKeyId, 4);
  const body = Buffer.concat([
    hashedPart,
    unhashed,
    digest.subarray(0, 2),
    mpi(ed25519Signature.subarray(0, 32)),
    mpi(ed25519Signature.subarray(32, 64)),
  ]);
  return Buffer.concat([packetHeader(PacketTag.signature, body.length), body]);
}

/** A signature packet as the opener reads it: what it needs to check it. */
export interface ParsedSignature {
  hashAlgorithm: number;
  /** Version, type, algorithms, hashed subpackets: hashed after the data, then the trailer. */
  hashedPart: Buffer;
  createdAt?: Date;
  issuerKeyId?: Buffer;
  issuerFingerprint?: Buffer;
  digestPrefix: Buffer;
  /** r and s, each left-padded to 32 octets: the Ed25519 signature. */
  ed25519Signature: Buffer;
}

/** Reads a v4 binary EdDSA signature packet body; undefined for anything else. */
export function parseSignature(body: Buffer): ParsedSignature | undefined {
  if (body.length < 6 || body[0] !== 4 || body[1] !== SIGNATURE_TYPE_BINARY) return undefined;
  if (body[2] !== PUBLIC_KEY_ALGORITHM_EDDSA_LEGACY) return undefined;
  const hashAlgorithm = body[3];
  const hashedLength = body.readUInt16BE(4);
  let at = 6 + hashedLength;
  if (at + 2 > body.length) return undefined;
  const hashedPart = body.subarray(0, at);
  const unhashedLength = body.readUInt16BE(at);
  at += 2;
  if (at + unhashedLength + 2 > body.length) return undefined;
  const facts: Pick<ParsedSignature, 'createdAt' | 'issuerKeyId' | 'issuerFingerprint'> = {};
  if (!readSubpackets(body.subarray(6, 6 + hashedLength), facts, true)) return undefined;
  if (!readSubpackets(body.subarray(at, at + unhashedLength), facts, false)) return undefined;
  at += unhashedLength;
  const digestPrefix = body.subarray(at, at + 2);
  at += 2;
  const r = readMpi(body, at);
  if (!r) return undefined;
  const s = readMpi(body, r.next);
  if (!s || s.next !== body.length || r.value.length > 32 || s.value.length > 32) return undefined;
  const ed25519Signature = Buffer.alloc(64);
  r.value.copy(ed25519Signature, 32 - r.value.length);
  s.value.copy(ed25519Signature, 64 - s.value.length);
  return { hashAlgorithm, hashedPart, digestPrefix, ed25519Signature, ...facts };
}

function readSubpackets(
  area: Buffer,
  facts: Pick<ParsedSignature, 'createdAt' | 'issuerKeyId' | 'issuerFingerprint'>,
  hashed: boolean,
): boolean {
  let at = 0;
  while (at < area.length) {
    let length = area[at];
    at += 1;
    if (length >= 192 && length < 255) {
      if (at >= area.length) return false;
      length = ((length - 192) << 8) + area[at] + 192;
      at += 1;
    } else if (length === 255) {
      if (at + 4 > area.length) return false;
      length = area.readUInt32BE(at);
      at += 4;
    }
    if (length === 0 || at + length > area.length) return false;
    const type = area[at] & 0x7f;
    const data = area.subarray(at + 1, at + length);
    // Only the hashed area is signed: the creation time counts only there.
    if (type === 2 && hashed && data.length === 4) {
      facts.createdAt = new Date(data.readUInt32BE(0) * 1000);
    } else if (type === 16 && data.length === 8) {
      facts.issuerKeyId ??= Buffer.from(data);
    } else if (type === 33 && data.length === 21 && data[0] === 4) {
      facts.issuerFingerprint ??= Buffer.from(data.subarray(1));
    } else if (area[at] & 0x80) {
      // A critical subpacket this reader does not know: the signature is not understood.
      return false;
    }
    at += length;
  }
  return true;
}

function readMpi(body: Buffer, at: number): { value: Buffer; next: number } | undefined {
  if (at + 2 > body.length) return undefined;
  const bits = body.readUInt16BE(at);
  const bytes = (bits + 7) >> 3;
  if (at + 2 + bytes > body.length) return undefined;
  return { value: body.subarray(at + 2, at + 2 + bytes), next: at + 2 + bytes };
}
