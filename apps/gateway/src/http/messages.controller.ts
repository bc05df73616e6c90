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
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Request } from 'express';
import { ExportEvidence, type EvidenceBundle } from '#libs/evidence';
import {
  ForwardMessage,
  GetMessage,
  INBOUND_STATUSES,
  ListMessages,
  MarkMessageRead,
  OUTBOUND_STATUSES,
  SubmitMessage,
  type MessageDetail,
  type MessageStatus,
  type MessageView,
  type SubmissionAccepted,
} from '#libs/messaging';
import { OfficerContext } from './officer-context.js';
import { ForwardMessageDto, SubmitMessageDto } from './submit-message.dto.js';

class ListMessagesQuery {
  @IsOptional() @IsIn(['outbound', 'inbound']) direction?: 'outbound' | 'inbound';
  @IsOptional() @IsIn([...OUTBOUND_STATUSES, ...INBOUND_STATUSES]) status?: MessageStatus;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

const uuid = new ParseUUIDPipe({ version: '7' });

@ApiTags('messages')
@Controller('api/v1/messages')
export class MessagesController {
  constructor(
    private readonly submit: SubmitMessage,
    private readonly list: ListMessages,
    private readonly get: GetMessage,
    private readonly markRead: MarkMessageRead,
    private readonly exportEvidence: ExportEvidence,
    private readonly forwardMessage: ForwardMessage,
    private readonly officer: OfficerContext,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Seal and queue a message for delivery to another authority' })
  send(@Body() draft: SubmitMessageDto, @Req() request: Request): Promise<SubmissionAccepted> {
    return this.submit.execute(draft, this.officer.of(request));
  }

  @Get()
  @ApiOperation({ summary: 'List messages of this authority, newest first' })
  index(@Query() query: ListMessagesQuery): Promise<MessageView[]> {
    return this.list.execute({
      direction: query.direction,
      status: query.status,
      limit: query.limit ?? 100,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'A message with its payload, receipt and evidences' })
  show(@Param('id', uuid) id: string): Promise<MessageDetail> {
    return this.get.execute(id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a received message as read' })
  read(@Param('id', uuid) id: string, @Req() request: Request): Promise<MessageView> {
    return this.markRead.execute(id, this.officer.of(request));
  }

  @Post(':id/forward')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Pass received content on to another authority, under the handling conditions it arrived with',
  })
  forward(
    @Param('id', uuid) id: string,
    @Body() draft: ForwardMessageDto,
    @Req() request: Request,
  ): Promise<SubmissionAccepted> {
    return this.forwardMessage.execute(id, draft, this.officer.of(request));
  }

  @Get(':id/evidence')
  @ApiOperation({
    summary: 'Evidence bundle: raw envelope, receipts, public keys and audit entries',
  })
  evidence(@Param('id', uuid) id: string, @Req() request: Request): Promise<EvidenceBundle> {
    return this.exportEvidence.execute(id, this.officer.of(request));
  }
}
