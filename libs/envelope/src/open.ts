import * as openpgp from 'openpgp';
import { ErrorCode, GatewayError } from '#libs/errors';
import { decryptPackets, type DecryptPackets } from './decrypt.js';
import { sha256Hex } from './digest.js';
import { inspectEnvelopeStructure } from './packet-structure.js';
import { checkPayloadLimits } from './payload-limits.js';
import { AUTHORITY_ID_PATTERN, parseEnvelopePayload } from './payload-schema.js';
import type { EnvelopePayload, EnvelopeRouting } from './payload.js';
import { judgeSignatureReports, type SignerKeys } from './signer.js';

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
  /**
   * Where decryption runs: a DecryptionPool's worker threads on a gateway (off its event loop),
   * or, when not given, the calling thread with `decryptionKeys`.
   */
  decrypt?: DecryptPackets;
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
export const keyIdsOf = (keys: readonly openpgp.PrivateKey[]): Set<string> =>
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
  const decrypt = policy.decrypt ?? ((input) => decryptPackets(input, policy.decryptionKeys));
  const outcome = await decrypt({
    packets,
    verificationKeys: senderKeys.publicKeys,
    // Signatures made slightly ahead of this clock are within the tolerated skew.
    date: new Date(policy.now.getTime() + policy.clockSkewMs),
    maxDecompressedBytes: policy.maxDecompressedBytes,
  });
  if (!outcome.ok) {
    if (outcome.stage === 'read') {
      throw new GatewayError(
        ErrorCode.ENVELOPE_MALFORMED,
        'the body is not an armored OpenPGP message',
      );
    }
    throw classifyDecryptError(outcome.message);
  }
  // The plaintext is used only once the signature is judged valid.
  const verdict = judgeSignatureReports(outcome.signatures, senderKeys);
  if (!verdict.valid) {
    if (verdict.keyRefusal) {
      throw new GatewayError(ErrorCode.SIGNING_KEY_NOT_VALID, verdict.keyRefusal);
    }
    throw new GatewayError(
      ErrorCode.SIGNATURE_INVALID,
      `the envelope is not validly signed by one of ${sender}'s directory keys`,
    );
  }
  const plaintext = outcome.plaintext;

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

function classifyDecryptError(text: string): GatewayError {
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
