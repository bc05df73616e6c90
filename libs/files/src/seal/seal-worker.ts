/*
 * A sealing thread: turns one chunk of plaintext into the bulk of one OpenPGP message (the SEIPDv1
 * packet around a one-pass-signed literal packet), with Node's native AES-256-CFB, SHA-1 (the MDC)
 * and the signature's hash, and writes it to the chunk's file. The main thread signs the digest:
 * no private key ever reaches this thread.
 *
 * This file imports nothing but Node itself, and uses only erasable TypeScript, so that Node runs
 * it as it is (type stripping) in tests as well as compiled.
 */
import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { closeSync, fdatasyncSync, openSync, writeSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface SealTask {
  type: 'seal';
  id: number;
  outPath: string;
  /** The session key packets and the SEIPD packet's tag octet: written in the clear. */
  head: Uint8Array;
  sessionKey: Uint8Array;
  /** Random prefix, one-pass signature packet and the literal data packet's header. */
  inner: Uint8Array;
  data: Uint8Array;
  hashAlgorithm: string;
  /** The signature's hashed part and trailer, hashed after the data. */
  signatureTrailer: Uint8Array;
  durable: boolean;
}

export interface SignatureReply {
  type: 'signature';
  id: number;
  packet: Uint8Array;
}

export type SealWorkerMessage =
  | { type: 'digest'; id: number; digest: Uint8Array }
  | { type: 'sealed'; id: number; bytes: number; sha256: string }
  | { type: 'failed'; id: number; message: string; code?: string };

/** SEIPD body parts of 2^20 octets: partial lengths, since the signature's length is not known ahead. */
const PART_EXPONENT = 20;
const PART_BYTES = 1 << PART_EXPONENT;
const SLICE_BYTES = 1 << 20;

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

const signatures = new Map<number, (packet: Uint8Array) => void>();

async function seal(task: SealTask): Promise<SealWorkerMessage> {
  const fd = openSync(task.outPath, 'wx', 0o600);
  try {
    const out = new PartialBodyWriter(fd);
    out.raw(task.head);
    const cipher = createCipheriv('aes-256-cfb', task.sessionKey, Buffer.alloc(16));
    const mdc = createHash('sha1');
    const encrypt = (plain: Uint8Array) => {
      mdc.update(plain);
      out.push(cipher.update(plain));
    };
    // The SEIPD version octet is the one octet of the body in the clear.
    out.push(Uint8Array.of(1));
    encrypt(task.inner);
    const signed = createHash(task.hashAlgorithm);
    for (let at = 0; at < task.data.length; at += SLICE_BYTES) {
      const slice = task.data.subarray(at, Math.min(task.data.length, at + SLICE_BYTES));
      signed.update(slice);
      encrypt(slice);
    }
    signed.update(task.signatureTrailer);
    const packet = await new Promise<Uint8Array>((resolve) => {
      signatures.set(task.id, resolve);
      parentPort!.postMessage({ type: 'digest', id: task.id, digest: signed.digest() });
    });
    encrypt(packet);
    const mdcHeader = Uint8Array.of(0xd3, 20);
    mdc.update(mdcHeader);
    out.push(cipher.update(mdcHeader));
    out.push(cipher.update(mdc.digest()));
    out.push(cipher.final());
    out.finish();
    if (task.durable) fdatasyncSync(fd);
    return { type: 'sealed', id: task.id, bytes: out.written, sha256: out.digest.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

parentPort!.on('message', (message: SealTask | SignatureReply) => {
  if (message.type === 'signature') {
    const resolve = signatures.get(message.id);
    signatures.delete(message.id);
    resolve?.(message.packet);
    return;
  }
  seal(message).then(
    (result) => parentPort!.postMessage(result),
    (error: NodeJS.ErrnoException) =>
      parentPort!.postMessage({
        type: 'failed',
        id: message.id,
        message: error.message,
        code: error.code,
      }),
  );
});
