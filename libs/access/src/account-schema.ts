import 'reflect-metadata';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { AUTHORITY_ID_PATTERN, validationDetails } from '#libs/envelope';
import { ErrorCode, GatewayError } from '#libs/errors';
import { ROLES, type Role } from './roles.js';

export class ExternalIdentitySchema {
  @ApiProperty({ maxLength: 500 })
  @IsString()
  @MaxLength(500)
  @Matches(/^\S+$/, { message: 'issuer: no spaces' })
  issuer!: string;
  @ApiProperty({ maxLength: 255, description: "the user's sub" })
  @IsString()
  @MaxLength(255)
  @Matches(/^\S+$/, { message: 'subject: no spaces' })
  subject!: string;
}

/** An account as an administrator or the CLI creates it. */
export class NewAccountSchema {
  @ApiProperty({ pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' })
  @Matches(/^[a-z0-9][a-z0-9._-]{1,63}$/, { message: 'username: 2-64 of a-z 0-9 . _ -' })
  username!: string;
  @ApiProperty({ enum: ['person', 'service'] })
  @IsIn(['person', 'service'])
  kind!: 'person' | 'service';
  /** One of the authorities this node serves. */
  @ApiProperty({ example: 'FR-MOJ-BEPI' })
  @Matches(AUTHORITY_ID_PATTERN, { message: 'authorityId must look like FR-MOJ-BEPI' })
  authorityId!: string;
  @ApiProperty({ enum: ROLES, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @IsIn(ROLES, { each: true })
  roles!: Role[];
  /** For liaison officers: the case references of their JITs. */
  @ApiPropertyOptional({ type: [String], maxItems: 200 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  jits?: string[];
  /**
   * For a user of the identity provider: its issuer and the user's `sub`, what their tokens are
   * matched on (a display name such as preferred_username is neither unique nor stable).
   */
  @ApiPropertyOptional({ type: ExternalIdentitySchema })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ExternalIdentitySchema)
  externalIdentity?: ExternalIdentitySchema;
}

/** Validates a list of accounts (the CLI's `users import` file), every problem listed. */
export function parseNewAccounts(document: unknown): NewAccountSchema[] {
  if (!Array.isArray(document)) {
    throw new GatewayError(ErrorCode.VALIDATION_FAILED, 'expected a JSON array of accounts');
  }
  const accounts = document.map((entry) => plainToInstance(NewAccountSchema, entry as object));
  const details = accounts.flatMap((account, index) =>
    validationDetails(
      validateSync(account, { whitelist: true, forbidNonWhitelisted: true }),
      `${index}`,
    ),
  );
  if (details.length > 0) {
    throw new GatewayError(ErrorCode.VALIDATION_FAILED, 'the accounts are invalid', details);
  }
  return accounts;
}
