import { ErrorCode, GatewayError } from '#libs/errors';
import { canonicalDigest } from './digest.js';
import type { PolicyDecision } from './decision.js';
import { stateCode } from './persons.js';

/*
 * The seal authorisation. Only the engine mints it: the class cannot be constructed without a
 * module-private key, and a token counts only if this module's registry holds it (a copy, a plain
 * object or `Object.create(SealAuthorisation.prototype)` do not). It is minted only for a decision
 * the engine made (same registry idea), that is not a block and has no pending acknowledgement,
 * and only for a payload whose procedure, message type, sender, recipient and body are exactly
 * what the engine evaluated (the body after redactions) and whose handling conditions carry the
 * required "no onward transfer" States. It binds the digest of that whole payload and its recipient.
 */

/** What the engine recorded of a decision, out of the caller's reach. */
export interface DecisionRecord {
  readonly decisionId: string;
  readonly outcome: PolicyDecision['outcome'];
  readonly pending: number;
  readonly procedure: string;
  readonly messageType: string;
  readonly sender: string;
  readonly recipient: string;
  /** Canonical digest of the approved body; null for a block. */
  readonly bodyDigest: string | null;
  readonly noOnwardTransferTo: readonly string[];
  /** SHA-256 of every file attached, in order: only these files are sealed with the message. */
  readonly attachments: readonly string[];
}

const decisions = new WeakMap<object, DecisionRecord>();

/** For the engine only (not exported from the library). */
export function recordDecision(decision: PolicyDecision, record: DecisionRecord): void {
  decisions.set(decision, record);
}

/** The fields of an envelope payload the authorisation checks; the digest covers all of them. */
export interface SealablePayload {
  readonly procedure: string;
  readonly messageType: string;
  readonly sender: string;
  readonly recipient: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly handling: { readonly noOnwardTransferTo: readonly string[] };
  /** Files travel with a manifest (`fileId`); digest-only descriptions are not files. */
  readonly attachments?: readonly { readonly sha256: string; readonly fileId?: string }[];
}

/** The digest a token binds: SHA-256 of the RFC 8785 canonical payload (= envelope's digest). */
export function sealDigestOf(payload: SealablePayload): string {
  return canonicalDigest(payload);
}

const MINT: unique symbol = Symbol('policy:mint');

interface Grant {
  readonly decisionId: string;
  readonly payloadDigest: string;
  readonly recipient: string;
}

const grants = new WeakMap<SealAuthorisation, Grant>();

export class SealAuthorisation {
  readonly decisionId: string;
  readonly payloadDigest: string;
  readonly recipient: string;
  readonly issuedAt: string;

  private constructor(key: typeof MINT, grant: Grant, issuedAt: Date) {
    if (key !== MINT) throw new TypeError('only the policy engine issues seal authorisations');
    this.decisionId = grant.decisionId;
    this.payloadDigest = grant.payloadDigest;
    this.recipient = grant.recipient;
    this.issuedAt = issuedAt.toISOString();
    grants.set(this, grant);
    Object.freeze(this);
  }

  /** @internal */
  static mint(key: typeof MINT, grant: Grant, issuedAt: Date): SealAuthorisation {
    return new SealAuthorisation(key, grant, issuedAt);
  }
}

function missing(message: string): GatewayError {
  return new GatewayError(ErrorCode.POLICY_DECISION_MISSING, message);
}

/**
 * Mints the token that lets `payload` be sealed, after checking it is exactly what `decision`
 * approved. Throws POLICY_BLOCKED for a block, POLICY_ACKNOWLEDGEMENT_REQUIRED while warnings
 * wait, and POLICY_DECISION_MISSING for anything else (not an engine decision, another payload).
 */
export function authorisePayload(
  decision: PolicyDecision,
  payload: SealablePayload,
  now: Date = new Date(),
): SealAuthorisation {
  const record = decisions.get(decision);
  if (!record) throw missing('this is not a decision of the policy engine: nothing is sealed');
  if (record.outcome === 'block' || record.bodyDigest === null) {
    throw new GatewayError(ErrorCode.POLICY_BLOCKED, 'a blocked message is never sealed');
  }
  if (record.pending > 0) {
    throw new GatewayError(
      ErrorCode.POLICY_ACKNOWLEDGEMENT_REQUIRED,
      'warnings wait for a supervisor acknowledgement: nothing is sealed',
    );
  }
  const mismatch: string[] = [];
  if (payload.procedure !== record.procedure) mismatch.push('procedure');
  if (payload.messageType !== record.messageType) mismatch.push('messageType');
  if (payload.sender !== record.sender) mismatch.push('sender');
  if (payload.recipient !== record.recipient) mismatch.push('recipient');
  if (canonicalDigest(payload.body) !== record.bodyDigest) mismatch.push('body');
  const files = (payload.attachments ?? []).filter((a) => a.fileId !== undefined);
  if (
    files.length !== record.attachments.length ||
    files.some((file, index) => file.sha256 !== record.attachments[index])
  ) {
    mismatch.push('attachments');
  }
  const excluded = new Set(payload.handling.noOnwardTransferTo.map(stateCode));
  if (record.noOnwardTransferTo.some((state) => !excluded.has(state))) {
    mismatch.push('handling.noOnwardTransferTo');
  }
  if (mismatch.length > 0) {
    throw new GatewayError(
      ErrorCode.POLICY_DECISION_MISSING,
      `the payload is not the one the policy decided on (${mismatch.join(', ')})`,
      mismatch.map((field) => ({ field })),
    );
  }
  return SealAuthorisation.mint(
    MINT,
    {
      decisionId: record.decisionId,
      payloadDigest: sealDigestOf(payload),
      recipient: payload.recipient,
    },
    now,
  );
}

/**
 * Throws POLICY_DECISION_MISSING unless `token` was minted by the engine for exactly this payload
 * digest and recipient. The sealing function calls it before it signs anything.
 */
export function assertSealAuthorised(
  token: unknown,
  target: { readonly payloadDigest: string; readonly recipient: string },
): asserts token is SealAuthorisation {
  const grant =
    typeof token === 'object' && token !== null
      ? grants.get(token as SealAuthorisation)
      : undefined;
  if (!grant) throw missing('no policy decision authorises this seal');
  if (grant.payloadDigest !== target.payloadDigest || grant.recipient !== target.recipient) {
    throw missing('the policy decision authorises another payload or recipient');
  }
}
