import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { actorOf, OutOfScopeError } from '#libs/access';
import { AnonymousRefusals, AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import type { AuthenticatedRequest } from './access/decorators.js';
import { ERROR_CODE_LOCAL } from './access/peer-budget.js';
import { clientAddressOf } from './access/rate-counters.js';
import { bodyRefusal } from './body-limits.js';
import { correlationIdOf } from './correlation.js';
import { RETRY_AFTER_SECONDS, unavailability } from './unavailable.js';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  UNKNOWN_RECIPIENT: HttpStatus.UNPROCESSABLE_ENTITY,
  PROCEDURE_NOT_ACCEPTED: HttpStatus.UNPROCESSABLE_ENTITY,
  MESSAGE_NOT_FOUND: HttpStatus.NOT_FOUND,
  REQUEST_NOT_FOUND: HttpStatus.NOT_FOUND,
  INVALID_STATUS_TRANSITION: HttpStatus.CONFLICT,
  PROCEDURE_TRANSITION_REFUSED: HttpStatus.CONFLICT,
  RECIPIENT_KEY_UNAVAILABLE: HttpStatus.UNPROCESSABLE_ENTITY,
  DEADLINE_EXTENSION_REFUSED: HttpStatus.CONFLICT,
  ENVELOPE_ROUTING_MISSING: HttpStatus.BAD_REQUEST,
  ENVELOPE_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  ENVELOPE_MALFORMED: HttpStatus.BAD_REQUEST,
  ENVELOPE_STRUCTURE_INVALID: HttpStatus.BAD_REQUEST,
  UNKNOWN_SENDER: HttpStatus.FORBIDDEN,
  // Not 421 Misdirected Request: HTTP clients (undici) resend on 421 automatically.
  WRONG_RECIPIENT: HttpStatus.UNPROCESSABLE_ENTITY,
  ENVELOPE_DECRYPTION_FAILED: HttpStatus.BAD_REQUEST,
  // Busy or over its time limit: the sender's delivery retries within its retry window.
  ENVELOPE_DECRYPTION_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  SIGNATURE_INVALID: HttpStatus.FORBIDDEN,
  SIGNING_KEY_NOT_VALID: HttpStatus.FORBIDDEN,
  PAYLOAD_INVALID: HttpStatus.UNPROCESSABLE_ENTITY,
  PAYLOAD_TOO_DEEP: HttpStatus.UNPROCESSABLE_ENTITY,
  PAYLOAD_LIMIT_EXCEEDED: HttpStatus.UNPROCESSABLE_ENTITY,
  ROUTING_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  ENVELOPE_EXPIRED: HttpStatus.UNPROCESSABLE_ENTITY,
  ENVELOPE_FROM_FUTURE: HttpStatus.UNPROCESSABLE_ENTITY,
  DUPLICATE_CONFLICT: HttpStatus.CONFLICT,
  REQUEST_MALFORMED: HttpStatus.BAD_REQUEST,
  REQUEST_HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: HttpStatus.REQUEST_TIMEOUT,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  PERMISSION_DENIED: HttpStatus.FORBIDDEN,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  USER_EXISTS: HttpStatus.CONFLICT,
  CASE_NOT_FOUND: HttpStatus.NOT_FOUND,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  RECEIPT_INVALID: HttpStatus.BAD_GATEWAY,
  CONFIGURATION_INVALID: HttpStatus.INTERNAL_SERVER_ERROR,
  KEY_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  DIRECTORY_SIGNATURE_INVALID: HttpStatus.INTERNAL_SERVER_ERROR,
  DIRECTORY_SIGNER_UNKNOWN: HttpStatus.INTERNAL_SERVER_ERROR,
  DIRECTORY_ROLLBACK: HttpStatus.INTERNAL_SERVER_ERROR,
  POLICY_BLOCKED: HttpStatus.FORBIDDEN,
  POLICY_ACKNOWLEDGEMENT_REQUIRED: HttpStatus.CONFLICT,
  POLICY_DECISION_MISSING: HttpStatus.INTERNAL_SERVER_ERROR,
  POLICY_SETTINGS_INVALID: HttpStatus.INTERNAL_SERVER_ERROR,
  REGISTER_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  REGISTER_CHECK_REFUSED: HttpStatus.FORBIDDEN,
  REGISTER_KEY_VERSION_MISMATCH: HttpStatus.CONFLICT,
  REVIEW_NOT_FOUND: HttpStatus.NOT_FOUND,
  HELD_SUBMISSION_NOT_FOUND: HttpStatus.NOT_FOUND,
  SUPERVISED_SUBMISSION_NOT_FOUND: HttpStatus.NOT_FOUND,
  SUPERVISED_SUBMISSION_DECIDED: HttpStatus.CONFLICT,
  SUPERVISOR_SIGN_OFF_REQUIRED: HttpStatus.CONFLICT,
  IDEMPOTENCY_KEY_REUSED: HttpStatus.UNPROCESSABLE_ENTITY,
  FACTS_RELAXATION_REQUIRES_OWNER: HttpStatus.FORBIDDEN,
  STORED_DATA_UNREADABLE: HttpStatus.INTERNAL_SERVER_ERROR,
  UPLOAD_NOT_FOUND: HttpStatus.NOT_FOUND,
  UPLOAD_EXPIRED: HttpStatus.GONE,
  UPLOAD_INCOMPLETE: HttpStatus.CONFLICT,
  UPLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UPLOAD_METADATA_INVALID: HttpStatus.BAD_REQUEST,
  UPLOAD_OFFSET_CONFLICT: HttpStatus.CONFLICT,
  UPLOAD_PROTOCOL_ERROR: HttpStatus.BAD_REQUEST,
  UPLOAD_NOT_ATTACHABLE: HttpStatus.CONFLICT,
  QUOTA_EXCEEDED: HttpStatus.PAYLOAD_TOO_LARGE,
  STORAGE_FULL: HttpStatus.INSUFFICIENT_STORAGE,
  RANGE_NOT_SATISFIABLE: HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
  MANIFEST_INVALID: HttpStatus.UNPROCESSABLE_ENTITY,
  CHUNK_DIGEST_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  CHUNK_SIGNATURE_INVALID: HttpStatus.FORBIDDEN,
  CHUNK_OUT_OF_ORDER: HttpStatus.CONFLICT,
  CHUNK_MALFORMED: HttpStatus.BAD_REQUEST,
  CHUNK_DECRYPTION_FAILED: HttpStatus.BAD_REQUEST,
  FILE_DIGEST_MISMATCH: HttpStatus.UNPROCESSABLE_ENTITY,
  CHUNK_REPLAYED: HttpStatus.CONFLICT,
  CHUNK_MESSAGE_UNKNOWN: HttpStatus.NOT_FOUND,
  ATTACHMENT_NOT_FOUND: HttpStatus.NOT_FOUND,
  ATTACHMENT_INCOMPLETE: HttpStatus.CONFLICT,
  DATABASE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  DATABASE_READ_ONLY: HttpStatus.SERVICE_UNAVAILABLE,
  QUEUE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  DELIVERY_ALREADY_DELIVERED: HttpStatus.CONFLICT,
  DELIVERY_RETRY_TOO_LATE: HttpStatus.CONFLICT,
  BODY_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  BODY_TOO_DEEP: HttpStatus.UNPROCESSABLE_ENTITY,
  BODY_MALFORMED: HttpStatus.BAD_REQUEST,
  SEPARATION_OF_DUTIES: HttpStatus.FORBIDDEN,
  ROLE_GRANT_NOT_FOUND: HttpStatus.NOT_FOUND,
  API_KEY_NOT_FOUND: HttpStatus.NOT_FOUND,
  PEER_CERTIFICATE_REQUIRED: HttpStatus.FORBIDDEN,
  PEER_CERTIFICATE_MISMATCH: HttpStatus.FORBIDDEN,
  CSRF_TOKEN_INVALID: HttpStatus.FORBIDDEN,
  STATISTICS_QUERY_INVALID: HttpStatus.BAD_REQUEST,
  CONTENT_ERASED: HttpStatus.GONE,
  LEGAL_HOLD_NOT_FOUND: HttpStatus.NOT_FOUND,
  // Found by `audit verify --witnesses`, never answered over HTTP.
  AUDIT_WITNESS_MISMATCH: HttpStatus.CONFLICT,
  // Backup and restore are CLI commands, never answered over HTTP; statuses for completeness.
  RESTORE_TARGET_NOT_EMPTY: HttpStatus.CONFLICT,
  BACKUP_KEY_MISMATCH: HttpStatus.FORBIDDEN,
  BACKUP_INVALID: HttpStatus.UNPROCESSABLE_ENTITY,
  BACKUP_TOOL_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

const ACCESS_REFUSALS: ReadonlySet<string> = new Set([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.PERMISSION_DENIED,
  ErrorCode.SEPARATION_OF_DUTIES,
  ErrorCode.CSRF_TOKEN_INVALID,
]);

/**
 * "Not found" answers an authenticated caller may get for an object of another authority too
 * (OutOfScopeError). A miss is recorded like a refusal, with the same work in the response path,
 * so that "not yours" takes no longer to answer than "does not exist" (S4).
 */
const NOT_FOUND_ANSWERS: ReadonlySet<string> = new Set([
  ErrorCode.MESSAGE_NOT_FOUND,
  ErrorCode.REQUEST_NOT_FOUND,
  ErrorCode.CASE_NOT_FOUND,
  ErrorCode.REVIEW_NOT_FOUND,
  ErrorCode.HELD_SUBMISSION_NOT_FOUND,
  ErrorCode.SUPERVISED_SUBMISSION_NOT_FOUND,
  ErrorCode.ROLE_GRANT_NOT_FOUND,
  ErrorCode.API_KEY_NOT_FOUND,
]);

export interface ErrorResponse {
  error: { code: string; message: string; details: unknown[] };
  correlationId: string;
}

/**
 * One error format for every endpoint: a stable code, a message, the fields or rules at fault,
 * and the correlation id to quote to an operator. Internal faults say nothing about internals.
 */
@Catch()
export class GatewayErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');
  private readonly redisPort: number;

  constructor(
    private readonly audit: AuditTrail,
    @Inject(NODE_CONFIG) config: NodeConfig,
    private readonly anonymousRefusals: AnonymousRefusals,
  ) {
    this.redisPort = Number(new URL(config.redis.url).port || 6379);
  }

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<AuthenticatedRequest>();
    const correlationId = correlationIdOf(request);
    const unavailable = unavailability(exception, this.redisPort);
    if (unavailable) {
      this.logger.warn(
        {
          correlationId,
          code: unavailable.code,
          err: exception instanceof Error ? exception.message : String(exception),
        },
        'request refused: infrastructure unavailable',
      );
    }
    const { status, body } = this.describe(unavailable ?? exception);
    if (
      exception instanceof OutOfScopeError ||
      (exception instanceof GatewayError && ACCESS_REFUSALS.has(exception.code))
    ) {
      await this.recordRefusal('access.denied', exception, request, correlationId);
    } else if (
      exception instanceof GatewayError &&
      request.principal &&
      NOT_FOUND_ANSWERS.has(exception.code)
    ) {
      await this.recordRefusal('access.not-found', exception, request, correlationId);
    }
    if (status >= 500 && !unavailable) {
      this.logger.error(
        { correlationId, err: exception instanceof Error ? exception.message : String(exception) },
        'request failed',
      );
    }
    const retryAfter = RETRY_AFTER_SECONDS[body.code as ErrorCode];
    if (status === 503 && retryAfter !== undefined)
      response.setHeader('Retry-After', String(retryAfter));
    // Read by the peer budget once the answer is out (verified or not).
    response.locals[ERROR_CODE_LOCAL] = body.code;
    // Explicitly JSON: a handler's own content type (the receipt's text/plain) must not leak onto errors.
    response
      .status(status)
      .type('application/json')
      .json({ error: body, correlationId } satisfies ErrorResponse);
  }

  /**
   * Every refusal of access is audited, whether the guard or a use-case made it (an object outside
   * the caller's scope, answered as not found; an acknowledgement by a non-supervisor): who, what,
   * and the rule at fault.
   */
  private async recordRefusal(
    event: 'access.denied' | 'access.not-found',
    error: GatewayError,
    request: AuthenticatedRequest,
    correlationId: string,
  ): Promise<void> {
    const route = (request.route as { path?: string } | undefined)?.path;
    const record = {
      event,
      actor: request.principal ? actorOf(request.principal) : 'anonymous',
      correlationId,
      details: {
        code: error.code,
        reason:
          error instanceof OutOfScopeError
            ? `outside the caller's scope: ${error.message}`
            : error.message,
        method: request.method,
        path: route ?? request.path,
        ...(error.details[0] ?? {}),
      },
    };
    // Anonymous refusals are aggregated per address and code (S7); an actor's are kept one by one.
    const recorded = request.principal
      ? this.audit.record(record)
      : this.anonymousRefusals.record(
          { ...record, details: { ...record.details, remoteAddress: clientAddressOf(request) } },
          clientAddressOf(request),
          error.code,
        );
    await recorded.catch((failure: Error) =>
      this.logger.error({ correlationId, err: failure.message }, 'access refusal not audited'),
    );
  }

  private describe(exception: unknown): { status: number; body: ErrorResponse['error'] } {
    if (exception instanceof GatewayError) {
      return {
        status: STATUS[exception.code],
        body: { code: exception.code, message: exception.message, details: exception.details },
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Unknown routes and Nest's own refusals surface here.
      const code =
        status === 413
          ? ErrorCode.BODY_TOO_LARGE
          : status === 404
            ? 'NOT_FOUND'
            : status < 500
              ? ErrorCode.VALIDATION_FAILED
              : 'INTERNAL_ERROR';
      return { status, body: { code, message: exception.message, details: [] } };
    }
    // A body-parser failure that reached no route-specific handler.
    const refusal = bodyRefusal(exception);
    if (refusal) return this.describe(refusal);
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { code: 'INTERNAL_ERROR', message: 'internal error', details: [] },
    };
  }
}
