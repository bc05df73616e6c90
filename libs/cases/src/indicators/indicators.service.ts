import { Injectable } from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { PROCEDURES, type Procedure } from '#libs/kernel';
import { Clock } from '#libs/node-config';
import { ROUNDING_BASE, SMALL_CELL } from '../statistics-disclosure.js';
import { quartersCovering } from './indicator-periods.js';
import { IndicatorSource } from './indicator-source.js';
import {
  indicatorTable,
  PERSON_DIMENSIONS,
  selectIndicators,
  type IndicatorTable,
  type PersonDimension,
} from './operational-indicators.js';

export interface IndicatorsQueryInput {
  from?: string;
  to?: string;
  procedure?: string;
  state?: string;
  by?: string;
}

export interface OperationalIndicatorsAnswer extends IndicatorTable {
  authorityId: string;
  generatedAt: string;
  periodGranularity: 'quarter';
  smallCellThreshold: number;
  roundingBase: number;
}

export interface IndicatorsCaller {
  authorityId: string;
  actor: string;
  correlationId: string;
}

const STATE_CODE = /^[A-Z]{2}$/;

/**
 * The monitors' operational indicators (UNODC 004; domain.md 5): the query is checked, the whole
 * table of the quarters asked for is computed and disclosure-controlled, then cut to the query.
 * Each answer and each refused query is audited with the query (never a figure), so that a series
 * of overlapping queries can be reviewed.
 */
@Injectable()
export class OperationalIndicators {
  constructor(
    private readonly source: IndicatorSource,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async answer(
    caller: IndicatorsCaller,
    input: IndicatorsQueryInput,
  ): Promise<OperationalIndicatorsAnswer> {
    const now = this.clock.now();
    let query: ReturnType<typeof parseQuery>;
    try {
      query = parseQuery(input, now);
    } catch (error) {
      if (error instanceof GatewayError) {
        await this.audit.record({
          event: 'statistics.query-refused',
          actor: caller.actor,
          correlationId: caller.correlationId,
          details: { code: error.code, reason: error.message, ...error.details[0], query: input },
        });
      }
      throw error;
    }
    const [first, last] = [query.periods[0], query.periods.at(-1)!];
    const start = quarterStart(first);
    const end = quarterStart(last, 1);
    const { units, frozen } = await this.source.read(caller.authorityId, start, end);
    const table = selectIndicators(indicatorTable(query.periods, units, frozen), query);
    await this.audit.record({
      event: 'statistics.indicators-read',
      actor: caller.actor,
      correlationId: caller.correlationId,
      details: { authorityId: caller.authorityId, query: { ...query, periods: [first, last] } },
    });
    return {
      authorityId: caller.authorityId,
      generatedAt: now.toISOString().slice(0, 10),
      periodGranularity: 'quarter',
      smallCellThreshold: SMALL_CELL,
      roundingBase: ROUNDING_BASE,
      ...table,
    };
  }
}

/** The first instant of a quarter (`2026-Q3`), or of the quarter `after` quarters later. */
function quarterStart(quarter: string, after = 0): Date {
  const [year, q] = quarter.split('-Q').map(Number);
  return new Date(Date.UTC(year, (q - 1 + after) * 3, 1));
}

function invalid(field: string, message: string): GatewayError {
  return new GatewayError(ErrorCode.STATISTICS_QUERY_INVALID, message, [{ field }]);
}

export function parseQuery(input: IndicatorsQueryInput, now: Date) {
  const periods = quartersCovering(input.from || undefined, input.to || undefined, now);
  const procedure = input.procedure || undefined;
  if (procedure !== undefined && !(PROCEDURES as readonly string[]).includes(procedure)) {
    throw invalid('procedure', `procedure is one of ${PROCEDURES.join(', ')}`);
  }
  const state = input.state ? input.state.toUpperCase() : undefined;
  if (state !== undefined && !STATE_CODE.test(state)) {
    throw invalid('state', 'state is an ISO 3166-1 alpha-2 code');
  }
  const by = (input.by ?? PERSON_DIMENSIONS.join(','))
    .split(',')
    .map((dimension) => dimension.trim())
    .filter((dimension) => dimension !== '');
  const unknown = by.find(
    (dimension) => !(PERSON_DIMENSIONS as readonly string[]).includes(dimension),
  );
  if (unknown !== undefined) {
    throw invalid('by', `by lists some of ${PERSON_DIMENSIONS.join(', ')}`);
  }
  return {
    periods,
    procedure: procedure as Procedure | undefined,
    state,
    by: by as PersonDimension[],
  };
}
