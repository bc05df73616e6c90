import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Clock } from '#libs/node-config';
import { InjectDatabase, type Db } from '#libs/persistence';

/** Counts below this are shown as suppressed, so that no figure points at a person (G1.7, G3.3). */
export const SMALL_CELL = 5;

export interface StatisticsCell {
  procedure: string;
  status: string;
  /** null when fewer than SMALL_CELL requests fall in the cell. */
  requests: number | null;
  overdue: number | null;
}

export interface AuthorityStatistics {
  authorityId: string;
  generatedAt: string;
  smallCellThreshold: number;
  cells: StatisticsCell[];
}

/**
 * Aggregated, anonymised figures for monitors (national rapporteurs, NHRIs: OHCHR G1.7, G3.3;
 * UNODC 004 Table 4): requests per procedure and state, and how many are overdue. No reference,
 * counterpart or date below the day leaves this query.
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
    const suppress = (count: string) => (Number(count) < SMALL_CELL ? null : Number(count));
    return {
      authorityId,
      generatedAt: now.toISOString().slice(0, 10),
      smallCellThreshold: SMALL_CELL,
      cells: rows.map((row) => ({
        procedure: row.procedure,
        status: row.status,
        requests: suppress(row.requests),
        overdue: Number(row.overdue) === 0 ? 0 : suppress(row.overdue),
      })),
    };
  }
}
