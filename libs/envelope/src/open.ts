import * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import { sha256Hex } from './digest.js';
import { inspectEnvelopeStructure } from './packet-structure.js';
import { checkPayloadLimits } from './payload-limits.js';
import { AUTHORITY_ID_PATTERN, parseEnvelopePayload } from './payload-schema.js';
import type { EnvelopePayload, EnvelopeRouting } from './payload.js';
import { judgeSignature, type SignerKeys, type SignatureVerdict } from './signer.js';

const RFC3339_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

export interface OpeningPolicy {
  /** The authorities this node serves: envelopes for anyone else are refused. */
  servedAuthorities: readonly string[];
  /** This node's unlocked private keys: the current one and those still held from before a rotation. */
  decryptionKeys: readonly openpgp.PrivateKey[];
  /** An authority's directory keys and their validity, or undefined if the authority is unknown. */
  senderKeys: (authorityId: string) => SignerKeys | undefined;
  maxEnvelopeBytes: number;
  /** Bound on decompressed plaintext: openpgp.js defaults to Infinity (decompression bombs). */
  maxDecompressedBytes: number;
  /** Envelopes created longer ago than this are refused as possible replays. */
  replayWindowMs: number;
  /** Tolerated clock difference for envelopes that claim to come from the future. */
  clockSkewMs: number;
  now: Date;
}

export interface OpenedEnvelope {
  payload: EnvelopePayload;
  /** SHA-256 of the envelope bytes exactly as received: what the receipt attests. */
  envelopeSha256: string;
  signerFingerprint: string;
  /** The signature's creation time, as the signer's OpenPGP implementation recorded it. */
  signedAt: Date;
}

/** The key ids (lower-case hex) of these keys and their subkeys: whom a session key may name. */
const keyIdsOf = (keys: readonly openpgp.PrivateKey[]): Set<string> =>
  new Set(keys.flatMap((key) => key.getKeys().map((k) => k.getKeyID().toHex())));

/**
 * Opens an inbound envelope, checking in order: routing, size, sender, the OpenPGP packet
 * structure (before any private-key operation: packet-structure.ts), decryption with integrity,
 * the sender's signature (exactly one, by one of the sender's directory keys, made while the
 * directory let that key sign), payload format, inner/outer routing agreement and freshness. Each
 * failure is a GatewayError with a stable code.
 */
export async function openEnvelope(
  raw: Uint8Array,
  routing: Partial<EnvelopeRouting>,
  policy: OpeningPolicy,
): Promise<OpenedEnvelope> {
  const { sender, recipient, messageId } = routing;
  if (
    !sender ||
    !recipient ||
    !messageId ||
    !AUTHORITY_ID_PATTERN.test(sender) ||
    !AUTHORITY_ID_PATTERN.test(recipient)
  ) {
    throw new GatewayError(
      ErrorCode.ENVELOPE_ROUTING_MISSING,
      'sender, recipient and message id must be given as valid routing metadata',
    );
  }
  if (raw.byteLength > policy.maxEnvelopeBytes) {
    throw new GatewayError(
      ErrorCode.ENVELOPE_TOO_LARGE,
      `envelope exceeds ${policy.maxEnvelopeBytes} bytes`,
    );
  }
  if (!policy.servedAuthorities.includes(recipient)) {
    throw new GatewayError(
      ErrorCode.WRONG_RECIPIENT,
      `this node serves ${policy.servedAuthorities.join(', ')}, not ${recipient}`,
    );
  }
  const senderKeys = policy.senderKeys(sender);
  if (!senderKeys) {
    throw new GatewayError(
      ErrorCode.UNKNOWN_SENDER,
      `sender ${sender} is not in the authority directory`,
    );
  }

  // Security S1: the packets are checked before openpgp.js parses them or touches a key.
  const packets = inspectEnvelopeStructure(raw, keyIdsOf(policy.decryptionKeys));
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: packets });
  } catch {
    throw new GatewayError(
      ErrorCode.ENVELOPE_MALFORMED,
      'the body is not an armored OpenPGP message',
    );
  }

  let plaintext: Uint8Array;
  let verdict: SignatureVerdict;
  try {
    // Not `expectSigned`: its error would not say which key signed, nor when. The whole plaintext
    // is buffered (no streaming), and it is used only once the signature below is judged valid.
    const result = await openpgp.decrypt({
      message,
      decryptionKeys: [...policy.decryptionKeys],
      verificationKeys: [...senderKeys.publicKeys],
      format: 'binary',
      // Signatures made slightly ahead of this clock are within the tolerated skew.
      date: new Date(policy.now.getTime() + policy.clockSkewMs),
      config: { maxDecompressedMessageSize: policy.maxDecompressedBytes },
    });
    plaintext = result.data as Uint8Array;
    verdict = await judgeSignature(result.signatures, senderKeys);
  } catch (error) {
    throw classifyDecryptError(error);
  }
  if (!verdict.valid) {
    if (verdict.keyRefusal) {
      throw new GatewayError(ErrorCode.SIGNING_KEY_NOT_VALID, verdict.keyRefusal);
    }
    throw new GatewayError(
      ErrorCode.SIGNATURE_INVALID,
      `the envelope is not validly signed by one of ${sender}'s directory keys`,
    );
  }

  let document: unknown;
  try {
    document = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch {
    throw new GatewayError(ErrorCode.PAYLOAD_INVALID, 'the sealed payload is not UTF-8 JSON');
  }
  // Before class-validator, which recurses and would overflow the stack on deep nesting.
  checkPayloadLimits(document);
  const payload = parseEnvelopePayload(document);

  if (
    payload.sender !== sender ||
    payload.recipient !== recipient ||
    payload.messageId !== messageId
  ) {
    throw new GatewayError(
      ErrorCode.ROUTING_MISMATCH,
      'routing metadata does not match the sealed payload',
    );
  }
  const created = Date.parse(payload.createdAt);
  // The schema's ISO 8601 also admits week dates, bare years, basic formats: Date.parse reads some
  // of them as NaN, which would pass both freshness checks below, and PostgreSQL others not at all.
  if (!RFC3339_DATE_TIME.test(payload.createdAt) || !Number.isFinite(created)) {
    throw new GatewayError(
      ErrorCode.PAYLOAD_INVALID,
      'the sealed createdAt is not an RFC 3339 date and time',
      [{ field: 'createdAt' }],
    );
  }
  const age = policy.now.getTime() - created;
  if (age > policy.replayWindowMs) {
    throw new GatewayError(
      ErrorCode.ENVELOPE_EXPIRED,
      `envelope created ${payload.createdAt} is older than the replay window`,
    );
  }
  if (-age > policy.clockSkewMs) {
    throw new GatewayError(
      ErrorCode.ENVELOPE_FROM_FUTURE,
      `envelope created ${payload.createdAt} is ahead of this node's clock beyond the tolerated skew`,
    );
  }

  return {
    payload,
    envelopeSha256: sha256Hex(raw),
    signerFingerprint: verdict.fingerprint,
    signedAt: verdict.signedAt,
  };
}

function classifyDecryptError(error: unknown): GatewayError {
  const text = error instanceof Error ? error.message : String(error);
  if (/decompressed message size/i.test(text)) {
    return new GatewayError(
      ErrorCode.ENVELOPE_TOO_LARGE,
      'decompressed payload exceeds the configured limit',
    );
  }
  return new GatewayError(
    ErrorCode.ENVELOPE_DECRYPTION_FAILED,
    "the envelope could not be decrypted and integrity-checked with this node's key",
  );
}
