import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OutOfScopeError } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { CaseRepository } from '#libs/cases';
import { ErrorCode } from '#libs/errors';
import { SubmitMessage } from '#libs/messaging';
import type { CaseFacts } from '#libs/policy';
import { CaseFactsRepository } from '#libs/safeguards';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { answerPreview, type RecipientPreview } from './policy-preview.js';
import { CaseFactsDto } from './safeguards.dto.js';
import { SubmitMessageDto } from './submit-message.dto.js';

@ApiTags('safeguards')
@Controller('api/v1')
export class SafeguardsController {
  constructor(
    private readonly facts: CaseFactsRepository,
    private readonly cases: CaseRepository,
    private readonly submit: SubmitMessage,
    private readonly audit: AuditTrail,
  ) {}

  @Get('cases/:reference/facts')
  @Requires('case-facts.read')
  @ApiOperation({
    summary: 'What your authority knows about the persons of a case (local, never sent)',
  })
  async caseFacts(
    @Param('reference') reference: string,
    @Officer() officer: OfficerContext,
  ): Promise<CaseFacts> {
    await this.requireCase(reference, officer);
    return this.facts.get(officer.scope.authorityId, reference);
  }

  @Put('cases/:reference/facts')
  @Requires('case-facts.write')
  @ApiOperation({
    summary:
      'Record the facts the safeguards decide on: asylum, risk assessment, proceedings, child records, consents',
  })
  async putCaseFacts(
    @Param('reference') reference: string,
    @Body() facts: CaseFactsDto,
    @Officer() officer: OfficerContext,
  ): Promise<CaseFacts> {
    await this.requireCase(reference, officer);
    await this.facts.put(officer.scope.authorityId, reference, facts, officer.actor);
    return facts;
  }

  @Post('policy/explain')
  @HttpCode(200)
  @Requires('policy.explain')
  @ApiOperation({
    summary:
      'Evaluate a draft without sending it: the decision per recipient, with rule ids and legal bases',
  })
  explainDraft(
    @Body() draft: SubmitMessageDto,
    @Officer() officer: OfficerContext,
  ): Promise<RecipientPreview[]> {
    return this.submit
      .preview(draft, officer)
      .then((preview) => answerPreview(preview, officer, this.audit));
  }

  private async requireCase(reference: string, officer: OfficerContext): Promise<void> {
    if (!(await this.cases.caseVisible(reference, officer.scope))) {
      throw new OutOfScopeError(
        ErrorCode.CASE_NOT_FOUND,
        `case ${reference} has no requests you may see`,
        [{ field: 'reference' }],
      );
    }
  }
}
