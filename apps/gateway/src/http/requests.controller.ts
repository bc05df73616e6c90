import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { Request } from 'express';
import { CaseQueries, type RequestDetail, type RequestView } from '#libs/cases';
import { PROCEDURES } from '#libs/envelope';
import { AnswerRequest, type SubmissionAccepted } from '#libs/messaging';
import { Clock } from '#libs/node-config';
import { OfficerContext } from './officer-context.js';
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
    private readonly officer: OfficerContext,
    private readonly clock: Clock,
  ) {}

  @Get('requests')
  @ApiOperation({
    summary: 'Requests of this authority: filter by procedure, state, due soon, overdue',
  })
  list(@Query() query: ListRequestsQuery): Promise<RequestView[]> {
    const now = this.clock.now().getTime();
    return this.queries.list({
      procedure: query.procedure,
      status: query.state,
      dueBefore: query.dueWithinHours ? new Date(now + query.dueWithinHours * 3600_000) : undefined,
      overdueAt: query.overdue ? new Date(now) : undefined,
      limit: query.limit ?? 100,
    });
  }

  @Get('requests/:id')
  @ApiOperation({
    summary: 'A request with its message thread, procedure state and deadline clocks',
  })
  show(@Param('id', uuid) id: string): Promise<RequestDetail> {
    return this.queries.request(id);
  }

  @Post('requests/:id/messages')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Answer in a request’s thread (acknowledge, ask for information, execute, refuse…)',
  })
  reply(
    @Param('id', uuid) id: string,
    @Body() draft: AnswerRequestDto,
    @Req() request: Request,
  ): Promise<SubmissionAccepted> {
    return this.answer.execute(id, draft, this.officer.of(request));
  }

  @Post('requests/:id/withdraw')
  @HttpCode(202)
  @ApiOperation({ summary: 'Withdraw a request (the requesting side, at any time)' })
  withdraw(
    @Param('id', uuid) id: string,
    @Body() draft: WithdrawRequestDto,
    @Req() request: Request,
  ): Promise<SubmissionAccepted> {
    return this.answer.execute(
      id,
      { messageType: 'withdrawal', body: { reasons: draft.reasons } },
      this.officer.of(request),
    );
  }

  @Get('cases/:reference')
  @ApiOperation({ summary: 'A case: its requests, each with thread, state and deadlines' })
  caseFile(@Param('reference') reference: string) {
    return this.queries.caseFile(reference);
  }
}
