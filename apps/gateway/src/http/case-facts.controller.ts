import {
  Body,
  Controller,
  Get,
  Injectable,
  Param,
  Patch,
  Put,
  Query,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ErrorCode, GatewayError } from '#libs/errors';
import type { CaseFacts } from '#libs/policy';
import {
  CaseFactsService,
  type CaseFactsUpdate,
  type FactsCaller,
  type FactsHistoryEntryView,
} from '#libs/safeguards';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import {
  CaseFactsChangeDto,
  CaseFactsDto,
  FactsHistoryEntryDto,
  FactsQueryDto,
} from './case-facts.dto.js';
import { ApiErrors, INVALID_INPUT } from './api-docs.js';

/**
 * A body that is not JSON is never read as "no change": it is refused before validation, so that
 * a form or a text body cannot pass for an empty one.
 */
@Injectable()
export class JsonBodyOnly implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (request.is('application/json')) return true;
    throw new GatewayError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      'case facts are sent as JSON (Content-Type: application/json)',
      [{ field: 'content-type', received: request.headers['content-type'] ?? null }],
    );
  }
}

function callerOf(officer: OfficerContext): FactsCaller {
  return {
    principal: officer.principal,
    actor: officer.actor,
    correlationId: officer.correlationId,
  };
}

/** The DTO as plain data: `null` kept (it removes a field), absent fields absent. */
function updateOf(body: CaseFactsChangeDto): {
  update: CaseFactsUpdate;
  procedure: CaseFactsChangeDto['procedure'];
  justification?: string;
} {
  const { procedure, justification, ...facts } = JSON.parse(
    JSON.stringify(body),
  ) as CaseFactsChangeDto;
  return { update: facts, procedure, justification };
}

/** A change refused: its body, its media type, or a relaxation without its owner or a supervisor. */
const FACTS_CHANGE_REFUSALS = {
  400: INVALID_INPUT,
  403: [ErrorCode.FACTS_RELAXATION_REQUIRES_OWNER],
  404: [ErrorCode.CASE_NOT_FOUND],
  415: [ErrorCode.UNSUPPORTED_MEDIA_TYPE],
};

@ApiTags('case facts')
@Controller('api/v1/cases/:reference/facts')
export class CaseFactsController {
  constructor(private readonly facts: CaseFactsService) {}

  @Get()
  @Requires('case-facts.read')
  @ApiOperation({
    summary:
      'What your authority knows about the persons of a case, as far as your roles see it (local, never sent)',
  })
  @ApiOkResponse({ type: CaseFactsDto })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.CASE_NOT_FOUND] })
  async read(
    @Param('reference') reference: string,
    @Query() query: FactsQueryDto,
    @Officer() officer: OfficerContext,
  ): Promise<CaseFacts> {
    return this.facts.visible(callerOf(officer), reference, query.procedure);
  }

  @Put()
  @Requires('case-facts.write')
  @UseGuards(JsonBodyOnly)
  @ApiOperation({
    summary:
      'Change the facts the safeguards decide on: fields given replace, null removes, the rest is left. A relaxation needs its owner or a supervisor’s justification.',
  })
  @ApiOkResponse({ type: CaseFactsDto })
  @ApiErrors(FACTS_CHANGE_REFUSALS)
  async put(
    @Param('reference') reference: string,
    @Body() body: CaseFactsChangeDto,
    @Officer() officer: OfficerContext,
  ): Promise<CaseFacts> {
    return this.facts.change(callerOf(officer), reference, updateOf(body));
  }

  @Patch()
  @Requires('case-facts.write')
  @UseGuards(JsonBodyOnly)
  @ApiOperation({ summary: 'The same change as PUT (PUT never replaces the facts wholesale)' })
  @ApiOkResponse({ type: CaseFactsDto })
  @ApiErrors(FACTS_CHANGE_REFUSALS)
  async patch(
    @Param('reference') reference: string,
    @Body() body: CaseFactsChangeDto,
    @Officer() officer: OfficerContext,
  ): Promise<CaseFacts> {
    return this.facts.change(callerOf(officer), reference, updateOf(body));
  }

  @Get('history')
  @Requires('case-facts.read')
  @ApiOperation({
    summary:
      'Every change of the facts you may see: who, when, under which procedure, which fields, in which direction',
  })
  @ApiOkResponse({ type: [FactsHistoryEntryDto] })
  @ApiErrors({ 400: INVALID_INPUT, 404: [ErrorCode.CASE_NOT_FOUND] })
  async history(
    @Param('reference') reference: string,
    @Query() query: FactsQueryDto,
    @Officer() officer: OfficerContext,
  ): Promise<FactsHistoryEntryView[]> {
    return this.facts.history(callerOf(officer), reference, query.procedure);
  }
}
