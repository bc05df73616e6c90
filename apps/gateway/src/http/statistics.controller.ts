import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CaseStatistics, type AuthorityStatistics } from '#libs/cases';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';

@ApiTags('statistics')
@Controller('api/v1/statistics')
export class StatisticsController {
  constructor(private readonly statistics: CaseStatistics) {}

  @Get()
  @Requires('statistics.read')
  @ApiOperation({
    summary:
      'Aggregated, anonymised figures of your authority: requests per procedure and state, overdue; small cells suppressed',
  })
  figures(@Officer() officer: OfficerContext): Promise<AuthorityStatistics> {
    return this.statistics.of(officer.principal.authorityId);
  }
}
