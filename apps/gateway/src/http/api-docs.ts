import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  type ApiResponseOptions,
} from '@nestjs/swagger';
import { ErrorCode } from '#libs/errors';
import type { ErrorResponse } from './error.filter.js';

/** One entry of `details`: the field or rule at fault; refusals may add their own keys. */
export class ErrorDetailDto {
  @ApiPropertyOptional({ example: 'body.summary' }) field?: string;
  @ApiPropertyOptional({ description: 'rule id or legal basis', example: 'UNTOC 18(15)(c)' })
  rule?: string;
  @ApiPropertyOptional() message?: string;
}

export class ErrorBodyDto {
  @ApiProperty({
    description: 'stable error code (libs/errors)',
    // NOT_FOUND and INTERNAL_ERROR: unknown routes and faults the filter does not describe.
    enum: [...Object.values(ErrorCode), 'NOT_FOUND', 'INTERNAL_ERROR'],
  })
  code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ type: [ErrorDetailDto] }) details!: ErrorDetailDto[];
}

/** The body of every refusal (GatewayErrorFilter). */
export class ErrorResponseDto implements ErrorResponse {
  @ApiProperty({ type: ErrorBodyDto }) error!: ErrorBodyDto;
  @ApiProperty({ description: 'quote it to an operator' }) correlationId!: string;
}

export type ErrorStatus =
  400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 416 | 422 | 429 | 503 | 507;

const MEANING: Record<ErrorStatus, string> = {
  400: 'The request does not match its schema (the field and rule at fault in details)',
  401: 'No valid credential',
  403: 'Refused to this caller',
  404: 'Not found, or not yours to see: both are answered alike (S4)',
  409: 'Conflicts with the current state',
  410: 'Gone',
  413: 'Over its size limit',
  415: 'Not in a media type the endpoint reads',
  416: 'The range lies outside the file',
  422: 'Well-formed, but refused',
  429: 'Too many requests: retry after Retry-After',
  503: 'Unavailable for now: retry after Retry-After',
  507: 'The node has no room left',
};

/**
 * The refusals a route can answer, by status, each with the error codes it may carry, in the
 * error filter's format: `@ApiErrors({ 400: [VALIDATION_FAILED], 404: [MESSAGE_NOT_FOUND] })`.
 */
export function ApiErrors(
  responses: Partial<Record<ErrorStatus, readonly ErrorCode[]>>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(responses).map(([status, codes]) =>
      ApiResponse({
        status: Number(status),
        type: ErrorResponseDto,
        description: `${MEANING[Number(status) as ErrorStatus]}: ${codes.join(', ')}`,
      }),
    ),
  );
}

/** Path parameters, a query or a body that the validation pipe refuses. */
export const INVALID_INPUT = [ErrorCode.VALIDATION_FAILED];

/** What sending a message (new, answer, forward, withdrawal) may be refused for. */
export const SUBMISSION_REFUSALS = {
  400: [ErrorCode.VALIDATION_FAILED],
  // PERMISSION_DENIED is listed by Requires with every officer route.
  403: [ErrorCode.POLICY_BLOCKED],
  409: [
    ErrorCode.PROCEDURE_TRANSITION_REFUSED,
    ErrorCode.POLICY_ACKNOWLEDGEMENT_REQUIRED,
    ErrorCode.SUPERVISOR_SIGN_OFF_REQUIRED,
    ErrorCode.UPLOAD_NOT_ATTACHABLE,
  ],
  413: [ErrorCode.QUOTA_EXCEEDED],
  422: [
    ErrorCode.UNKNOWN_RECIPIENT,
    ErrorCode.PROCEDURE_NOT_ACCEPTED,
    ErrorCode.RECIPIENT_KEY_UNAVAILABLE,
    ErrorCode.IDEMPOTENCY_KEY_REUSED,
  ],
} satisfies Partial<Record<ErrorStatus, ErrorCode[]>>;

/** Free-form JSON: a message body, procedure state, evidence or audit details. */
export const FREE_FORM = { type: 'object', additionalProperties: true } as const;

/** A file's bytes, whole (200) or one range (206), as serveFile answers them. */
export function ApiFileResponse(description: string): MethodDecorator {
  const content = { '*/*': { schema: { type: 'string', format: 'binary' } } };
  return applyDecorators(
    ApiResponse({ status: 200, description, content }),
    ApiResponse({ status: 206, description: `${description}: the range asked for`, content }),
  );
}

/** A 2xx answer that is one of several shapes. */
export function oneOfResponse(
  status: number,
  description: string,
  types: Type[],
): ApiResponseOptions {
  return {
    status,
    description,
    schema: { oneOf: types.map((type) => ({ $ref: getSchemaPath(type) })) },
  };
}

/** What every signed peer request may be refused for: reading, routing, signature, freshness. */
export const PEER_REFUSALS = {
  400: [
    ErrorCode.ENVELOPE_ROUTING_MISSING,
    ErrorCode.ENVELOPE_MALFORMED,
    ErrorCode.ENVELOPE_STRUCTURE_INVALID,
    ErrorCode.ENVELOPE_DECRYPTION_FAILED,
  ],
  403: [
    ErrorCode.UNKNOWN_SENDER,
    ErrorCode.SIGNATURE_INVALID,
    ErrorCode.SIGNING_KEY_NOT_VALID,
    ErrorCode.PEER_CERTIFICATE_REQUIRED,
    ErrorCode.PEER_CERTIFICATE_MISMATCH,
  ],
  413: [ErrorCode.ENVELOPE_TOO_LARGE],
  422: [
    ErrorCode.WRONG_RECIPIENT,
    ErrorCode.PAYLOAD_INVALID,
    ErrorCode.ROUTING_MISMATCH,
    ErrorCode.ENVELOPE_EXPIRED,
    ErrorCode.ENVELOPE_FROM_FUTURE,
  ],
  429: [ErrorCode.RATE_LIMITED],
} satisfies Partial<Record<ErrorStatus, ErrorCode[]>>;
