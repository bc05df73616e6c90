import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { ErrorCode, GatewayError, type ErrorDetail } from '#libs/errors';
import { PROCEDURES, type EnvelopePayload, type Procedure } from './payload.js';

import { AUTHORITY_ID_PATTERN } from '#libs/kernel';

export { AUTHORITY_ID_PATTERN };

class HandlingConditionsSchema {
  @IsString() @MaxLength(500) permittedPurpose!: string;
  @IsBoolean() confidential!: boolean;
  @IsArray() @ArrayMaxSize(250) @IsISO31661Alpha2({ each: true }) noOnwardTransferTo!: string[];
}

class AttachmentDigestSchema {
  @IsString() @MaxLength(255) name!: string;
  @IsString() @MaxLength(127) mediaType!: string;
  @IsInt() @Min(0) size!: number;
  @Matches(/^[0-9a-f]{64}$/) sha256!: string;
}

class EnvelopePayloadSchema {
  @IsIn([1]) formatVersion!: 1;
  @IsUUID('7') messageId!: string;
  @IsIn(PROCEDURES) procedure!: Procedure;
  @IsString() @Matches(/^[a-z][a-z0-9-]{1,63}$/) messageType!: string;
  @IsUUID('7') requestId!: string;
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[a-z0-9-]{2,64}$/, { each: true })
  deadlineProfiles!: string[];
  @Matches(AUTHORITY_ID_PATTERN) sender!: string;
  @Matches(AUTHORITY_ID_PATTERN) recipient!: string;
  @IsISO8601({ strict: true }) createdAt!: string;
  @IsOptional() @IsUUID('7') inReplyTo!: string | null;
  @IsOptional() @IsString() @MaxLength(100) caseReference!: string | null;
  @IsObject()
  @ValidateNested()
  @Type(() => HandlingConditionsSchema)
  handling!: HandlingConditionsSchema;
  @IsObject() body!: Record<string, unknown>;
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDigestSchema)
  attachments!: AttachmentDigestSchema[];
  @IsOptional() @Matches(/^[a-z]{2}$/) language?: string;
}

export function validationDetails(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...validationDetails(error.children ?? [], field)];
  });
}

/** Checks a decrypted payload against the envelope format; unknown fields are rejected. */
export function parseEnvelopePayload(document: unknown): EnvelopePayload {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new GatewayError(ErrorCode.PAYLOAD_INVALID, 'the sealed payload is not a JSON object');
  }
  const candidate = plainToInstance(EnvelopePayloadSchema, document);
  const errors = validateSync(candidate, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new GatewayError(
      ErrorCode.PAYLOAD_INVALID,
      'the sealed payload does not match envelope format version 1',
      validationDetails(errors),
    );
  }
  return document as EnvelopePayload;
}
