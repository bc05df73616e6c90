import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Clock } from '#libs/node-config';
import { InjectDatabase, type Db } from '#libs/persistence';

import {
  disclosureControlled,
  ROUNDING_BASE,
  SMALL_CELL,
  type PublishedFigures,
} from './statistics-disclosure.js';

export type StatisticsCell = PublishedFigures['cells'][number];

export interface AuthorityStatistics extends PublishedFigures {
  authorityId: string;
  generatedAt: string;
  smallCellThreshold: number;
  roundingBase: number;
}

/**
 * Aggregated, anonymised figures for monitors (national rapporteurs, NHRIs: OHCHR G1.7, G3.3;
 * UNODC 004 Table 4): requests per procedure and state, and how many are overdue, with totals. No
 * reference, counterpart or date below the day leaves this query.
 */
@Injectable()
export class CaseStatistics {
  constructor(
    @InjectDatabase() private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async of(authorityId: string): Promise<AuthorityStatistics> {
    const now = this.clock.now();
    const rows = await this.db
      .selectFrom('requests')
      .select([
        'procedure',
        'status',
        sql<string>`count(*)`.as('requests'),
        sql<string>`count(*) filter (where exists (
          select 1 from deadlines d where d.request_id = requests.id
            and (d.status = 'expired' or (d.status = 'running' and d.due_at < ${now}))))`.as(
          'overdue',
        ),
      ])
      .where('authority', '=', authorityId)
      .groupBy(['procedure', 'status'])
      .orderBy('procedure')
      .orderBy('status')
      .execute();
    return {
      authorityId,
      generatedAt: now.toISOString().slice(0, 10),
      smallCellThreshold: SMALL_CELL,
      roundingBase: ROUNDING_BASE,
      // Rounded, small counts suppressed, and no suppressed cell derivable from a total.
      ...disclosureControlled(
        rows.map((row) => ({
          procedure: row.procedure,
          status: row.status,
          requests: Number(row.requests),
          overdue: Number(row.overdue),
        })),
      ),
    };
  }
}
