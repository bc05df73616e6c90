import {
  createDecipheriv,
  createHash,
  verify as verifyDigest,
  type Decipheriv,
  type Hash,
} from 'node:crypto';
import * as openpgp from 'openpgp';
import type { PrivateKey, SignerKeys } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { freeNow } from '../at-rest/record-codec.js';
import { nativeVerifyingKey } from '../openpgp/native-keys.js';
import {
  CFB_BLOCK_BYTES,
  MDC_HEADER,
  MDC_PACKET_BYTES,
  PacketTag,
  parseSignature,
  PUBLIC_KEY_ALGORITHM_EDDSA_LEGACY,
  SEIPD_PREFIX_BYTES,
  SIGNATURE_HASHES,
  SIGNATURE_TYPE_BINARY,
  signatureTrailer,
} from '../openpgp/packets.js';
import { ByteReader, packetBody, readPacketHeader } from './byte-reader.js';

export interface ChunkOpeningKeys {
  /** This node's keys (current and kept after a rotation). */
  decryptionKeys: readonly PrivateKey[];
  /** The sending authority's directory keys and when each could sign. */
  sender: SignerKeys;
}

export interface OpenedChunk {
  plaintextBytes: number;
  signerFingerprint: string;
  signedAt: Date;
}

const MAX_SESSION_KEY_PACKETS = 8;
const MAX_SESSION_KEY_PACKET_BYTES = 1024;
const MAX_SIGNATURE_BYTES = 1024;
const CIPHERS: Readonly<Record<string, string>> = {
  aes128: 'aes-128-cfb',
  aes192: 'aes-192-cfb',
  aes256: 'aes-256-cfb',
};

const malformed = (why: string) =>
  new GatewayError(ErrorCode.CHUNK_MALFORMED, `the chunk is not a sealed file chunk: ${why}`);
const undecryptable = (why: string) =>
  new GatewayError(ErrorCode.CHUNK_DECRYPTION_FAILED, `the chunk cannot be decrypted: ${why}`);
const badSignature = (why: string) =>
  new GatewayError(ErrorCode.CHUNK_SIGNATURE_INVALID, `the chunk's signature is not valid: ${why}`);

/**
 * Opens one sealed chunk as it streams in: session key (openpgp.js), SEIPDv1 decryption with
 * native AES-CFB, the literal data handed to `sink` piece by piece, then the one-pass signature
 * (by one of the sender's directory keys, made while the directory let it sign) and the MDC. The
 * sink receives unverified plaintext: it must hold it uncommitted until this resolves (the
 * FileAssembler rolls it back otherwise). Memory stays at a piece of the input, whatever the size.
 */
export async function openSealedChunk(
  input: AsyncIterable<Uint8Array>,
  keys: ChunkOpeningKeys,
  sink: (plaintext: Buffer) => Promise<void> | void,
  maxPlaintextBytes: number,
): Promise<OpenedChunk> {
  const reader = new ByteReader(input, () => malformed('it ends too early'));
  const sessionKeyPackets: Buffer[] = [];
  let header = await readPacketHeader(reader, malformed);
  while (header.tag !== PacketTag.symEncryptedIntegrityProtectedData) {
    if (header.partial || header.length > MAX_SESSION_KEY_PACKET_BYTES) {
      throw malformed('an oversized packet before the encrypted data');
    }
    const body = await reader.exactly(header.length);
    if (header.tag === PacketTag.publicKeyEncryptedSessionKey) {
      if (sessionKeyPackets.length === MAX_SESSION_KEY_PACKETS) {
        throw malformed('too many session key packets');
      }
      sessionKeyPackets.push(encodePacket(header.tag, body));
    } else if (header.tag !== PacketTag.marker) {
      throw malformed(`packet type ${header.tag} where session keys or encrypted data belong`);
    }
    header = await readPacketHeader(reader, malformed);
  }
  if (sessionKeyPackets.length === 0) throw malformed('no public-key encrypted session key');
  const { key, cipher } = await decryptSessionKey(sessionKeyPackets, keys.decryptionKeys);

  const encrypted = packetBody(reader, header, Number.MAX_SAFE_INTEGER, malformed);
  const plaintext = new DecryptedBody(encrypted, cipher, key);
  const inner = new ByteReader(plaintext.pieces(), () =>
    malformed('the encrypted data ends too early'),
  );
  await plaintext.checkPrefix(inner);
  const opened = await readSignedLiteral(inner, keys.sender, sink, maxPlaintextBytes);
  if (!(await inner.atEnd())) throw malformed('packets after the signature');
  plaintext.assertIntact();
  if (!(await reader.atEnd())) throw malformed('data after the encrypted packet');
  return opened;
}

function encodePacket(tag: number, body: Buffer): Buffer {
  const header = Buffer.from([0xc0 | tag, 0xff, 0, 0, 0, 0]);
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

async function decryptSessionKey(
  packets: Buffer[],
  decryptionKeys: readonly PrivateKey[],
): Promise<{ key: Buffer; cipher: string }> {
  let sessionKeys: Awaited<ReturnType<typeof openpgp.decryptSessionKeys>>;
  try {
    const message = await openpgp.readMessage({ binaryMessage: Buffer.concat(packets) });
    sessionKeys = await openpgp.decryptSessionKeys({
      message,
      decryptionKeys: [...decryptionKeys],
    });
  } catch {
    throw undecryptable('it is encrypted to no key this node holds');
  }
  const [sessionKey] = sessionKeys;
  const cipher = sessionKey?.algorithm ? CIPHERS[sessionKey.algorithm] : undefined;
  if (!sessionKey || !cipher) throw undecryptable('its session key is not for AES');
  return { key: Buffer.from(sessionKey.data), cipher };
}

/**
 * The SEIPDv1 body decrypted: everything but the trailing MDC packet, which is held back and
 * checked (SHA-1 over all that precedes it) once the body has been read to its end.
 */
class DecryptedBody {
  private readonly mdc: Hash = createHash('sha1');
  private held = Buffer.alloc(0);
  private finished = false;

  constructor(
    private readonly encrypted: AsyncGenerator<Buffer>,
    private readonly cipher: string,
    private readonly key: Buffer,
  ) {}

  async *pieces(): AsyncGenerator<Buffer> {
    const first = await this.encrypted.next();
    if (first.done || first.value.length === 0) throw malformed('an empty encrypted packet');
    if (first.value[0] !== 1) throw malformed(`encrypted data version ${first.value[0]}`);
    let decipher: Decipheriv;
    try {
      decipher = createDecipheriv(this.cipher, this.key, Buffer.alloc(CFB_BLOCK_BYTES));
    } catch {
      throw undecryptable('its session key does not fit its cipher');
    }
    yield* this.release(decipher.update(first.value.subarray(1)));
    for await (const piece of this.encrypted) yield* this.release(decipher.update(piece));
    this.finished = true;
  }

  /**
   * The pieces of one decrypted buffer. The last MDC_PACKET_BYTES decrypted are held back; the
   * rest is released without copying the buffer (a file's worth of copies is what the garbage
   * collector would pay for). The buffer is freed once its pieces are read: a reader asks for
   * the next piece only when it holds nothing of the last one (ByteReader), and what it keeps
   * it copies.
   */
  private *release(decrypted: Buffer): Generator<Buffer> {
    if (this.held.length + decrypted.length <= MDC_PACKET_BYTES) {
      this.held = Buffer.concat([this.held, decrypted]);
      freeNow(decrypted);
      return;
    }
    const out: Buffer[] = [];
    const keep = Math.max(0, MDC_PACKET_BYTES - decrypted.length);
    if (this.held.length > keep) out.push(this.held.subarray(0, this.held.length - keep));
    const cut = decrypted.length - (MDC_PACKET_BYTES - keep);
    if (cut > 0) out.push(decrypted.subarray(0, cut));
    this.held = Buffer.concat([
      this.held.subarray(this.held.length - keep),
      decrypted.subarray(cut),
    ]);
    for (const piece of out) this.mdc.update(piece);
    yield* out;
    freeNow(decrypted);
  }

  /** The random prefix: its last two bytes repeat the two before (a wrong key shows here). */
  async checkPrefix(inner: ByteReader): Promise<void> {
    const prefix = await inner.exactly(SEIPD_PREFIX_BYTES);
    if (prefix[16] !== prefix[14] || prefix[17] !== prefix[15]) {
      throw undecryptable('the session key does not decrypt it');
    }
  }

  assertIntact(): void {
    if (!this.finished || this.held.length !== MDC_PACKET_BYTES) {
      throw malformed('no modification detection code');
    }
    const header = this.held.subarray(0, 2);
    if (!header.equals(MDC_HEADER)) throw undecryptable('no modification detection code');
    const expected = this.mdc.update(header).digest();
    if (!expected.equals(this.held.subarray(2))) {
      throw undecryptable('its integrity check (MDC) fails: it was altered');
    }
  }
}

async function readSignedLiteral(
  inner: ByteReader,
  sender: SignerKeys,
  sink: (plaintext: Buffer) => Promise<void> | void,
  maxPlaintextBytes: number,
): Promise<OpenedChunk> {
  const ops = await readPacketHeader(inner, malformed);
  if (ops.tag !== PacketTag.onePassSignature || ops.partial || ops.length !== 13) {
    throw malformed('no one-pass signature before the data');
  }
  // Copied: it is read again after the data, whose reading frees the buffers it came in.
  const announced = Buffer.from(await inner.exactly(13));
  const hash = SIGNATURE_HASHES[announced[2]];
  if (
    announced[0] !== 3 ||
    announced[1] !== SIGNATURE_TYPE_BINARY ||
    announced[3] !== PUBLIC_KEY_ALGORITHM_EDDSA_LEGACY ||
    announced[12] !== 1 ||
    !hash
  ) {
    throw badSignature('it is not announced as an EdDSA signature over binary data');
  }
  const literal = await readPacketHeader(inner, malformed);
  if (literal.tag !== PacketTag.literalData)
    throw malformed('no literal data after the signature announcement');
  const body = new ByteReader(
    packetBody(inner, literal, maxPlaintextBytes + 6 + 255, malformed),
    () => malformed('the literal data ends too early'),
  );
  const nameLength = (await body.exactly(2))[1];
  await body.exactly(nameLength + 4);
  const signed = createHash(hash.node);
  let plaintextBytes = 0;
  for await (const piece of body.rest()) {
    plaintextBytes += piece.length;
    if (plaintextBytes > maxPlaintextBytes) {
      throw malformed(`more than the ${maxPlaintextBytes} bytes the manifest gives this chunk`);
    }
    signed.update(piece);
    await sink(piece);
  }

  const signatureHeader = await readPacketHeader(inner, malformed);
  if (
    signatureHeader.tag !== PacketTag.signature ||
    signatureHeader.partial ||
    signatureHeader.length > MAX_SIGNATURE_BYTES
  ) {
    throw badSignature('no signature packet after the data');
  }
  const signature = parseSignature(await inner.exactly(signatureHeader.length));
  if (!signature || signature.hashAlgorithm !== announced[2]) {
    throw badSignature('it is not the v4 EdDSA signature that was announced');
  }
  if (!signature.createdAt) throw badSignature('it has no signed creation time');
  const digest = signed
    .update(signature.hashedPart)
    .update(signatureTrailer(signature.hashedPart.length))
    .digest();
  const verifying = nativeVerifyingKey(sender.publicKeys, {
    keyId: signature.issuerKeyId ?? announced.subarray(4, 12),
    fingerprint: signature.issuerFingerprint,
  });
  if (!verifying) throw badSignature(`it is not made by a directory key of ${sender.id}`);
  if (
    !digest.subarray(0, 2).equals(signature.digestPrefix) ||
    !verifyDigest(null, digest, verifying.key, signature.ed25519Signature)
  ) {
    throw badSignature('the signature does not verify: the chunk was altered or forged');
  }
  const refusal = sender.signatureRefusal(verifying.fingerprint, signature.createdAt);
  if (refusal) throw badSignature(refusal);
  return {
    plaintextBytes,
    signerFingerprint: verifying.fingerprint,
    signedAt: signature.createdAt,
  };
}
