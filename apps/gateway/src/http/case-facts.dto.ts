import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO31661Alpha2,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PROCEDURES, type Procedure } from '#libs/envelope';
import {
  ASYLUM_STATUSES,
  FACT_DIRECTIONS,
  PROCEEDING_KINDS,
  PROCEEDING_ROLES,
  RISK_ASSESSMENT_OUTCOMES,
  type AsylumFacts,
  type AsylumStatus,
  type CaseFacts,
  type ChildFacts,
  type ConsentFacts,
  type GuardianFacts,
  type JitActionFacts,
  type PersonFacts,
  type ProceedingFacts,
  type RiskAssessmentFacts,
} from '#libs/policy';
import { DATA_CATEGORIES } from '#libs/procedures';

/*
 * Every fact the engine reads (libs/policy facts.ts), nested ones included, with its own
 * validation: a body with a field that is not here is refused, naming the field. In a change,
 * `null` removes a field and a field left out is left as it is (README, "Case facts").
 */

const REMOVE = 'null removes it; left out, it is left as it is';
const reference = (what: string) => ({
  description: `${what} (reference). ${REMOVE}`,
  nullable: true,
});

/** A reference to the record that proves a fact: a file number, a document id. */
function Reference(): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsString()(target, key);
    MaxLength(200)(target, key);
  };
}

function OptionalBoolean(): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsBoolean()(target, key);
  };
}

function States(max = 20): PropertyDecorator {
  return (target, key) => {
    IsOptional()(target, key);
    IsArray()(target, key);
    ArrayMaxSize(max)(target, key);
    IsISO31661Alpha2({ each: true })(target, key);
  };
}

function Nested(type: () => new () => object, options: { each?: boolean; max?: number } = {}) {
  return (target: object, key: string | symbol) => {
    IsOptional()(target, key);
    if (options.each) {
      IsArray()(target, key);
      ArrayMaxSize(options.max ?? 50)(target, key);
    }
    ValidateNested({ each: options.each === true })(target, key);
    Type(type)(target, key);
  };
}

export class AsylumFactsDto implements AsylumFacts {
  @ApiProperty({ enum: ASYLUM_STATUSES })
  @IsIn(ASYLUM_STATUSES)
  status!: AsylumStatus;

  @ApiProperty({ type: [String], example: ['NG'], description: 'States the person fears (H-1)' })
  @IsArray()
  @ArrayMaxSize(20)
  @IsISO31661Alpha2({ each: true })
  shieldFrom!: string[];
}

export class RiskAssessmentFactsDto implements RiskAssessmentFacts {
  @ApiProperty() @IsBoolean() done!: boolean;
  @ApiPropertyOptional({ description: 'When it was concluded (ISO 8601 date or timestamp)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
  @ApiPropertyOptional({ enum: RISK_ASSESSMENT_OUTCOMES })
  @IsOptional()
  @IsIn(RISK_ASSESSMENT_OUTCOMES)
  outcome?: RiskAssessmentFacts['outcome'];
  @ApiPropertyOptional(reference('The assessment')) @Reference() reference?: string;
}

export class ProceedingFactsDto implements ProceedingFacts {
  @ApiProperty({ enum: PROCEEDING_KINDS })
  @IsIn(PROCEEDING_KINDS)
  kind!: ProceedingFacts['kind'];
  @ApiProperty({ enum: PROCEEDING_ROLES })
  @IsIn(PROCEEDING_ROLES)
  role!: ProceedingFacts['role'];
  @ApiPropertyOptional({ description: 'Absent or true: open' }) @OptionalBoolean() open?: boolean;
  @ApiPropertyOptional(reference('The person’s own request to be released'))
  @Reference()
  releaseRequestedByPerson?: string;
  @ApiPropertyOptional(reference('Their lawyer’s sign-off of that request'))
  @Reference()
  lawyerSignOff?: string;
}

export class ReflectionPeriodDto {
  @ApiProperty({ description: 'The date or timestamp it runs until, inclusive (ISO 8601)' })
  @IsISO8601({ strict: true })
  until!: string;
}

export class GuardianFactsDto implements GuardianFacts {
  @ApiPropertyOptional(reference('The guardian’s appointment')) @Reference() reference?: string;
  @ApiProperty() @IsBoolean() independentOfRequestingAgency!: boolean;
}

export class ChildFactsDto implements ChildFacts {
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() isChild?: boolean;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() ageUncertain?: boolean;
  @ApiPropertyOptional(reference('Best-interests determination'))
  @Reference()
  bestInterestsDetermination?: string;
  @ApiPropertyOptional({ type: GuardianFactsDto, nullable: true })
  @Nested(() => GuardianFactsDto)
  guardian?: GuardianFactsDto;
  @ApiPropertyOptional(reference('The record of the child’s views'))
  @Reference()
  viewsRecorded?: string;
  @ApiPropertyOptional(reference('The family or care assessment'))
  @Reference()
  familyAssessment?: string;
}

export class ConsentFactsDto implements ConsentFacts {
  @ApiProperty({ enum: DATA_CATEGORIES })
  @IsIn(DATA_CATEGORIES)
  category!: ConsentFacts['category'];
  @ApiProperty({ description: 'The purpose consented to, as messages state their purpose' })
  @IsString()
  @MaxLength(500)
  purpose!: string;
  @ApiProperty() @IsBoolean() given!: boolean;
  @ApiPropertyOptional() @OptionalBoolean() withdrawn?: boolean;
  @ApiPropertyOptional(reference('The consent record, as messages cite it'))
  @Reference()
  reference?: string;
}

export class JitActionFactsDto implements JitActionFacts {
  @ApiProperty() @IsString() @MaxLength(100) actionId!: string;
  @ApiProperty({ example: 'DE' }) @IsISO31661Alpha2() territoryState!: string;
  @ApiProperty({ enum: ['pending', 'approved', 'refused'] })
  @IsIn(['pending', 'approved', 'refused'])
  decision!: JitActionFacts['decision'];
}

/** What this authority knows about one person of the case. */
export class PersonFactsDto implements PersonFacts {
  @ApiPropertyOptional({
    description: 'The person’s reference in message bodies (P1): who they are',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  personKey?: string;
  @ApiPropertyOptional({
    description: 'Without a personKey: the person’s position among those a message names',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  personIndex?: number;
  @ApiPropertyOptional({ nullable: true, description: `The person the case is about. ${REMOVE}` })
  @OptionalBoolean()
  subjectOfCase?: boolean;
  @ApiPropertyOptional({ nullable: true, description: 'For the legal officer; never sent' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  label?: string;
  @ApiPropertyOptional({ type: [String], nullable: true }) @States() nationalities?: string[];
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsISO31661Alpha2()
  countryOfOrigin?: string;
  @ApiPropertyOptional({
    nullable: true,
    description: 'YYYY, YYYY-MM or YYYY-MM-DD; a date that cannot be read may be a child’s (H-5)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  dateOfBirth?: string;
  @ApiPropertyOptional({ type: AsylumFactsDto, nullable: true })
  @Nested(() => AsylumFactsDto)
  asylum?: AsylumFactsDto;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() nonRefoulementRiskOpen?: boolean;
  @ApiPropertyOptional({ type: RiskAssessmentFactsDto, nullable: true })
  @Nested(() => RiskAssessmentFactsDto)
  riskAssessment?: RiskAssessmentFactsDto;
  @ApiPropertyOptional({ type: [ProceedingFactsDto], nullable: true })
  @Nested(() => ProceedingFactsDto, { each: true })
  openProceedings?: ProceedingFactsDto[];
  @ApiPropertyOptional({ type: ReflectionPeriodDto, nullable: true })
  @Nested(() => ReflectionPeriodDto)
  reflectionPeriod?: ReflectionPeriodDto;
  @ApiPropertyOptional({ type: ChildFactsDto, nullable: true })
  @Nested(() => ChildFactsDto)
  child?: ChildFactsDto;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() victim?: boolean;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() statusOffences?: boolean;
  @ApiPropertyOptional({ type: [ConsentFactsDto], nullable: true })
  @Nested(() => ConsentFactsDto, { each: true })
  consents?: ConsentFactsDto[];
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() testimonyExists?: boolean;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() compensationClaimOpen?: boolean;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() returnVoluntary?: boolean;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() identityPseudonymised?: boolean;
  @ApiPropertyOptional(
    reference('Protective measures agreed for the person’s identity abroad (W-3)'),
  )
  @Reference()
  identityProtectiveMeasures?: string;
}

/** What this authority knows about the persons of a case (the shape GET answers with). */
export class CaseFactsDto implements CaseFacts {
  @ApiPropertyOptional({
    type: [PersonFactsDto],
    nullable: true,
    description: 'Matched by personKey, else personIndex: a person left out is left as they are',
  })
  @Nested(() => PersonFactsDto, { each: true, max: 200 })
  persons?: PersonFactsDto[];
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() legalBasisRecorded?: boolean;
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  agreementId?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() testimonyExists?: boolean;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() asylumFlagsInCase?: boolean;
  @ApiPropertyOptional(
    reference('The asylum authority’s sign-off for contacts with origin countries'),
  )
  @Reference()
  asylumAuthoritySignOff?: string;
  @ApiPropertyOptional({ nullable: true }) @OptionalBoolean() compensationClaimOpen?: boolean;
  @ApiPropertyOptional({ type: [JitActionFactsDto], nullable: true })
  @Nested(() => JitActionFactsDto, { each: true, max: 200 })
  jitActions?: JitActionFactsDto[];
}

/** A change of the facts (PUT or PATCH): the facts to change, and who records it under what. */
export class CaseFactsChangeDto extends CaseFactsDto {
  @ApiPropertyOptional({
    enum: PROCEDURES,
    description:
      'The procedure to record under, required when your roles record facts for several (a supervisor, the asylum authority)',
  })
  @IsOptional()
  @IsIn(PROCEDURES)
  procedure?: Procedure;

  @ApiPropertyOptional({
    description:
      'A supervisor’s written reason for relaxing facts they do not own: kept in the history and the audit trail',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  justification?: string;
}

export class FactsQueryDto {
  @ApiPropertyOptional({ enum: PROCEDURES, description: 'Only the facts of this procedure' })
  @IsOptional()
  @IsIn(PROCEDURES)
  procedure?: Procedure;
}

export class FactsHistoryChangeDto {
  @ApiProperty({ example: 'persons[key=P1].asylum.status' }) path!: string;
  @ApiProperty({ enum: [...FACT_DIRECTIONS, 'recorded'] }) direction!: string;
  @ApiPropertyOptional({ type: [String], example: ['H-1', 'H-4'] }) rules?: string[];
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional({ description: 'Only for the fields you may see' }) before?: unknown;
  @ApiPropertyOptional({ description: 'Only for the fields you may see' }) after?: unknown;
}

export class FactsHistoryEntryDto {
  @ApiProperty({ enum: PROCEDURES }) procedure!: Procedure;
  @ApiProperty() version!: number;
  @ApiProperty() recordedAt!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({ enum: [...FACT_DIRECTIONS, 'recorded'] }) direction!: string;
  @ApiProperty({ type: [FactsHistoryChangeDto] }) changes!: FactsHistoryChangeDto[];
  @ApiPropertyOptional() justification?: string;
}
