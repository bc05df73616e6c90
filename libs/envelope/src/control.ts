import * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import { decryptPackets } from './decrypt.js';
import { keyIdsOf } from './open.js';
import { inspectEnvelopeStructure } from './packet-structure.js';
import { canonicalJson } from './payload.js';
import { judgeSignatureReports, type SignerKeys } from './signer.js';

/*
 * Control documents: what nodes ask each other beside case messages (a register check between the
 * nodes of one State). Signed and encrypted like envelopes, so that only the node asked reads the
 * question and only the node asking reads the answer, but never case payloads: no seal
 * authorisation, no receipt, no message record.
 */

/** Every control document names its type, both ends and when it was made. */
export interface ControlDocument {
  readonly type: string;
  readonly sender: string;
  readonly recipient: string;
  readonly createdAt: string;
}

export interface ControlSealingKeys {
  signingKey: openpgp.PrivateKey;
  recipientKey: openpgp.PublicKey;
}

/** Signs the canonical document with the sender's key and encrypts it to the recipient's key only. */
export async function sealControl(
  document: ControlDocument,
  keys: ControlSealingKeys,
): Promise<string> {
  const message = await openpgp.createMessage({
    binary: new TextEncoder().encode(canonicalJson(document)),
  });
  return openpgp.encrypt({
    message,
    signingKeys: keys.signingKey,
    encryptionKeys: keys.recipientKey,
    format: 'armored',
  });
}

export interface ControlOpeningPolicy {
  /** The document type expected. */
  type: string;
  /** The node's own authority: the document must be addressed to it. */
  recipient: string;
  decryptionKeys: readonly openpgp.PrivateKey[];
  /** The expected sender's directory keys. */
  sender: SignerKeys;
  maxBytes: number;
  /** Documents older than this, or ahead by more than the skew, are refused. */
  maxAgeMs: number;
  clockSkewMs: number;
  now: Date;
}

/**
 * Opens a control document: decryption with integrity protection, exactly one valid signature by
 * one of the sender's directory keys, the expected type, ends and freshness. Each failure is a
 * GatewayError with a stable code (the same codes as envelopes).
 */
export async function openControl<T extends ControlDocument>(
  armored: string,
  policy: ControlOpeningPolicy,
): Promise<T> {
  if (Buffer.byteLength(armored) > policy.maxBytes) {
    throw new GatewayError(
      ErrorCode.ENVELOPE_TOO_LARGE,
      `control document exceeds ${policy.maxBytes} bytes`,
    );
  }
  // As for envelopes (security S1): the packets are judged before any key is used.
  const packets = inspectEnvelopeStructure(
    Buffer.from(armored, 'utf8'),
    keyIdsOf(policy.decryptionKeys),
  );
  const outcome = await decryptPackets(
    {
      packets,
      verificationKeys: policy.sender.publicKeys,
      date: new Date(policy.now.getTime() + policy.clockSkewMs),
      maxDecompressedBytes: policy.maxBytes,
    },
    policy.decryptionKeys,
  );
  if (!outcome.ok) {
    throw new GatewayError(
      outcome.stage === 'read'
        ? ErrorCode.ENVELOPE_MALFORMED
        : ErrorCode.ENVELOPE_DECRYPTION_FAILED,
      "the document could not be decrypted and integrity-checked with this node's key",
    );
  }
  const verdict = judgeSignatureReports(outcome.signatures, policy.sender);
  if (!verdict.valid) {
    throw new GatewayError(
      verdict.keyRefusal ? ErrorCode.SIGNING_KEY_NOT_VALID : ErrorCode.SIGNATURE_INVALID,
      verdict.keyRefusal ??
        `the document is not validly signed by one of ${policy.sender.id}'s directory keys`,
    );
  }
  const plaintext = outcome.plaintext;
  let document: Partial<ControlDocument>;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext)) as T;
  } catch {
    throw new GatewayError(ErrorCode.PAYLOAD_INVALID, 'the sealed document is not UTF-8 JSON');
  }
  if (
    typeof document !== 'object' ||
    document === null ||
    document.type !== policy.type ||
    document.sender !== policy.sender.id ||
    document.recipient !== policy.recipient
  ) {
    throw new GatewayError(
      ErrorCode.ROUTING_MISMATCH,
      `expected a ${policy.type} from ${policy.sender.id} to ${policy.recipient}`,
    );
  }
  const created = Date.parse(String(document.createdAt));
  if (!Number.isFinite(created)) {
    throw new GatewayError(ErrorCode.PAYLOAD_INVALID, 'createdAt is not a date', [
      { field: 'createdAt' },
    ]);
  }
  const age = policy.now.getTime() - created;
  if (age > policy.maxAgeMs) {
    throw new GatewayError(ErrorCode.ENVELOPE_EXPIRED, 'the document is too old');
  }
  if (-age > policy.clockSkewMs) {
    throw new GatewayError(
      ErrorCode.ENVELOPE_FROM_FUTURE,
      "the document is ahead of this node's clock beyond the tolerated skew",
    );
  }
  return document as T;
}
