import { createReadStream } from 'node:fs';
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
  StreamableFile,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
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
import { ErrorCode } from '#libs/errors';
import {
  ApiErrors,
  ApiFileResponse,
  INVALID_INPUT,
  oneOfResponse,
  SUBMISSION_REFUSALS,
} from './api-docs.js';
import {
  EvidenceBundleDto,
  MessageDetailDto,
  MessageViewDto,
  RecipientPreviewDto,
  SubmissionAcceptedDto,
  SubmissionHeldDto,
} from './responses/messages.dto.js';
import { PageQuery } from './page-query.js';

class ListMessagesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['outbound', 'inbound'] })
  @IsOptional()
  @IsIn(['outbound', 'inbound'])
  direction?: 'outbound' | 'inbound';
  @ApiPropertyOptional({ enum: [...OUTBOUND_STATUSES, ...INBOUND_STATUSES] })
  @IsOptional()
  @IsIn([...OUTBOUND_STATUSES, ...INBOUND_STATUSES])
  status?: MessageStatus;
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
  @ApiExtraModels(SubmissionAcceptedDto, SubmissionHeldDto)
  @ApiResponse(
    oneOfResponse(
      202,
      'queued (SubmissionAccepted), or held while a register cannot be consulted',
      [SubmissionAcceptedDto, SubmissionHeldDto],
    ),
  )
  @ApiErrors({ ...SUBMISSION_REFUSALS })
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
  @ApiOkResponse({ type: [MessageViewDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  index(
    @Query() query: ListMessagesQuery,
    @Officer() officer: OfficerContext,
  ): Promise<MessageView[]> {
    return this.list.execute(
      { direction: query.direction, status: query.status, limit: PageQuery.limitOf(query) },
      officer.scope,
    );
  }

  @Get(':id')
  @Requires('messages.read')
  @ApiOperation({ summary: 'A message with its payload, receipt and evidences' })
  @ApiOkResponse({ type: MessageDetailDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.MESSAGE_NOT_FOUND] })
  show(@Param('id', uuid) id: string, @Officer() officer: OfficerContext): Promise<MessageDetail> {
    return this.get.execute(id, officer.scope);
  }

  @Get(':id/attachments/:position')
  @Requires('files.read')
  @ApiOperation({
    summary:
      'A file received with the message, decrypted: whole or one byte range (Range); each read audited (file.retrieved)',
  })
  @ApiFileResponse('the file, decrypted')
  @ApiErrors({
    400: INVALID_INPUT,
    404: [ErrorCode.MESSAGE_NOT_FOUND, ErrorCode.ATTACHMENT_NOT_FOUND],
    409: [ErrorCode.ATTACHMENT_INCOMPLETE],
    416: [ErrorCode.RANGE_NOT_SATISFIABLE],
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
  @ApiOkResponse({ type: MessageViewDto })
  @ApiErrors({
    400: INVALID_INPUT,
    404: [ErrorCode.MESSAGE_NOT_FOUND],
    409: [ErrorCode.INVALID_STATUS_TRANSITION],
  })
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
  @ApiExtraModels(SubmissionAcceptedDto, SubmissionHeldDto)
  @ApiResponse(
    oneOfResponse(
      202,
      'queued (SubmissionAccepted), or held while a register cannot be consulted',
      [SubmissionAcceptedDto, SubmissionHeldDto],
    ),
  )
  @ApiErrors({ ...SUBMISSION_REFUSALS, 404: [ErrorCode.MESSAGE_NOT_FOUND] })
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
  @ApiOkResponse({ type: [RecipientPreviewDto] })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.MESSAGE_NOT_FOUND] })
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
  @ApiOkResponse({ type: EvidenceBundleDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.MESSAGE_NOT_FOUND] })
  evidence(
    @Param('id', uuid) id: string,
    @EvidenceOfficer() officer: OfficerContext,
  ): Promise<EvidenceBundle> {
    return this.exportEvidence.execute(id, officer);
  }

  @Get(':id/evidence/attachments/:position/chunks/:index')
  @Requires('evidence.export')
  @ApiOperation({
    summary:
      'A sealed chunk of a file of the message, as this node keeps it (sent or received), for the evidence bundle',
  })
  @ApiOkResponse({
    description: 'the sealed chunk (OpenPGP, binary)',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors({
    400: INVALID_INPUT,
    404: [ErrorCode.MESSAGE_NOT_FOUND, ErrorCode.ATTACHMENT_NOT_FOUND],
  })
  async evidenceChunk(
    @Param('id', uuid) id: string,
    @Param('position', ParseIntPipe) position: number,
    @Param('index', ParseIntPipe) index: number,
    @EvidenceOfficer() officer: OfficerContext,
  ): Promise<StreamableFile> {
    const chunk = await this.exportEvidence.sealedChunk(id, position, index, officer.scope);
    return new StreamableFile(createReadStream(chunk.path), {
      type: 'application/octet-stream',
      length: chunk.bytes,
    });
  }
}
