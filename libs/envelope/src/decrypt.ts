import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as openpgp from 'openpgp';

/*
 * Decryption and signature checking of an envelope's packets, in a form that runs either in the
 * calling thread or in a worker thread (decryption-pool.ts). This file imports nothing but
 * openpgp.js and Node, so that a worker can load it on its own.
 */

/** What a signature check found, as plain data that crosses threads. */
export interface SignatureReport {
  /** Key id of the signing (sub)key, lower-case hex. */
  keyId: string;
  /** The signature's creation time, or null where it cannot be read. */
  createdAt: Date | null;
  /** Why openpgp.js refused the signature, or null if it verified. */
  failure: string | null;
}

export interface DecryptionInput {
  /** Binary OpenPGP packets, already checked by inspectEnvelopeStructure. */
  packets: Uint8Array;
  verificationKeys: readonly openpgp.PublicKey[];
  /** The instant at which signatures are judged. */
  date: Date;
  maxDecompressedBytes: number;
}

export type DecryptionOutcome =
  | { ok: true; plaintext: Uint8Array; signatures: SignatureReport[] }
  /** `read`: the packets do not parse; `decrypt`: decryption, integrity or decompression failed. */
  | { ok: false; stage: 'read' | 'decrypt'; message: string };

export type DecryptPackets = (input: DecryptionInput) => Promise<DecryptionOutcome>;

/** The signatures `openpgp.decrypt` and `openpgp.verify` report. */
export interface ReportedSignature {
  keyID: openpgp.KeyID;
  verified: Promise<true>;
  signature: Promise<openpgp.Signature>;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function reportSignatures(
  signatures: readonly ReportedSignature[],
): Promise<SignatureReport[]> {
  return Promise.all(
    signatures.map(async (signature) => {
      let failure: string | null = null;
      try {
        await signature.verified;
      } catch (error) {
        failure = messageOf(error);
      }
      const createdAt = await signature.signature.then(
        (read) => read.packets[0]?.created ?? null,
        () => null,
      );
      return { keyId: signature.keyID.toHex(), createdAt, failure };
    }),
  );
}

/**
 * Decrypts with integrity protection and checks the signatures. Nothing is streamed: the whole
 * plaintext is buffered, and the caller uses it only once the signature is judged valid.
 */
export async function decryptPackets(
  input: DecryptionInput,
  decryptionKeys: readonly openpgp.PrivateKey[],
): Promise<DecryptionOutcome> {
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: input.packets });
  } catch (error) {
    return { ok: false, stage: 'read', message: messageOf(error) };
  }
  try {
    // Not `expectSigned`: its error would not say which key signed, nor when.
    const result = await openpgp.decrypt({
      message,
      decryptionKeys: [...decryptionKeys],
      verificationKeys: [...input.verificationKeys],
      format: 'binary',
      date: input.date,
      config: { maxDecompressedMessageSize: input.maxDecompressedBytes },
    });
    return {
      ok: true,
      plaintext: result.data as Uint8Array,
      signatures: await reportSignatures(result.signatures),
    };
  } catch (error) {
    return { ok: false, stage: 'decrypt', message: messageOf(error) };
  }
}

// ---------------------------------------------------------------------------------------------
// In a worker thread (decryption-pool.ts)
// ---------------------------------------------------------------------------------------------

export const DECRYPTION_WORKER_ROLE = 'envelope-decryption';

export interface DecryptionJob {
  id: number;
  packets: Uint8Array;
  /** Armored public keys: objects do not cross threads. */
  verificationKeys: string[];
  date: Date;
  maxDecompressedBytes: number;
}

export interface DecryptionAnswer {
  id: number;
  outcome: DecryptionOutcome;
}

/** Parsed sender keys, by their armored text: the same few senders send again and again. */
const MAX_CACHED_KEYS = 256;

async function serve(armoredKeys: readonly string[]): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const decryptionKeys = await Promise.all(
    armoredKeys.map((armoredKey) => openpgp.readPrivateKey({ armoredKey })),
  );
  const publicKeys = new Map<string, openpgp.PublicKey>();
  const publicKey = async (armoredKey: string) => {
    let key = publicKeys.get(armoredKey);
    if (!key) {
      if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
      key = await openpgp.readKey({ armoredKey });
      publicKeys.set(armoredKey, key);
    }
    return key;
  };
  const run = async (job: DecryptionJob): Promise<DecryptionOutcome> => {
    try {
      const verificationKeys = await Promise.all(job.verificationKeys.map(publicKey));
      return await decryptPackets({ ...job, verificationKeys }, decryptionKeys);
    } catch (error) {
      return { ok: false, stage: 'decrypt', message: messageOf(error) };
    }
  };
  port.on('message', (job: DecryptionJob) => {
    void (async () => {
      const outcome = await run(job);
      // The plaintext in an ArrayBuffer of its own, moved to the caller rather than copied again.
      const sent = outcome.ok
        ? { ...outcome, plaintext: new Uint8Array(outcome.plaintext) }
        : outcome;
      const answer: DecryptionAnswer = { id: job.id, outcome: sent };
      port.postMessage(answer, sent.ok ? [sent.plaintext.buffer] : []);
    })();
  });
  port.postMessage('ready');
}

const data = workerData as { role?: unknown; keys?: unknown } | null;
if (!isMainThread && data?.role === DECRYPTION_WORKER_ROLE && Array.isArray(data.keys)) {
  void serve(data.keys as string[]);
}
