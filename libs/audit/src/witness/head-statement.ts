import * as openpgp from 'openpgp';
import { canonicalJson, judgeSignature, type SignerKeys } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';

/*
 * Peers witness each other's audit trail (issue 14, item 7). At an interval each node signs the
 * head of its hash chain — its position and hash — and sends the statement to its peers, which
 * keep it. A node that later rewrites its past (and re-computes the chain so that `audit verify`
 * passes) no longer has, at that position, the hash its peers hold under its own signature: the
 * role a timestamping authority plays for X-Road, played by the other nodes.
 */

/** What a node signs about its own audit chain. */
export interface AuditHeadStatement {
  type: 'audit-head';
  formatVersion: 1;
  /** The node's authority (its primary one on a hub): the signer. */
  authority: string;
  /** Position of the head in the chain (audit_log.seq), a decimal string. */
  seq: string;
  /** The hash of the entry at that position. */
  headHash: string;
  signedAt: string;
}

/** A statement is a few hundred bytes of JSON and one signature: anything longer is refused unread. */
export const MAX_HEAD_STATEMENT_BYTES = 8 * 1024;

const SEQ = /^[1-9][0-9]{0,18}$/;
const HASH = /^[0-9a-f]{64}$/;
const CLEARTEXT_HEADER = '-----BEGIN PGP SIGNED MESSAGE-----';

/** A cleartext-signed statement: readable as is, verifiable with `gpg --verify`. */
export async function signHeadStatement(
  statement: AuditHeadStatement,
  key: openpgp.PrivateKey,
): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text: canonicalJson(statement) });
  return openpgp.sign({
    message,
    signingKeys: key,
    format: 'armored',
    date: new Date(statement.signedAt),
  });
}

export interface VerifiedHeadStatement {
  statement: AuditHeadStatement;
  /** The signer's key that made the signature, valid when it signed. */
  signerFingerprint: string;
}

/**
 * Reads a statement: its size before anything else, then exactly one valid signature by one of
 * `signer`'s directory keys (made while that key could sign), then its fields. Each failure is a
 * GatewayError with the codes envelopes use.
 */
export async function verifyHeadStatement(
  armored: string,
  signer: SignerKeys,
  /** The latest signing time accepted: now plus the tolerated clock skew. */
  latest: Date = new Date(),
): Promise<VerifiedHeadStatement> {
  if (Buffer.byteLength(armored) > MAX_HEAD_STATEMENT_BYTES) {
    throw new GatewayError(
      ErrorCode.ENVELOPE_TOO_LARGE,
      `an audit head statement is at most ${MAX_HEAD_STATEMENT_BYTES} bytes`,
    );
  }
  if (!armored.trimStart().startsWith(CLEARTEXT_HEADER)) {
    throw new GatewayError(ErrorCode.ENVELOPE_MALFORMED, 'not a cleartext-signed OpenPGP document');
  }
  let data: string;
  let signatures: Awaited<ReturnType<typeof openpgp.verify>>['signatures'];
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: armored });
    ({ data, signatures } = await openpgp.verify({
      message,
      verificationKeys: [...signer.publicKeys],
      date: latest,
    }));
  } catch {
    throw new GatewayError(ErrorCode.ENVELOPE_MALFORMED, 'not a cleartext-signed OpenPGP document');
  }
  const verdict = await judgeSignature(signatures, signer);
  if (!verdict.valid) {
    throw new GatewayError(
      verdict.keyRefusal ? ErrorCode.SIGNING_KEY_NOT_VALID : ErrorCode.SIGNATURE_INVALID,
      verdict.keyRefusal ?? `not validly signed by one of ${signer.id}'s directory keys`,
    );
  }
  const statement = parseHeadStatement(data);
  if (statement.authority !== signer.id) {
    throw new GatewayError(
      ErrorCode.ROUTING_MISMATCH,
      `a statement about ${statement.authority} signed by ${signer.id}`,
      [{ field: 'authority' }],
    );
  }
  return { statement, signerFingerprint: verdict.fingerprint };
}

/** The statement's fields, each checked: unknown fields are refused as in envelopes. */
export function parseHeadStatement(text: string): AuditHeadStatement {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('the signed text is not JSON', 'statement');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('the statement must be a JSON object', 'statement');
  }
  const fields = value as Record<string, unknown>;
  const known = ['type', 'formatVersion', 'authority', 'seq', 'headHash', 'signedAt'];
  const unknown = Object.keys(fields).find((name) => !known.includes(name));
  if (unknown) throw invalid(`unknown field ${unknown}`, unknown);
  if (fields.type !== 'audit-head') throw invalid('type must be audit-head', 'type');
  if (fields.formatVersion !== 1) throw invalid('formatVersion must be 1', 'formatVersion');
  if (typeof fields.authority !== 'string' || fields.authority.length > 200) {
    throw invalid('authority must be an authority id', 'authority');
  }
  if (typeof fields.seq !== 'string' || !SEQ.test(fields.seq)) {
    throw invalid('seq must be a positive decimal integer', 'seq');
  }
  if (typeof fields.headHash !== 'string' || !HASH.test(fields.headHash)) {
    throw invalid('headHash must be a SHA-256 hex digest', 'headHash');
  }
  if (typeof fields.signedAt !== 'string' || !Number.isFinite(Date.parse(fields.signedAt))) {
    throw invalid('signedAt must be an ISO 8601 time', 'signedAt');
  }
  return fields as unknown as AuditHeadStatement;
}

function invalid(message: string, field: string): GatewayError {
  return new GatewayError(ErrorCode.PAYLOAD_INVALID, message, [{ field }]);
}
