import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO31661Alpha2, IsOptional, Matches, MaxLength } from 'class-validator';
import { MEASURES, type Measure } from '#libs/kernel';

/** `GET /api/v1/directory/finder`: which authority of a State executes a measure. */
export class FinderQueryDto {
  @ApiProperty({ description: 'ISO 3166-1 alpha-2', example: 'FR' })
  @IsISO31661Alpha2()
  state!: string;
  @ApiProperty({ enum: MEASURES }) @IsIn(MEASURES) measure!: Measure;
  @ApiPropertyOptional({ example: 'trafficking-in-persons' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,60}$/, {
    message: 'offence must be a lower-case identifier such as trafficking-in-persons',
  })
  offence?: string;
  @ApiPropertyOptional({ maxLength: 100 }) @IsOptional() @MaxLength(100) locality?: string;
}
