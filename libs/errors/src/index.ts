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
  // Data at rest: a sealed column that does not open (altered, moved, or its key not configured)
  STORED_DATA_UNREADABLE: 'STORED_DATA_UNREADABLE',
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
