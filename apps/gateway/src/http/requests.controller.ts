import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CaseQueries, type RequestDetail, type RequestView } from '#libs/cases';
import { PROCEDURES } from '#libs/envelope';
import {
  AnswerRequest,
  idempotencyOf,
  type SubmissionAccepted,
  type SubmissionHeld,
} from '#libs/messaging';
import { Clock } from '#libs/node-config';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { IDEMPOTENCY_HEADER } from './idempotency.js';
import { AnswerRequestDto, WithdrawRequestDto } from './submit-message.dto.js';
import { ErrorCode } from '#libs/errors';
import { ApiErrors, INVALID_INPUT, oneOfResponse, SUBMISSION_REFUSALS } from './api-docs.js';
import {
  CaseFileDto,
  RequestDetailDto,
  RequestViewDto,
  SubmissionAcceptedDto,
  SubmissionHeldDto,
} from './responses/messages.dto.js';
import { PageQuery } from './page-query.js';

class ListRequestsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: PROCEDURES }) @IsOptional() @IsIn(PROCEDURES) procedure?: string;
  @ApiPropertyOptional({ maxLength: 64 }) @IsOptional() @IsString() @MaxLength(64) state?: string;
  /** Requests with a running deadline due within this many hours. */
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 24 * 365,
    description: 'a running deadline due within this many hours',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  dueWithinHours?: number;
  @ApiPropertyOptional({ description: 'only requests with a deadline past due' })
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  overdue?: boolean;
}

const uuid = new ParseUUIDPipe({ version: '7' });

@ApiTags('cases')
@Controller('api/v1')
export class RequestsController {
  constructor(
    private readonly queries: CaseQueries,
    private readonly answer: AnswerRequest,
    private readonly clock: Clock,
  ) {}

  @Get('requests')
  @Requires('requests.list')
  @ApiOperation({
    summary: 'Requests you may see: filter by procedure, state, due soon, overdue',
  })
  @ApiOkResponse({ type: [RequestViewDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  list(
    @Query() query: ListRequestsQuery,
    @Officer() officer: OfficerContext,
  ): Promise<RequestView[]> {
    const now = this.clock.now().getTime();
    return this.queries.list(
      {
        procedure: query.procedure,
        status: query.state,
        dueBefore: query.dueWithinHours
          ? new Date(now + query.dueWithinHours * 3600_000)
          : undefined,
        overdueAt: query.overdue ? new Date(now) : undefined,
        limit: PageQuery.limitOf(query),
      },
      officer.scope,
    );
  }

  @Get('requests/:id')
  @Requires('requests.read')
  @ApiOperation({
    summary: 'A request with its message thread, procedure state and deadline clocks',
  })
  @ApiOkResponse({ type: RequestDetailDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.REQUEST_NOT_FOUND] })
  show(@Param('id', uuid) id: string, @Officer() officer: OfficerContext): Promise<RequestDetail> {
    return this.queries.request(id, officer.scope);
  }

  @Post('requests/:id/messages')
  @HttpCode(202)
  @Requires('requests.answer')
  @ApiOperation({
    summary: 'Answer in a request’s thread (acknowledge, ask for information, execute, refuse…)',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiExtraModels(SubmissionAcceptedDto, SubmissionHeldDto)
  @ApiResponse(
    oneOfResponse(
      202,
      'queued (SubmissionAccepted), or held while a register cannot be consulted',
      [SubmissionAcceptedDto, SubmissionHeldDto],
    ),
  )
  @ApiErrors({ ...SUBMISSION_REFUSALS, 404: [ErrorCode.REQUEST_NOT_FOUND] })
  reply(
    @Param('id', uuid) id: string,
    @Body() draft: AnswerRequestDto,
    @Officer() officer: OfficerContext,
    @Headers('idempotency-key') key?: string,
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    return this.answer.execute(id, draft, officer, {
      idempotency: idempotencyOf(
        key,
        officer.principal.username,
        `POST /api/v1/requests/${id}/messages`,
        draft,
      ),
    });
  }

  @Post('requests/:id/withdraw')
  @HttpCode(202)
  @Requires('requests.withdraw')
  @ApiOperation({ summary: 'Withdraw a request (the requesting side, at any time)' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiExtraModels(SubmissionAcceptedDto, SubmissionHeldDto)
  @ApiResponse(
    oneOfResponse(
      202,
      'queued (SubmissionAccepted), or held while a register cannot be consulted',
      [SubmissionAcceptedDto, SubmissionHeldDto],
    ),
  )
  @ApiErrors({ ...SUBMISSION_REFUSALS, 404: [ErrorCode.REQUEST_NOT_FOUND] })
  withdraw(
    @Param('id', uuid) id: string,
    @Body() draft: WithdrawRequestDto,
    @Officer() officer: OfficerContext,
    @Headers('idempotency-key') key?: string,
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    return this.answer.execute(
      id,
      { messageType: 'withdrawal', body: { reasons: draft.reasons } },
      officer,
      {
        idempotency: idempotencyOf(
          key,
          officer.principal.username,
          `POST /api/v1/requests/${id}/withdraw`,
          draft,
        ),
      },
    );
  }

  @Get('cases/:reference')
  @Requires('requests.read')
  @ApiOperation({
    summary: 'A case as you may see it: its requests, each with thread, state and deadlines',
  })
  @ApiOkResponse({ type: CaseFileDto })
  @ApiErrors({ 404: [ErrorCode.CASE_NOT_FOUND] })
  caseFile(@Param('reference') reference: string, @Officer() officer: OfficerContext) {
    return this.queries.caseFile(reference, officer.scope);
  }
}
