import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { AUTHORITY_ID_PATTERN, PROCEDURES, type Procedure } from '#libs/envelope';
import type { MessageDraft } from '#libs/messaging';

export class HandlingConditionsDto {
  @ApiProperty({ description: 'Purpose the content may be used for (speciality, UNTOC 18(19))' })
  @IsString()
  @MaxLength(500)
  permittedPurpose!: string;

  @ApiProperty({
    description: 'Keep the fact and substance of the request confidential (UNTOC 18(20))',
  })
  @IsBoolean()
  confidential!: boolean;

  @ApiProperty({
    type: [String],
    description: 'ISO 3166-1 alpha-2 codes of States the content must never be passed to',
  })
  @IsArray()
  @ArrayMaxSize(250)
  @IsISO31661Alpha2({ each: true })
  noOnwardTransferTo!: string[];
}

export class AttachmentDigestDto {
  @ApiProperty() @IsString() @MaxLength(255) name!: string;
  @ApiProperty() @IsString() @MaxLength(127) mediaType!: string;
  @ApiProperty() @IsInt() @Min(0) size!: number;
  @ApiProperty({ description: 'SHA-256 of the attachment, lower-case hex' })
  @Matches(/^[0-9a-f]{64}$/)
  sha256!: string;
}

export class SubmitMessageDto implements MessageDraft {
  @ApiProperty({ example: 'NG-MOJ-CA', description: 'Recipient authority id from the directory' })
  @Matches(AUTHORITY_ID_PATTERN)
  recipient!: string;

  @ApiProperty({ enum: PROCEDURES })
  @IsIn(PROCEDURES)
  procedure!: Procedure;

  @ApiProperty({ example: 'request' })
  @Matches(/^[a-z][a-z0-9-]{1,63}$/)
  messageType!: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) caseReference?: string;
  @ApiPropertyOptional({ description: 'Message id this one answers' })
  @IsOptional()
  @IsUUID('7')
  inReplyTo?: string;

  @ApiProperty({ type: HandlingConditionsDto })
  @ValidateNested()
  @Type(() => HandlingConditionsDto)
  handling!: HandlingConditionsDto;

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  body!: Record<string, unknown>;

  @ApiPropertyOptional({ type: [AttachmentDigestDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDigestDto)
  attachments?: AttachmentDigestDto[];
}
