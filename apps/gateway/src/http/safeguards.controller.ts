import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OutOfScopeError } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { CaseRepository } from '#libs/cases';
import { AuthorityDirectory, type Authority } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { explain, policyError } from '#libs/policy';
import { validateMessageBody } from '#libs/procedures';
import { PolicyDecisionPoint, ProtectedPersonsRegister } from '#libs/safeguards';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { RegisterEntryDto } from './safeguards.dto.js';
import { SubmitMessageDto } from './submit-message.dto.js';

@ApiTags('safeguards')
@Controller('api/v1')
export class SafeguardsController {
  constructor(
    private readonly register: ProtectedPersonsRegister,
    private readonly policy: PolicyDecisionPoint,
    private readonly cases: CaseRepository,
    private readonly directory: AuthorityDirectory,
    private readonly audit: AuditTrail,
  ) {}

  @Post('register/entries')
  @HttpCode(201)
  @Requires('register.write')
  @ApiOperation({
    summary:
      'Register a person with a pending claim or protection (asylum authority). Stored as keyed hashes only.',
  })
  async registerPerson(
    @Body() entry: RegisterEntryDto,
    @Officer() officer: OfficerContext,
  ): Promise<{ entryId: string }> {
    const { shieldFrom, ...identifiers } = entry;
    return this.register.register(identifiers, shieldFrom, officer.actor);
  }

  @Delete('register/entries/:id')
  @HttpCode(204)
  @Requires('register.write')
  @ApiOperation({ summary: 'Remove a register entry (asylum authority)' })
  async removePerson(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Officer() officer: OfficerContext,
  ): Promise<void> {
    if (!(await this.register.remove(id, officer.actor))) {
      throw new GatewayError(ErrorCode.VALIDATION_FAILED, `no register entry ${id}`, [
        { field: 'id' },
      ]);
    }
  }

  @Get('register')
  @Requires('register.read')
  @ApiOperation({
    summary: 'How many entries the register holds. Entries are never listed or exported.',
  })
  size(): { entries: number } {
    return { entries: this.register.size };
  }

  @Post('policy/explain')
  @HttpCode(200)
  @Requires('policy.explain')
  @ApiOperation({
    summary:
      'Evaluate a draft without sending it: the decision per recipient, with rule ids and legal bases',
  })
  async explainDraft(@Body() draft: SubmitMessageDto, @Officer() officer: OfficerContext) {
    validateMessageBody(draft.procedure, draft.messageType, draft.body);
    const existing = draft.requestId
      ? await this.cases.requireRequest(draft.requestId, officer.scope)
      : undefined;
    // Explaining reads the case's facts: only for a request's own case, or a case one may see.
    const caseReference = existing ? existing.case_reference : (draft.caseReference ?? null);
    if (!existing && caseReference) await this.requireCase(caseReference, officer);
    const ids = draft.recipients?.length ? draft.recipients : (existing?.counterparts ?? []);
    const recipients = ids
      .map((id) => this.directory.find(id))
      .filter((a): a is Authority => a !== undefined);
    const decisions = await this.policy.decide(
      {
        channel:
          draft.procedure === 'jit' && recipients.length > 1
            ? 'jit-fan-out'
            : existing
              ? 'answer'
              : 'new-request',
        procedure: draft.procedure,
        messageType: draft.messageType,
        caseReference,
        body: draft.body,
        purpose: draft.handling.permittedPurpose,
        declarations: draft.declarations,
        acknowledgements: draft.acknowledgements,
        requestState: existing?.state,
      },
      recipients,
      officer.scope.authorityId,
      officer.actor,
    );
    // Asking is traced like sending: otherwise names could be tried against the register unseen.
    await this.audit.record({
      event: 'policy.explained',
      actor: officer.actor,
      correlationId: officer.correlationId,
      details: {
        procedure: draft.procedure,
        messageType: draft.messageType,
        caseReference,
        decisions: recipients.map((recipient) => {
          const decision = decisions.get(recipient.id)!;
          return {
            recipient: recipient.id,
            decisionId: decision.decisionId,
            outcome: decision.outcome,
            rules: decision.findings.map((f) => f.ruleId),
          };
        }),
      },
    });
    // What a sender may be told: for H-1, the rule and nothing more.
    return recipients.map((recipient) => {
      const decision = decisions.get(recipient.id)!;
      const error = policyError(decision);
      return {
        recipient: recipient.id,
        outcome: decision.outcome,
        rules: error ? error.details : [],
        redactions: decision.redactions.map((r) => ({
          path: r.path,
          ruleId: r.ruleId,
          action: r.action,
        })),
        noOnwardTransferTo: decision.requiredHandling.noOnwardTransferTo,
        explanation: explain(decision, 'sender'),
      };
    });
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
