import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ErrorCode } from '#libs/errors';
import {
  SuperviseSubmissions,
  type SubmissionAccepted,
  type SupervisedStatus,
  type SupervisedSubmissionDetail,
  type SupervisedSubmissionView,
} from '#libs/messaging';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { ApiErrors, INVALID_INPUT, SUBMISSION_REFUSALS } from './api-docs.js';
import { PageQuery } from './page-query.js';
import { SubmissionAcceptedDto } from './responses/messages.dto.js';
import {
  SupervisedSubmissionDetailDto,
  SupervisedSubmissionDto,
} from './responses/supervision.dto.js';
import { AcknowledgementDto } from './safeguards.dto.js';

const STATUSES: SupervisedStatus[] = ['awaiting-supervisor', 'acknowledged', 'declined', 'blocked'];

class ListSupervisedQuery extends PageQuery {
  @ApiPropertyOptional({ enum: STATUSES, description: 'every status when absent' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: SupervisedStatus;
}

class AcknowledgeSupervisedDto {
  @ApiProperty({
    type: [AcknowledgementDto],
    description: 'A written justification for every warning the submission waits for',
  })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AcknowledgementDto)
  acknowledgements!: AcknowledgementDto[];
}

class DeclineSupervisedDto {
  @ApiProperty({ description: 'Why it is not sent: the submitter reads it' })
  @IsString()
  @MaxLength(4000)
  reason!: string;
}

const uuid = new ParseUUIDPipe();
const UNKNOWN = { 404: [ErrorCode.SUPERVISED_SUBMISSION_NOT_FOUND] } as const;

/**
 * A supervisor's work on their authority's submissions refused only for warnings (W-rules):
 * list them, read each draft, acknowledge every warning with a written justification (the draft
 * then passes the policy decision point again and is sent as the submitter's message) or decline
 * with a reason. Never one's own submission (403 SEPARATION_OF_DUTIES); decided once (409).
 */
@ApiTags('supervision')
@Controller('api/v1/supervision/submissions')
export class SupervisionController {
  constructor(private readonly supervision: SuperviseSubmissions) {}

  @Get()
  @Requires('warnings.review')
  @ApiOperation({
    summary: 'Submissions of your authority that waited for a supervisor, newest first',
  })
  @ApiOkResponse({ type: [SupervisedSubmissionDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  list(
    @Query() query: ListSupervisedQuery,
    @Officer() officer: OfficerContext,
  ): Promise<SupervisedSubmissionView[]> {
    return this.supervision.list(officer, query.status, PageQuery.limitOf(query));
  }

  @Get(':id')
  @Requires('warnings.review')
  @ApiOperation({ summary: 'One submission awaiting a supervisor, with its draft and warnings' })
  @ApiOkResponse({ type: SupervisedSubmissionDetailDto })
  @ApiErrors({ 400: INVALID_INPUT, ...UNKNOWN })
  show(
    @Param('id', uuid) id: string,
    @Officer() officer: OfficerContext,
  ): Promise<SupervisedSubmissionDetail> {
    return this.supervision.detail(id, officer);
  }

  @Post(':id/acknowledge')
  @HttpCode(202)
  @Requires('warnings.review')
  @ApiOperation({
    summary:
      'Acknowledge every warning with a written justification: the draft is decided again with them and sent as the submitter’s message',
  })
  @ApiResponse({ status: 202, type: SubmissionAcceptedDto })
  @ApiErrors({
    ...SUBMISSION_REFUSALS,
    403: [ErrorCode.SEPARATION_OF_DUTIES, ErrorCode.POLICY_BLOCKED],
    ...UNKNOWN,
    409: [...SUBMISSION_REFUSALS[409], ErrorCode.SUPERVISED_SUBMISSION_DECIDED],
    503: [ErrorCode.REGISTER_UNAVAILABLE],
  })
  async acknowledge(
    @Param('id', uuid) id: string,
    @Body() body: AcknowledgeSupervisedDto,
    @Officer() officer: OfficerContext,
  ): Promise<SubmissionAccepted> {
    // A supervisor's decision never holds (a register out of reach answers 503): it is sent or refused.
    return (await this.supervision.acknowledge(
      id,
      body.acknowledgements,
      officer,
    )) as SubmissionAccepted;
  }

  @Post(':id/decline')
  @HttpCode(200)
  @Requires('warnings.review')
  @ApiOperation({ summary: 'Decline with a reason: nothing is sent, the submitter reads why' })
  @ApiOkResponse({ type: SupervisedSubmissionDto })
  @ApiErrors({
    400: INVALID_INPUT,
    403: [ErrorCode.SEPARATION_OF_DUTIES],
    ...UNKNOWN,
    409: [ErrorCode.SUPERVISED_SUBMISSION_DECIDED],
  })
  decline(
    @Param('id', uuid) id: string,
    @Body() body: DeclineSupervisedDto,
    @Officer() officer: OfficerContext,
  ): Promise<SupervisedSubmissionView> {
    return this.supervision.decline(id, body.reason, officer);
  }
}

/** A submitter's own submissions that went to a supervisor: waiting, acknowledged (sent), declined or blocked. */
@ApiTags('supervision')
@Controller('api/v1/supervised-submissions')
export class OwnSupervisedSubmissionsController {
  constructor(private readonly supervision: SuperviseSubmissions) {}

  @Get()
  @Requires('supervised-submissions.own')
  @ApiOperation({ summary: 'Your submissions that went to a supervisor, newest first' })
  @ApiOkResponse({ type: [SupervisedSubmissionDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  list(
    @Query() query: PageQuery,
    @Officer() officer: OfficerContext,
  ): Promise<SupervisedSubmissionView[]> {
    return this.supervision.listOwn(officer, PageQuery.limitOf(query));
  }

  @Get(':id')
  @Requires('supervised-submissions.own')
  @ApiOperation({
    summary: 'One of your submissions that went to a supervisor: its status and the decision',
  })
  @ApiOkResponse({ type: SupervisedSubmissionDto })
  @ApiErrors({ 400: INVALID_INPUT, ...UNKNOWN })
  show(
    @Param('id', uuid) id: string,
    @Officer() officer: OfficerContext,
  ): Promise<SupervisedSubmissionView> {
    return this.supervision.own(id, officer);
  }
}
