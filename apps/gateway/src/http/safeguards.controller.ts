import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditTrail } from '#libs/audit';
import { SubmitMessage } from '#libs/messaging';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { answerPreview, type RecipientPreview } from './policy-preview.js';
import { SubmitMessageDto } from './submit-message.dto.js';
import { ErrorCode } from '#libs/errors';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import { RecipientPreviewDto } from './responses/messages.dto.js';

/** The policy decision point, asked about a draft before it is sent. */
@ApiTags('safeguards')
@Controller('api/v1')
export class SafeguardsController {
  constructor(
    private readonly submit: SubmitMessage,
    private readonly audit: AuditTrail,
  ) {}

  @Post('policy/explain')
  @HttpCode(200)
  @Requires('policy.explain')
  @ApiOperation({
    summary:
      'Evaluate a draft without sending it: the decision per recipient, with rule ids and legal bases',
  })
  @ApiOkResponse({ type: [RecipientPreviewDto] })
  @ApiErrors({
    400: INVALID_INPUT,
    422: [ErrorCode.UNKNOWN_RECIPIENT, ErrorCode.PROCEDURE_NOT_ACCEPTED],
  })
  explainDraft(
    @Body() draft: SubmitMessageDto,
    @Officer() officer: OfficerContext,
  ): Promise<RecipientPreview[]> {
    return this.submit
      .preview(draft, officer)
      .then((preview) => answerPreview(preview, officer, this.audit));
  }
}
