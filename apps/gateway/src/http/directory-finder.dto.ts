import { IsIn, IsISO31661Alpha2, IsOptional, Matches, MaxLength } from 'class-validator';
import { MEASURES, type Measure } from '#libs/kernel';

/** `GET /api/v1/directory/finder`: which authority of a State executes a measure. */
export class FinderQueryDto {
  @IsISO31661Alpha2() state!: string;
  @IsIn(MEASURES) measure!: Measure;
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,60}$/, {
    message: 'offence must be a lower-case identifier such as trafficking-in-persons',
  })
  offence?: string;
  @IsOptional() @MaxLength(100) locality?: string;
}
