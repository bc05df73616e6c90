import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import {
  CaseStatistics,
  indicatorsCsv,
  OperationalIndicators,
  type AuthorityStatistics,
  type OperationalIndicatorsAnswer,
} from '#libs/cases';
import { Officer, Requires, type OfficerContext } from './access/decorators.js';
import { ErrorResponseDto } from './api-docs.js';
import { AuthorityStatisticsDto } from './responses/operations.dto.js';
import { IndicatorsQueryDto, OperationalIndicatorsDto } from './statistics.dto.js';

@ApiTags('statistics')
@Controller('api/v1/statistics')
export class StatisticsController {
  constructor(
    private readonly statistics: CaseStatistics,
    private readonly indicators: OperationalIndicators,
  ) {}

  @Get()
  @Requires('statistics.read')
  @ApiOperation({
    summary:
      'Aggregated, anonymised figures of your authority: requests per procedure and state, overdue; small cells suppressed',
  })
  @ApiOkResponse({ type: AuthorityStatisticsDto })
  figures(@Officer() officer: OfficerContext): Promise<AuthorityStatistics> {
    return this.statistics.of(officer.principal.authorityId);
  }

  @Get('indicators')
  @Requires('statistics.read')
  @ApiOperation({
    summary:
      'UNODC operational indicators of your authority per quarter, procedure and counterpart State, disaggregated; counts under 5 suppressed, rounded to 5, none derivable (README, Operational indicators)',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    type: OperationalIndicatorsDto,
    description: 'JSON, or CSV with Accept: text/csv or format=csv',
  })
  @ApiBadRequestResponse({
    type: ErrorResponseDto,
    description:
      'STATISTICS_QUERY_INVALID (a date, procedure, State or breakdown; audited), VALIDATION_FAILED',
  })
  // 401 UNAUTHENTICATED and 403 PERMISSION_DENIED come with Requires.
  async operationalIndicators(
    @Query() query: IndicatorsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Officer() officer: OfficerContext,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OperationalIndicatorsAnswer | string> {
    const { format, ...filters } = query;
    const answer = await this.indicators.answer(
      {
        authorityId: officer.principal.authorityId,
        actor: officer.actor,
        correlationId: officer.correlationId,
      },
      filters,
    );
    const csv = format === 'csv' || (format === undefined && /\btext\/csv\b/.test(accept ?? ''));
    if (!csv) return answer;
    response.type('text/csv; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="indicators-${answer.authorityId}-${answer.periods[0]}-${answer.periods.at(-1)}.csv"`,
    );
    return indicatorsCsv(answer);
  }
}
