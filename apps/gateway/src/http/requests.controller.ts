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
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
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

class ListRequestsQuery {
  @IsOptional() @IsIn(PROCEDURES) procedure?: string;
  @IsOptional() @IsString() @MaxLength(64) state?: string;
  /** Requests with a running deadline due within this many hours. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(24 * 365) dueWithinHours?: number;
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  overdue?: boolean;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
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
        limit: query.limit ?? 100,
      },
      officer.scope,
    );
  }

  @Get('requests/:id')
  @Requires('requests.read')
  @ApiOperation({
    summary: 'A request with its message thread, procedure state and deadline clocks',
  })
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
  caseFile(@Param('reference') reference: string, @Officer() officer: OfficerContext) {
    return this.queries.caseFile(reference, officer.scope);
  }
}
