import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

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
