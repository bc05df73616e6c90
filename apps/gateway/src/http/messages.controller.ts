import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ExportEvidence, type EvidenceBundle } from '#libs/evidence';
import {
  ForwardMessage,
  GetMessage,
  idempotencyOf,
  INBOUND_STATUSES,
  ListMessages,
  MarkMessageRead,
  OUTBOUND_STATUSES,
  ReadAttachment,
  SubmitMessage,
  type MessageDetail,
  type MessageStatus,
  type MessageView,
  type SubmissionAccepted,
  type SubmissionHeld,
} from '#libs/messaging';
import { AuditTrail } from '#libs/audit';
import { EvidenceOfficer, Officer, Requires, type OfficerContext } from './access/decorators.js';
import { IDEMPOTENCY_HEADER } from './idempotency.js';
import { answerPreview, type RecipientPreview } from './policy-preview.js';
import { ForwardMessageDto, SubmitMessageDto } from './submit-message.dto.js';
import { serveFile } from './file-response.js';

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
    private readonly audit: AuditTrail,
    private readonly attachments: ReadAttachment,
  ) {}

  @Post()
  @HttpCode(202)
  @Requires('messages.submit')
  @ApiOperation({
    summary:
      'Seal and queue a message for delivery to another authority (or hold it, status awaiting-safeguard-check, while a register of the State cannot be consulted)',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  send(
    @Body() draft: SubmitMessageDto,
    @Officer() officer: OfficerContext,
    @Headers('idempotency-key') key?: string,
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    return this.submit.execute(draft, officer, {
      idempotency: idempotencyOf(key, officer.principal.username, 'POST /api/v1/messages', draft),
    });
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

  @Get(':id/attachments/:position')
  @Requires('files.read')
  @ApiOperation({
    summary:
      'A file received with the message, decrypted: whole or one byte range (Range); each read audited (file.retrieved)',
  })
  async attachment(
    @Param('id', uuid) id: string,
    @Param('position', ParseIntPipe) position: number,
    @Req() req: Request,
    @Res() res: Response,
    @Officer() officer: OfficerContext,
  ): Promise<void> {
    const opened = await this.attachments.open(id, position, officer.scope);
    await serveFile(
      req,
      res,
      { ...opened.manifest, sha256: opened.sha256 },
      opened.reader,
      (served) => this.attachments.recordRetrieval(id, position, opened, officer, served),
    );
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
  @ApiHeader(IDEMPOTENCY_HEADER)
  forward(
    @Param('id', uuid) id: string,
    @Body() draft: ForwardMessageDto,
    @Officer() officer: OfficerContext,
    @Headers('idempotency-key') key?: string,
  ): Promise<SubmissionAccepted | SubmissionHeld> {
    return this.forwardMessage.execute(id, draft, officer, {
      idempotency: idempotencyOf(
        key,
        officer.principal.username,
        `POST /api/v1/messages/${id}/forward`,
        draft,
      ),
    });
  }

  @Post(':id/forward/explain')
  @HttpCode(200)
  @Requires('policy.explain')
  @ApiOperation({
    summary:
      'Preview an onward transfer without sending it: the decision per recipient exactly as forwarding would make it',
  })
  async explainForward(
    @Param('id', uuid) id: string,
    @Body() draft: ForwardMessageDto,
    @Officer() officer: OfficerContext,
  ): Promise<RecipientPreview[]> {
    return answerPreview(
      await this.forwardMessage.preview(id, draft, officer),
      officer,
      this.audit,
    );
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
