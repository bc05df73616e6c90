/*
 * A sealing thread: turns one chunk of plaintext into the bulk of one OpenPGP message (the SEIPDv1
 * packet around a one-pass-signed literal packet), with Node's native AES-256-CFB, SHA-1 (the MDC),
 * SHA-256 and Ed25519, and writes it to the chunk's file. The main thread makes the session key
 * packets (openpgp.js); the sender's signing key is passed here as a native key object.
 *
 * This file imports nothing but Node itself, and uses only erasable TypeScript, so that Node runs
 * it as it is (type stripping) in tests as well as compiled.
 */
import { createCipheriv, createHash, sign, type Hash, type KeyObject } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { RecordLayout } from '../at-rest/record-codec.js';

// Imported by URL: the TypeScript source in tests (Node strips its types), compiled JavaScript else.
const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
const codec = (await import(
  new URL(`../at-rest/record-codec.${extension}`, import.meta.url).href
)) as typeof import('../at-rest/record-codec.js');
const packets = (await import(
  new URL(`../openpgp/packets.${extension}`, import.meta.url).href
)) as typeof import('../openpgp/packets.js');

/** A file at rest this thread reads (and decrypts) by itself. */
export interface AtRestSlice {
  path: string;
  layout: RecordLayout;
  totalBytes: number;
  start: number;
  length: number;
}

export interface SealTask {
  type: 'seal';
  id: number;
  outPath: string;
  /** The session key packets and the SEIPD packet's tag octet: written in the clear. */
  head: Uint8Array;
  sessionKey: Uint8Array;
  /** Random prefix, one-pass signature packet and the literal data packet's header. */
  inner: Uint8Array;
  /** The chunk's plaintext: in memory shared with the main thread, or read here from rest. */
  data: Uint8Array | AtRestSlice;
  hashAlgorithm: string;
  /** The signature's hashed part (version, algorithms, creation time, issuer fingerprint). */
  signatureHashedPart: Uint8Array;
  signingKey: KeyObject;
  signingKeyId: Uint8Array;
}

export type SealWorkerMessage =
  | { type: 'sealed'; id: number; bytes: number; sha256: string }
  | { type: 'failed'; id: number; message: string; code?: string };

/** SEIPD body parts of 2^20 octets: partial lengths, since the signature's length is not known ahead. */
const PART_EXPONENT = 20;
const PART_BYTES = 1 << PART_EXPONENT;
/** Work is done a slice at a time: small enough to stay in the processor's cache. */
const SLICE_BYTES = 1 << 18;

/** Writes the SEIPD body as partial-length parts, hashing every octet that reaches the file. */
class PartialBodyWriter {
  readonly digest: Hash = createHash('sha256');
  written = 0;
  private readonly part = Buffer.allocUnsafe(PART_BYTES);
  private filled = 0;
  private readonly fd: number;

  constructor(fd: number) {
    this.fd = fd;
  }

  raw(bytes: Uint8Array): void {
    this.digest.update(bytes);
    this.written += writeAll(this.fd, bytes);
  }

  push(bytes: Uint8Array): void {
    let at = 0;
    while (at < bytes.length) {
      const take = Math.min(bytes.length - at, PART_BYTES - this.filled);
      this.part.set(bytes.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === PART_BYTES) {
        this.raw(Uint8Array.of(0xe0 | PART_EXPONENT));
        this.raw(this.part);
        this.filled = 0;
      }
    }
  }

  /** The last part, with a definite length (possibly zero). */
  finish(): void {
    this.raw(definiteLength(this.filled));
    this.raw(this.part.subarray(0, this.filled));
  }
}

function definiteLength(length: number): Uint8Array {
  if (length < 192) return Uint8Array.of(length);
  if (length < 8384) return Uint8Array.of(((length - 192) >> 8) + 192, (length - 192) & 0xff);
  const out = Buffer.alloc(5);
  out[0] = 0xff;
  out.writeUInt32BE(length, 1);
  return out;
}

function writeAll(fd: number, bytes: Uint8Array): number {
  let at = 0;
  while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  return bytes.length;
}

function* plaintextOf(data: Uint8Array | AtRestSlice): Generator<Uint8Array> {
  if (data instanceof Uint8Array) {
    for (let at = 0; at < data.length; at += SLICE_BYTES) {
      yield data.subarray(at, Math.min(data.length, at + SLICE_BYTES));
    }
    return;
  }
  const fd = openSync(data.path, 'r');
  try {
    const slice = Buffer.allocUnsafe(SLICE_BYTES);
    const scratch = Buffer.allocUnsafe(data.layout.recordBytes + codec.RECORD_OVERHEAD);
    for (let at = 0; at < data.length; at += SLICE_BYTES) {
      const view = slice.subarray(0, Math.min(SLICE_BYTES, data.length - at));
      codec.readPlaintextSync(fd, data.layout, data.totalBytes, data.start + at, view, scratch);
      yield view;
    }
  } finally {
    closeSync(fd);
  }
}

function seal(task: SealTask): SealWorkerMessage {
  const fd = openSync(task.outPath, 'wx', 0o600);
  try {
    const out = new PartialBodyWriter(fd);
    out.raw(task.head);
    const cipher = createCipheriv('aes-256-cfb', task.sessionKey, Buffer.alloc(16));
    const mdc = createHash('sha1');
    const encrypt = (plain: Uint8Array) => {
      mdc.update(plain);
      const encrypted = cipher.update(plain);
      out.push(encrypted);
      codec.freeNow(encrypted);
    };
    // The SEIPD version octet is the one octet of the body in the clear.
    out.push(Uint8Array.of(1));
    encrypt(task.inner);
    const signed = createHash(task.hashAlgorithm);
    for (const slice of plaintextOf(task.data)) {
      signed.update(slice);
      encrypt(slice);
    }
    const hashedPart = Buffer.from(task.signatureHashedPart);
    const digest = signed
      .update(hashedPart)
      .update(packets.signatureTrailer(hashedPart.length))
      .digest();
    encrypt(
      packets.signaturePacket(
        hashedPart,
        task.signingKeyId,
        digest,
        sign(null, digest, task.signingKey),
      ),
    );
    const mdcHeader = Uint8Array.of(0xd3, 20);
    mdc.update(mdcHeader);
    out.push(cipher.update(mdcHeader));
    out.push(cipher.update(mdc.digest()));
    out.push(cipher.final());
    out.finish();
    return { type: 'sealed', id: task.id, bytes: out.written, sha256: out.digest.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

parentPort!.on('message', (message: SealTask) => {
  let result: SealWorkerMessage;
  try {
    result = seal(message);
  } catch (error) {
    const failure = error as NodeJS.ErrnoException;
    result = { type: 'failed', id: message.id, message: failure.message, code: failure.code };
  }
  parentPort!.postMessage(result);
});
