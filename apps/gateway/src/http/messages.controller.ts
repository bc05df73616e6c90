import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
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
import { EvidenceOfficer, Officer, Requires, type OfficerContext } from './access/decorators.js';
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
  ) {}

  @Post()
  @HttpCode(202)
  @Requires('messages.submit')
  @ApiOperation({ summary: 'Seal and queue a message for delivery to another authority' })
  send(
    @Body() draft: SubmitMessageDto,
    @Officer() officer: OfficerContext,
  ): Promise<SubmissionAccepted> {
    return this.submit.execute(draft, officer);
  }

  @Get()
  @Requires('messages.list')
  @ApiOperation({ summary: 'List the messages you may see, newest first' })
  index(
    @Query() query: ListMessagesQuery,
    @Officer() officer: OfficerContext,
  ): Promise<MessageView[]> {
    return this.list.execute(
      { direction: query.direction, status: query.status, limit: query.limit ?? 100 },
      officer.scope,
    );
  }

  @Get(':id')
  @Requires('messages.read')
  @ApiOperation({ summary: 'A message with its payload, receipt and evidences' })
  show(@Param('id', uuid) id: string, @Officer() officer: OfficerContext): Promise<MessageDetail> {
    return this.get.execute(id, officer.scope);
  }

  @Post(':id/read')
  @HttpCode(200)
  @Requires('messages.mark-read')
  @ApiOperation({ summary: 'Mark a received message as read' })
  read(@Param('id', uuid) id: string, @Officer() officer: OfficerContext): Promise<MessageView> {
    return this.markRead.execute(id, officer);
  }

  @Post(':id/forward')
  @HttpCode(202)
  @Requires('messages.forward')
  @ApiOperation({
    summary:
      'Pass received content on to another authority, under the handling conditions it arrived with',
  })
  forward(
    @Param('id', uuid) id: string,
    @Body() draft: ForwardMessageDto,
    @Officer() officer: OfficerContext,
  ): Promise<SubmissionAccepted> {
    return this.forwardMessage.execute(id, draft, officer);
  }

  @Get(':id/evidence')
  @Requires('evidence.export')
  @ApiOperation({
    summary: 'Evidence bundle: raw envelope, receipts, public keys and audit entries',
  })
  evidence(
    @Param('id', uuid) id: string,
    @EvidenceOfficer() officer: OfficerContext,
  ): Promise<EvidenceBundle> {
    return this.exportEvidence.execute(id, officer);
  }
}
