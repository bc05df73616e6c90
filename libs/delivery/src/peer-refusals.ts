import { ErrorCode } from '#libs/errors';

/**
 * A peer's refusal that no retry can change: the peer judged these very envelope bytes (their
 * signature, encryption, format, routing, freshness, or the procedure step they carry) and the
 * retry sends the same bytes again. Retrying them for the whole window would only hide the fact
 * from the sender until the window closes (Novu's worker, like Domibus, separates the two).
 */
export const PERMANENT_REFUSALS: ReadonlySet<string> = new Set<string>([
  ErrorCode.ENVELOPE_ROUTING_MISSING,
  ErrorCode.ENVELOPE_TOO_LARGE,
  ErrorCode.ENVELOPE_MALFORMED,
  ErrorCode.ENVELOPE_DECRYPTION_FAILED,
  ErrorCode.SIGNATURE_INVALID,
  ErrorCode.SIGNING_KEY_NOT_VALID,
  ErrorCode.WRONG_RECIPIENT,
  ErrorCode.PAYLOAD_INVALID,
  ErrorCode.PAYLOAD_TOO_DEEP,
  ErrorCode.PAYLOAD_LIMIT_EXCEEDED,
  ErrorCode.ROUTING_MISMATCH,
  ErrorCode.ENVELOPE_EXPIRED,
  ErrorCode.DUPLICATE_CONFLICT,
  ErrorCode.PROCEDURE_TRANSITION_REFUSED,
]);

/** HTTP refusals that mean "not now": the request timed out, came too early, or was throttled. */
const TRANSIENT_CLIENT_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

export type FailureClass = 'transient' | 'permanent';

/**
 * Whether a peer's answer other than 200 is worth another attempt. Transient: no answer at all
 * (network, timeout), any 5xx (503 included), 408, 425, 429, and any other 4xx that does not name
 * a permanent refusal in the gateway's error format (a proxy's 404, a peer whose directory does not
 * list this node yet: UNKNOWN_SENDER; an envelope from its future: ENVELOPE_FROM_FUTURE, which time
 * settles). Permanent: a 4xx naming one of PERMANENT_REFUSALS.
 */
export function classifyPeerAnswer(
  status: number | undefined,
  code: string | undefined,
): FailureClass {
  if (status === undefined || status < 400 || status >= 500) return 'transient';
  if (TRANSIENT_CLIENT_STATUSES.has(status)) return 'transient';
  return code !== undefined && PERMANENT_REFUSALS.has(code) ? 'permanent' : 'transient';
}
