import type { ControlDocument } from '#libs/envelope';

/*
 * The witness protocol's HTTP binding, beside the other peer endpoints. Both carry the routing
 * headers (X-Envelope-Sender, X-Envelope-Recipient) so that a stranger is refused from them alone.
 *
 * - `POST /inbound/v1/witness`: body the cleartext-signed AuditHeadStatement (text/plain); answers
 *   `{ stored }` (false when this node already held it).
 * - `POST /inbound/v1/witness/heads`: body a WitnessQueryDocument sealed to this node
 *   (application/pgp-encrypted); answers a WitnessAnswerDocument sealed to the asker, holding the
 *   statements this node keeps about the asker, newest first. A node learns only what its peers
 *   hold about itself.
 */
export const WITNESS_PATH = '/inbound/v1/witness';
export const WITNESS_HEADS_PATH = '/inbound/v1/witness/heads';
export const WITNESS_STATEMENT_MEDIA_TYPE = 'text/plain';

/** The largest body either witness endpoint reads: a statement is under 1 KiB, a sealed query 2. */
export const MAX_WITNESS_REQUEST_BYTES = 16 * 1024;
/** A query is answered at once: an older one is not a question asked now. */
export const WITNESS_QUERY_MAX_AGE_MS = 5 * 60_000;
/** The most statements one answer holds (the newest positions): some 700 bytes each. */
export const WITNESS_ANSWER_LIMIT = 500;
export const MAX_WITNESS_ANSWER_BYTES = 1024 * 1024;

export interface WitnessQueryDocument extends ControlDocument {
  readonly type: 'audit-witness-query';
  readonly queryId: string;
}

export interface WitnessAnswerDocument extends ControlDocument {
  readonly type: 'audit-witness-heads';
  readonly queryId: string;
  /** The asker's own cleartext-signed statements, as this node received them. */
  readonly statements: readonly string[];
}
