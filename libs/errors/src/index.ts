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
  UNKNOWN_SENDER: 'UNKNOWN_SENDER',
  WRONG_RECIPIENT: 'WRONG_RECIPIENT',
  ENVELOPE_DECRYPTION_FAILED: 'ENVELOPE_DECRYPTION_FAILED',
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
  // Data at rest: a sealed column that does not open (altered, moved, or its key not configured)
  STORED_DATA_UNREADABLE: 'STORED_DATA_UNREADABLE',
  // Infrastructure out of reach: answered 503 with Retry-After, never 500 (README, Faults and recovery)
  /** PostgreSQL cannot be reached, is shutting down or starting, or has no connection left. */
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  /** PostgreSQL refuses writes (a read-only transaction default, a standby). */
  DATABASE_READ_ONLY: 'DATABASE_READ_ONLY',
  /** Redis (the delivery queue, the timers) cannot be reached for something that needs it now. */
  QUEUE_UNAVAILABLE: 'QUEUE_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

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
