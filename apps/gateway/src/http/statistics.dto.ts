import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import {
  DIMENSIONS,
  INDICATORS,
  PERSON_DIMENSIONS,
  type OperationalIndicatorsAnswer,
  type PublishedBreakdown,
  type PublishedCell,
  type PublishedFrozenValue,
  type PublishedPopulation,
} from '#libs/cases';
import { PROCEDURES } from '#libs/kernel';

export class IndicatorsQueryDto {
  @ApiPropertyOptional({
    description: 'YYYY-MM-DD: from the quarter holding this day (default: three quarters back)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  from?: string;

  @ApiPropertyOptional({
    description: 'YYYY-MM-DD: up to the quarter holding this day (default: now)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  to?: string;

  @ApiPropertyOptional({ enum: PROCEDURES })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  procedure?: string;

  @ApiPropertyOptional({
    description: 'ISO 3166-1 alpha-2 counterpart State: only its cells, where published by name',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  state?: string;

  @ApiPropertyOptional({
    description: `Person breakdowns, comma-separated: some of ${PERSON_DIMENSIONS.join(', ')} (default: all)`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  by?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: as Accept: text/csv' })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class PublishedCellDto implements PublishedCell {
  @ApiProperty({
    description: 'A coded value; `other` gathers values under 5, `unknown` the unrecorded',
  })
  value!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Rounded to 5; null when suppressed (under 5, or withheld so that none can be derived)',
  })
  count!: number | null;
}

export class PublishedBreakdownDto implements PublishedBreakdown {
  @ApiProperty({ enum: DIMENSIONS }) dimension!: PublishedBreakdown['dimension'];
  @ApiProperty({ type: [PublishedCellDto] }) cells!: PublishedCellDto[];
}

export class PublishedPopulationDto implements PublishedPopulation {
  @ApiProperty({ example: '2026-Q4' }) period!: string;
  @ApiProperty({ enum: PROCEDURES }) procedure!: PublishedPopulation['procedure'];
  @ApiProperty({ enum: INDICATORS }) indicator!: PublishedPopulation['indicator'];
  @ApiProperty({ type: Number, nullable: true }) total!: number | null;
  @ApiProperty({ type: [PublishedBreakdownDto] }) breakdowns!: PublishedBreakdownDto[];
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'mla-responses: the median band (days)',
  })
  medianResponseDays?: string | null;
}

export class PublishedFrozenValueDto implements PublishedFrozenValue {
  @ApiProperty() period!: string;
  @ApiProperty({ description: 'ISO 4217' }) currency!: string;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Two significant figures; null over fewer than 5 freezes or where one dominates',
  })
  amount!: number | null;
}

export class OperationalIndicatorsDto implements OperationalIndicatorsAnswer {
  @ApiProperty() authorityId!: string;
  @ApiProperty({ description: 'YYYY-MM-DD' }) generatedAt!: string;
  @ApiProperty({ enum: ['quarter'] }) periodGranularity!: 'quarter';
  @ApiProperty({ example: 5 }) smallCellThreshold!: number;
  @ApiProperty({ example: 5 }) roundingBase!: number;
  @ApiProperty({ type: [String], example: ['2026-Q3', '2026-Q4'] }) periods!: string[];
  @ApiProperty({ type: [PublishedPopulationDto] }) populations!: PublishedPopulationDto[];
  @ApiProperty({ type: [PublishedFrozenValueDto] }) frozenValues!: PublishedFrozenValueDto[];
}
