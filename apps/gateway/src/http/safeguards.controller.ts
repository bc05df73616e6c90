import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditTrail } from '#libs/audit';
import { CaseRepository } from '#libs/cases';
import { AuthorityDirectory, type Authority } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { explain, policyError, type CaseFacts } from '#libs/policy';
import { validateMessageBody } from '#libs/procedures';
import {
  CaseFactsRepository,
  PolicyDecisionPoint,
  ProtectedPersonsRegister,
} from '#libs/safeguards';
import { OfficerContext } from './officer-context.js';
import { CaseFactsDto, RegisterEntryDto } from './safeguards.dto.js';
import { SubmitMessageDto } from './submit-message.dto.js';

@ApiTags('safeguards')
@Controller('api/v1')
export class SafeguardsController {
  constructor(
    private readonly register: ProtectedPersonsRegister,
    private readonly facts: CaseFactsRepository,
    private readonly policy: PolicyDecisionPoint,
    private readonly cases: CaseRepository,
    private readonly directory: AuthorityDirectory,
    private readonly officer: OfficerContext,
    private readonly audit: AuditTrail,
  ) {}

  @Post('register/entries')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Register a person with a pending claim or protection (asylum authority). Stored as keyed hashes only.',
  })
  async registerPerson(@Body() entry: RegisterEntryDto): Promise<{ entryId: string }> {
    const { shieldFrom, ...identifiers } = entry;
    return this.register.register(identifiers, shieldFrom, this.officer.actor());
  }

  @Delete('register/entries/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a register entry (asylum authority)' })
  async removePerson(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    if (!(await this.register.remove(id, this.officer.actor()))) {
      throw new GatewayError(ErrorCode.VALIDATION_FAILED, `no register entry ${id}`, [
        { field: 'id' },
      ]);
    }
  }

  @Get('register')
  @ApiOperation({
    summary: 'How many entries the register holds. Entries are never listed or exported.',
  })
  size(): { entries: number } {
    return { entries: this.register.size };
  }

  @Get('cases/:reference/facts')
  @ApiOperation({
    summary: 'What this authority knows about the persons of a case (local, never sent)',
  })
  caseFacts(@Param('reference') reference: string): Promise<CaseFacts> {
    return this.facts.get(reference);
  }

  @Put('cases/:reference/facts')
  @ApiOperation({
    summary:
      'Record the facts the safeguards decide on: asylum, risk assessment, proceedings, child records, consents',
  })
  async putCaseFacts(
    @Param('reference') reference: string,
    @Body() facts: CaseFactsDto,
  ): Promise<CaseFacts> {
    await this.facts.put(reference, facts, this.officer.actor());
    return facts;
  }

  @Post('policy/explain')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Evaluate a draft without sending it: the decision per recipient, with rule ids and legal bases',
  })
  async explainDraft(@Body() draft: SubmitMessageDto) {
    validateMessageBody(draft.procedure, draft.messageType, draft.body);
    const existing = draft.requestId ? await this.cases.requireRequest(draft.requestId) : undefined;
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
        caseReference: draft.caseReference ?? existing?.case_reference ?? null,
        body: draft.body,
        purpose: draft.handling.permittedPurpose,
        declarations: draft.declarations,
        acknowledgements: draft.acknowledgements,
        requestState: existing?.state,
      },
      recipients,
      this.officer.actor(),
    );
    // Asking is traced like sending: otherwise names could be tried against the register unseen.
    await this.audit.record({
      event: 'policy.explained',
      actor: this.officer.actor(),
      details: {
        procedure: draft.procedure,
        messageType: draft.messageType,
        caseReference: draft.caseReference ?? existing?.case_reference ?? null,
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
}
