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
import type { AnswerDraft, ForwardDraft, MessageDraft } from '#libs/messaging';
import type { MessageDeclarations } from '#libs/policy';
import { AcknowledgementDto } from './safeguards.dto.js';

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

/** What the safeguards take besides the message: supervisors' acknowledgements and the drafter's declarations. */
class SafeguardInputsDto {
  @ApiPropertyOptional({
    type: [AcknowledgementDto],
    description: 'A supervisor’s justification for each policy warning (W-...)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AcknowledgementDto)
  acknowledgements?: AcknowledgementDto[];

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'What the drafter declares for the safeguards: returnOf, targets, prosecutionOrDetentionOf, interviews, revealIdentity…',
  })
  @IsOptional()
  @IsObject()
  declarations?: MessageDeclarations;
}

export class SubmitMessageDto extends SafeguardInputsDto implements MessageDraft {
  @ApiProperty({ enum: PROCEDURES })
  @IsIn(PROCEDURES)
  procedure!: Procedure;

  @ApiProperty({
    example: 'request',
    description: 'A message type of the procedure (see the procedures reference)',
  })
  @Matches(/^[a-z][a-z0-9-]{1,63}$/)
  messageType!: string;

  @ApiPropertyOptional({
    description: 'The request this message belongs to; omitted when it opens one',
  })
  @IsOptional()
  @IsUUID('7')
  requestId?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['NG-MOJ-CA'],
    description:
      'Recipient authority ids; one, except for a JIT fan-out. Defaults to the request’s other parties.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(AUTHORITY_ID_PATTERN, { each: true })
  recipients?: string[];

  @ApiPropertyOptional({
    description: 'The case the request belongs to; required to open a request',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  caseReference?: string;

  @ApiPropertyOptional({
    example: 'en',
    description:
      'ISO 639-1 code of the language the message is written in; a request in a language the recipient does not accept raises W-12 (UNTOC 18(14))',
  })
  @IsOptional()
  @Matches(/^[a-z]{2}$/, { message: 'language must be an ISO 639-1 code such as en' })
  language?: string;

  @ApiPropertyOptional({ description: 'Message id this one answers' })
  @IsOptional()
  @IsUUID('7')
  inReplyTo?: string;

  @ApiPropertyOptional({
    type: [String],
    description: 'Deadline profiles (config/deadlines) the opening message starts',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[a-z0-9-]{2,64}$/, { each: true })
  deadlineProfiles?: string[];

  @ApiProperty({ type: HandlingConditionsDto })
  @ValidateNested()
  @Type(() => HandlingConditionsDto)
  handling!: HandlingConditionsDto;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The message body, validated against its procedure schema',
  })
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

export class AnswerRequestDto extends SafeguardInputsDto implements AnswerDraft {
  @ApiProperty({ example: 'acknowledgement' })
  @Matches(/^[a-z][a-z0-9-]{1,63}$/)
  messageType!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  @IsObject()
  body!: Record<string, unknown>;

  @ApiPropertyOptional({
    type: HandlingConditionsDto,
    description: 'Defaults to the conditions the request was opened under',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => HandlingConditionsDto)
  handling?: HandlingConditionsDto;

  @ApiPropertyOptional() @IsOptional() @IsUUID('7') inReplyTo?: string;

  @ApiPropertyOptional({ type: [AttachmentDigestDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDigestDto)
  attachments?: AttachmentDigestDto[];
}

export class WithdrawRequestDto {
  @ApiProperty({
    description: 'Why the request is withdrawn (or, for MLA, no longer required: UNTOC 18(24))',
  })
  @IsString()
  @MaxLength(2000)
  reasons!: string;
}

export class ForwardMessageDto extends SafeguardInputsDto implements ForwardDraft {
  @ApiProperty({ type: [String], example: ['IT-MOJ-DAG'] })
  @IsArray()
  @ArrayMaxSize(30)
  @Matches(AUTHORITY_ID_PATTERN, { each: true })
  recipients!: string[];

  @ApiProperty({ description: 'The case the onward transfer belongs to on this node' })
  @IsString()
  @MaxLength(100)
  caseReference!: string;

  @ApiProperty({
    description: 'The purpose the content is passed on for (speciality, UNTOC 18(19))',
  })
  @IsString()
  @MaxLength(500)
  purpose!: string;

  @ApiPropertyOptional({ description: 'The sending State’s prior consent (18(19), 18(20))' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  consentReference?: string;
}
