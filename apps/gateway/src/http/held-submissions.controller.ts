import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OutOfScopeError, inScope } from '#libs/access';
import { ErrorCode } from '#libs/errors';
import { HeldSubmissionsRepository, type HeldSubmissionView } from '#libs/messaging';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';
import { PageQuery } from './page-query.js';
import { HeldSubmissionDto } from './responses/messages.dto.js';

/**
 * Submissions waiting for a register of the State ("awaiting safeguard check"), and how each
 * ended: released (sent), blocked (the register answered: for a register hit, "Blocked by H-1"
 * and nothing more) or failed.
 */
@ApiTags('messages')
@Controller('api/v1/held-submissions')
export class HeldSubmissionsController {
  constructor(private readonly held: HeldSubmissionsRepository) {}

  @Get()
  @Requires('held-submissions.read')
  @ApiOperation({ summary: 'Held submissions you may see, newest first' })
  @ApiOkResponse({ type: [HeldSubmissionDto] })
  @ApiErrors({ 400: INVALID_INPUT })
  list(
    @Query() query: PageQuery,
    @Officer() officer: OfficerContext,
  ): Promise<HeldSubmissionView[]> {
    return this.held.list(officer.scope, PageQuery.limitOf(query));
  }

  @Get(':id')
  @Requires('held-submissions.read')
  @ApiOperation({ summary: 'One held submission: waiting, released, blocked or failed' })
  @ApiOkResponse({ type: HeldSubmissionDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.HELD_SUBMISSION_NOT_FOUND] })
  async show(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Officer() officer: OfficerContext,
  ): Promise<HeldSubmissionView> {
    const found = await this.held.find(id);
    if (
      !found ||
      !inScope(officer.scope, {
        authorityId: found.authority,
        procedure: found.view.procedure,
        caseReference: found.view.caseReference,
      })
    ) {
      throw new OutOfScopeError(
        ErrorCode.HELD_SUBMISSION_NOT_FOUND,
        `no held submission ${id} you may see`,
        [{ field: 'id' }],
      );
    }
    return found.view;
  }
}
