import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CASEWORK } from '#libs/access';
import type { Procedure } from '#libs/kernel';
import { describeMessageForm, messageTypesOf } from '#libs/procedures';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { ProceduresDto } from './responses/procedures.dto.js';

/**
 * The message types of the caller's procedures, each with the form of its body: generated from the
 * schemas the API validates (fields, nesting, enums, presence, lengths, formats and the legal rule
 * of each constraint), so that a console renders any message type and lists what is missing.
 */
@ApiTags('procedures')
@Controller('api/v1/procedures')
export class ProceduresController {
  @Get()
  @Requires('procedures.read')
  @ApiOperation({
    summary:
      "The message types of the caller's procedures, each with its form (fields, rules), and which open a case",
  })
  @ApiOkResponse({ type: ProceduresDto })
  list(@Officer() officer: OfficerContext) {
    const procedures = new Set<Procedure>();
    // A liaison officer works on JITs (those named on their account): their forms too.
    for (const role of officer.principal.roles) {
      for (const procedure of CASEWORK[role] ?? []) procedures.add(procedure);
    }
    return {
      procedures: [...procedures].map((procedure) => ({
        procedure,
        messageTypes: messageTypesOf(procedure).map((type) => describeMessageForm(procedure, type)),
      })),
    };
  }
}
