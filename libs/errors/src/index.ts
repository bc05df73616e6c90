/**
 * Stable, documented error codes. Every rejection the gateway makes names one of these, so that
 * an operator, a peer and a legal officer read the same thing in a response, a log line and an
 * audit entry. Codes never change meaning; new situations get new codes.
 */
export const ErrorCode = {
  // Request validation (officer-facing API)
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  UNKNOWN_RECIPIENT: 'UNKNOWN_RECIPIENT',
  PROCEDURE_NOT_ACCEPTED: 'PROCEDURE_NOT_ACCEPTED',
  MESSAGE_NOT_FOUND: 'MESSAGE_NOT_FOUND',
  REQUEST_NOT_FOUND: 'REQUEST_NOT_FOUND',
  INVALID_STATUS_TRANSITION: 'INVALID_STATUS_TRANSITION',
  PROCEDURE_TRANSITION_REFUSED: 'PROCEDURE_TRANSITION_REFUSED',
  RECIPIENT_KEY_UNAVAILABLE: 'RECIPIENT_KEY_UNAVAILABLE',
  // Inbound envelopes (peer-facing endpoint)
  ENVELOPE_ROUTING_MISSING: 'ENVELOPE_ROUTING_MISSING',
  ENVELOPE_TOO_LARGE: 'ENVELOPE_TOO_LARGE',
  ENVELOPE_MALFORMED: 'ENVELOPE_MALFORMED',
  ENVELOPE_STRUCTURE_INVALID: 'ENVELOPE_STRUCTURE_INVALID',
  UNKNOWN_SENDER: 'UNKNOWN_SENDER',
  WRONG_RECIPIENT: 'WRONG_RECIPIENT',
  ENVELOPE_DECRYPTION_FAILED: 'ENVELOPE_DECRYPTION_FAILED',
  ENVELOPE_DECRYPTION_UNAVAILABLE: 'ENVELOPE_DECRYPTION_UNAVAILABLE',
  SIGNATURE_INVALID: 'SIGNATURE_INVALID',
  SIGNING_KEY_NOT_VALID: 'SIGNING_KEY_NOT_VALID',
  PAYLOAD_INVALID: 'PAYLOAD_INVALID',
  PAYLOAD_TOO_DEEP: 'PAYLOAD_TOO_DEEP',
  PAYLOAD_LIMIT_EXCEEDED: 'PAYLOAD_LIMIT_EXCEEDED',
  ROUTING_MISMATCH: 'ROUTING_MISMATCH',
  ENVELOPE_EXPIRED: 'ENVELOPE_EXPIRED',
  ENVELOPE_FROM_FUTURE: 'ENVELOPE_FROM_FUTURE',
  DUPLICATE_CONFLICT: 'DUPLICATE_CONFLICT',
  // HTTP requests refused before routing (any endpoint)
  REQUEST_MALFORMED: 'REQUEST_MALFORMED',
  REQUEST_HEADERS_TOO_LARGE: 'REQUEST_HEADERS_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  // Access control (officer-facing API)
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  RATE_LIMITED: 'RATE_LIMITED',
  USER_EXISTS: 'USER_EXISTS',
  CASE_NOT_FOUND: 'CASE_NOT_FOUND',
  /** A body in another media type than the endpoint reads (JSON): refused before it is read. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  // Receipts (sender side)
  RECEIPT_INVALID: 'RECEIPT_INVALID',
  // Configuration and keys (start-up)
  CONFIGURATION_INVALID: 'CONFIGURATION_INVALID',
  KEY_UNAVAILABLE: 'KEY_UNAVAILABLE',
  DIRECTORY_SIGNATURE_INVALID: 'DIRECTORY_SIGNATURE_INVALID',
  DIRECTORY_SIGNER_UNKNOWN: 'DIRECTORY_SIGNER_UNKNOWN',
  DIRECTORY_ROLLBACK: 'DIRECTORY_ROLLBACK',
  // Deadlines
  DEADLINE_EXTENSION_REFUSED: 'DEADLINE_EXTENSION_REFUSED',
  // Protection safeguards (policy decision point, domain.md section 4)
  POLICY_BLOCKED: 'POLICY_BLOCKED',
  POLICY_ACKNOWLEDGEMENT_REQUIRED: 'POLICY_ACKNOWLEDGEMENT_REQUIRED',
  POLICY_DECISION_MISSING: 'POLICY_DECISION_MISSING',
  POLICY_SETTINGS_INVALID: 'POLICY_SETTINGS_INVALID',
  // The national protected-persons register (domain.md 4)
  /** A register could not be consulted: messages naming persons abroad are held, never sent unchecked. */
  REGISTER_UNAVAILABLE: 'REGISTER_UNAVAILABLE',
  /** A register check from a node of another State, or for an authority this node does not serve. */
  REGISTER_CHECK_REFUSED: 'REGISTER_CHECK_REFUSED',
  /** The checking node hashed with another identifier-key version than the register holds. */
  REGISTER_KEY_VERSION_MISMATCH: 'REGISTER_KEY_VERSION_MISMATCH',
  REVIEW_NOT_FOUND: 'REVIEW_NOT_FOUND',
  HELD_SUBMISSION_NOT_FOUND: 'HELD_SUBMISSION_NOT_FOUND',
  /** No submission awaiting a supervisor with that id in your authority. */
  SUPERVISED_SUBMISSION_NOT_FOUND: 'SUPERVISED_SUBMISSION_NOT_FOUND',
  /** A submission a supervisor already acknowledged or declined (or that the policy blocked). */
  SUPERVISED_SUBMISSION_DECIDED: 'SUPERVISED_SUBMISSION_DECIDED',
  /** A caseworker's refusal of a request: kept until a supervisor signs it off (domain.md 1). */
  SUPERVISOR_SIGN_OFF_REQUIRED: 'SUPERVISOR_SIGN_OFF_REQUIRED',
  /** The same Idempotency-Key with another request body. */
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  /** A change relaxes case facts the caller does not own, without a supervisor's justification. */
  FACTS_RELAXATION_REQUIRES_OWNER: 'FACTS_RELAXATION_REQUIRES_OWNER',
  // Data at rest: a sealed column that does not open (altered, moved, or its key not configured)
  STORED_DATA_UNREADABLE: 'STORED_DATA_UNREADABLE',
  // Evidence files: uploads (tus), sealed chunks and their manifest (README, Evidence files)
  UPLOAD_NOT_FOUND: 'UPLOAD_NOT_FOUND',
  /** Not attached to a message in time: deleted by the expiry sweep. */
  UPLOAD_EXPIRED: 'UPLOAD_EXPIRED',
  /** Not every byte has arrived yet (or the upload was refused half-way). */
  UPLOAD_INCOMPLETE: 'UPLOAD_INCOMPLETE',
  /** Over the per-file limit (GATEWAY_FILES_MAX_BYTES). */
  UPLOAD_TOO_LARGE: 'UPLOAD_TOO_LARGE',
  /** Name, media type or category missing or not acceptable (Upload-Metadata). */
  UPLOAD_METADATA_INVALID: 'UPLOAD_METADATA_INVALID',
  /** A tus request at another offset than the upload's (tus: 409 Conflict). */
  UPLOAD_OFFSET_CONFLICT: 'UPLOAD_OFFSET_CONFLICT',
  /** A request the tus protocol does not allow (missing or invalid tus headers). */
  UPLOAD_PROTOCOL_ERROR: 'UPLOAD_PROTOCOL_ERROR',
  /** Attached already, held for a submission awaiting a supervisor, or not complete. */
  UPLOAD_NOT_ATTACHABLE: 'UPLOAD_NOT_ATTACHABLE',
  /** The authority's stored uploads would exceed its quota (GATEWAY_FILES_QUOTA_BYTES). */
  QUOTA_EXCEEDED: 'QUOTA_EXCEEDED',
  /** Not enough free space where files are kept (GATEWAY_FILES_DIR); nothing half-stored stays. */
  STORAGE_FULL: 'STORAGE_FULL',
  RANGE_NOT_SATISFIABLE: 'RANGE_NOT_SATISFIABLE',
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  /** A chunk whose SHA-256 is not the manifest's for its position (altered, or another file's). */
  CHUNK_DIGEST_MISMATCH: 'CHUNK_DIGEST_MISMATCH',
  /** A chunk not signed by one of the sender's directory keys, or not while it could sign. */
  CHUNK_SIGNATURE_INVALID: 'CHUNK_SIGNATURE_INVALID',
  /** A chunk given before its turn, again, or beyond the manifest's last. */
  CHUNK_OUT_OF_ORDER: 'CHUNK_OUT_OF_ORDER',
  /** Not the OpenPGP structure of a sealed chunk. */
  CHUNK_MALFORMED: 'CHUNK_MALFORMED',
  /** No key of this node opens the chunk, or its integrity check (MDC) fails. */
  CHUNK_DECRYPTION_FAILED: 'CHUNK_DECRYPTION_FAILED',
  /** Every chunk opened, but the file's SHA-256 or size is not the manifest's. */
  FILE_DIGEST_MISMATCH: 'FILE_DIGEST_MISMATCH',
  /** A chunk this node already received and verified (details: the chunk expected next). */
  CHUNK_REPLAYED: 'CHUNK_REPLAYED',
  /** A chunk for a message (or attachment) this node does not hold from that sender: refused before any cryptography. */
  CHUNK_MESSAGE_UNKNOWN: 'CHUNK_MESSAGE_UNKNOWN',
  /** No attachment at that position of a message you may see. */
  ATTACHMENT_NOT_FOUND: 'ATTACHMENT_NOT_FOUND',
  /** The attachment's chunks have not all arrived yet. */
  ATTACHMENT_INCOMPLETE: 'ATTACHMENT_INCOMPLETE',
  // Infrastructure out of reach: answered 503 with Retry-After, never 500 (README, Faults and recovery)
  /** PostgreSQL cannot be reached, is shutting down or starting, or has no connection left. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /** PostgreSQL refuses writes (a read-only transaction default, a standby). */
  DATABASE_READ_ONLY: 'DATABASE_READ_ONLY',
  /** Redis (the delivery queue, the timers) cannot be reached for something that needs it now. */
  QUEUE_UNAVAILABLE: 'QUEUE_UNAVAILABLE',
  // Request bodies of the API (every JSON body, before validation)
  BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  BODY_TOO_DEEP: 'BODY_TOO_DEEP',
  BODY_MALFORMED: 'BODY_MALFORMED',
  // Separation of duties in granting roles and in supervising submissions
  /**
   * A role grant requested or approved by the person it concerns, or approved by its requester;
   * a supervisor deciding a submission of their own.
   */
  SEPARATION_OF_DUTIES: 'SEPARATION_OF_DUTIES',
  ROLE_GRANT_NOT_FOUND: 'ROLE_GRANT_NOT_FOUND',
  /** No API key with that id among the accounts of your authority (another's is answered alike). */
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  // Transport security of the peer endpoints (mutual TLS)
  /** A peer endpoint reached without a client certificate the node's TLS CA vouches for. */
  PEER_CERTIFICATE_REQUIRED: 'PEER_CERTIFICATE_REQUIRED',
  /** The client certificate matches none of the pins of the sender's directory entry. */
  PEER_CERTIFICATE_MISMATCH: 'PEER_CERTIFICATE_MISMATCH',
  // Peers witness the audit trail (README, "Peers witness the audit trail")
  /** A peer holds this node's signed head at a position where this node's chain now has another hash, or none. */
  AUDIT_WITNESS_MISMATCH: 'AUDIT_WITNESS_MISMATCH',
  // Retention (README, Retention)
  /** The message's content was erased under a retention profile: its metadata and digests remain. */
  CONTENT_ERASED: 'CONTENT_ERASED',
  /** No legal hold in force on that case or request of your authority. */
  LEGAL_HOLD_NOT_FOUND: 'LEGAL_HOLD_NOT_FOUND',
  // Delivery operations (an administrator's "retry delivery")
  /** A retry of a message its recipient has already acknowledged with a receipt. */
  DELIVERY_ALREADY_DELIVERED: 'DELIVERY_ALREADY_DELIVERED',
  /** A retry once the envelope is older than the peers' replay window: it would be refused as a replay. */
  DELIVERY_RETRY_TOO_LATE: 'DELIVERY_RETRY_TOO_LATE',
  // The officer console's session cookie
  /** A state-changing call on a console session without the session's CSRF token in X-CSRF-Token. */
  CSRF_TOKEN_INVALID: 'CSRF_TOKEN_INVALID',
  // The monitors' operational indicators (README, Operational indicators)
  /** A period, procedure, State or breakdown the indicators do not answer for. */
  STATISTICS_QUERY_INVALID: 'STATISTICS_QUERY_INVALID',
  // Backup and restore of a node (README, "Backup and restore"): operator commands
  /** Restore into a node schema that holds anything, or over a key file with other content. */
  RESTORE_TARGET_NOT_EMPTY: 'RESTORE_TARGET_NOT_EMPTY',
  /** The backup is not encrypted to the operator key given (or that key cannot decrypt). */
  BACKUP_KEY_MISMATCH: 'BACKUP_KEY_MISMATCH',
  /** Not a node backup, altered, or made for another authority or schema. */
  BACKUP_INVALID: 'BACKUP_INVALID',
  /** pg_dump / pg_restore missing, failing, or of another major version than the server. */
  BACKUP_TOOL_UNAVAILABLE: 'BACKUP_TOOL_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Refusals a peer endpoint makes before the sender's signature has verified: the source is still
 * anonymous, whatever sender it claims (their audit entries are aggregated per source).
 */
export const PEER_REFUSALS_BEFORE_AUTHENTICATION: ReadonlySet<string> = new Set<ErrorCode>([
  ErrorCode.ENVELOPE_ROUTING_MISSING,
  ErrorCode.ENVELOPE_TOO_LARGE,
  ErrorCode.ENVELOPE_MALFORMED,
  ErrorCode.UNKNOWN_SENDER,
  ErrorCode.WRONG_RECIPIENT,
  ErrorCode.ENVELOPE_DECRYPTION_FAILED,
  ErrorCode.SIGNATURE_INVALID,
  ErrorCode.SIGNING_KEY_NOT_VALID,
  ErrorCode.REGISTER_CHECK_REFUSED,
  ErrorCode.PEER_CERTIFICATE_REQUIRED,
  ErrorCode.PEER_CERTIFICATE_MISMATCH,
  ErrorCode.CHUNK_MESSAGE_UNKNOWN,
]);

export interface ErrorDetail {
  /** The field at fault, as a JSON path (`body.summaryOfFacts`). */
  field?: string;
  /** The rule at fault (`H-1`, `UNTOC 18(15)(c)`). */
  rule?: string;
  /** Free-form, safe-to-disclose context. Never secrets, never payload content. */
  [key: string]: unknown;
}

export class GatewayError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}
