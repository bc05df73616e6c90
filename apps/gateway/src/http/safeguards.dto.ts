import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  Min,
  IsIn,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import {
  ASYLUM_STATUSES,
  type AsylumStatus,
  type CaseFacts,
  type ChildFacts,
  type PersonFacts,
} from '#libs/policy';

class NamesDto {
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  givenNames?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  familyNames?: string[];
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  aliases?: string[];
}

class DocumentDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) kind?: string;
  @ApiProperty() @IsString() @MaxLength(100) number!: string;
  @ApiProperty() @IsISO31661Alpha2() issuingState!: string;
}

/** A registration in the protected-persons register: identifiers and the States to shield from. */
export class RegisterEntryDto {
  @ApiProperty({ type: [NamesDto], description: 'Every spelling of the names on file' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => NamesDto)
  names!: NamesDto[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Dates of birth on file, in any usual format',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(20, { each: true })
  datesOfBirth?: string[];

  @ApiPropertyOptional({ type: [DocumentDto] })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => DocumentDto)
  documents?: DocumentDto[];

  @ApiProperty({
    type: [String],
    example: ['NG'],
    description: 'States the person must be shielded from (H-1)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @IsISO31661Alpha2({ each: true })
  shieldFrom!: string[];

  @ApiPropertyOptional({
    description:
      'A claim is pending (H-4 then blocks returns too). An entry alone records shielding only (H-1).',
  })
  @IsOptional()
  @IsBoolean()
  claimPending?: boolean;
}

class AsylumDto {
  @ApiProperty({ enum: ASYLUM_STATUSES }) @IsIn(ASYLUM_STATUSES) status!: AsylumStatus;
  @ApiProperty({ type: [String] })
  @IsArray()
  @IsISO31661Alpha2({ each: true })
  shieldFrom!: string[];
}

class GuardianDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) reference?: string;
  @ApiProperty() @IsBoolean() independentOfRequestingAgency!: boolean;
}

class ChildDto implements ChildFacts {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() isChild?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() ageUncertain?: boolean;
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  bestInterestsDetermination?: string;
  @ApiPropertyOptional({ type: GuardianDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => GuardianDto)
  guardian?: GuardianDto;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) viewsRecorded?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) familyAssessment?: string;
}

/**
 * What this authority knows about one person of the case. Fields beyond these (proceedings,
 * consents, risk assessment...) follow the policy's PersonFacts and are checked by the engine.
 */
class PersonFactsDto {
  @ApiPropertyOptional({
    description: 'Or the person’s position among the persons the message names',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  personIndex?: number;
  @ApiPropertyOptional({ description: 'The person’s reference in message bodies (P1)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  personKey?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() subjectOfCase?: boolean;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsISO31661Alpha2({ each: true })
  nationalities?: string[];
  @ApiPropertyOptional() @IsOptional() @IsISO31661Alpha2() countryOfOrigin?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) dateOfBirth?: string;
  @ApiPropertyOptional({ type: AsylumDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AsylumDto)
  asylum?: AsylumDto;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() nonRefoulementRiskOpen?: boolean;
  @ApiPropertyOptional({ type: ChildDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChildDto)
  child?: ChildDto;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() victim?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() statusOffences?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() testimonyExists?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() compensationClaimOpen?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() returnVoluntary?: boolean;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Individual risk assessment (H-4)',
  })
  @IsOptional()
  riskAssessment?: PersonFacts['riskAssessment'];
  @ApiPropertyOptional({
    type: 'array',
    description: 'Open proceedings and the person’s role (H-3)',
  })
  @IsOptional()
  @IsArray()
  openProceedings?: PersonFacts['openProceedings'];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Reflection and recovery period (H-4)',
  })
  @IsOptional()
  reflectionPeriod?: PersonFacts['reflectionPeriod'];
  @ApiPropertyOptional({ type: 'array', description: 'Consents, per category and purpose (H-10)' })
  @IsOptional()
  @IsArray()
  consents?: PersonFacts['consents'];
}

export class CaseFactsDto implements CaseFacts {
  @ApiPropertyOptional({ type: [PersonFactsDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => PersonFactsDto)
  persons?: PersonFactsDto[];

  @ApiPropertyOptional() @IsOptional() @IsBoolean() legalBasisRecorded?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) agreementId?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() testimonyExists?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() asylumFlagsInCase?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) asylumAuthoritySignOff?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() compensationClaimOpen?: boolean;
  @ApiPropertyOptional({ type: 'array' })
  @IsOptional()
  @IsArray()
  jitActions?: CaseFacts['jitActions'];
}

export class AcknowledgementDto {
  @ApiProperty({ example: 'W-2' }) @IsString() @MaxLength(20) ruleId!: string;
  @ApiProperty({ description: 'The supervisor’s written justification: audited, travels nowhere' })
  @IsString()
  @MaxLength(4000)
  justification!: string;
  @ApiPropertyOptional({ description: 'W-7: the asylum authority’s sign-off reference' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  asylumAuthoritySignOff?: string;
}
