import { Controller, Get, Inject, Injectable, Res, type OnModuleInit } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { sql } from 'kysely';
import { DeliveryQueue } from '#libs/messaging';
import { scrapedGauge } from '#libs/observability';
import { DATABASE, type Db } from '#libs/persistence';
import { Requires } from './access/decorators.js';

/** How far ahead a running deadline counts as due soon (the mailbox's "due soon" filter). */
const DUE_SOON_DAYS = 7;

/**
 * Prometheus `/metrics` for monitors and administrators (an API key of a service account with
 * the monitor role is what a Prometheus server uses). Registered by PrometheusModule, whose own
 * scope holds nothing of the node's: the node's figures come from NodeMetrics.
 */
@ApiTags('operations')
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  @Requires('metrics.read')
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({
    description: 'the Prometheus text exposition format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  override index(@Res({ passthrough: true }) response: Response) {
    return super.index(response);
  }
}

/**
 * Besides the counters of this process, the node's figures, read at scrape time: messages by
 * direction and status, deadlines running, due soon and overdue, and the delivery queue's depths.
 */
@Injectable()
export class NodeMetrics implements OnModuleInit {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly queue: DeliveryQueue,
  ) {}

  onModuleInit(): void {
    scrapedGauge(
      'tip_messages',
      'Messages held by the node, by direction and status',
      ['direction', 'status'],
      async () => {
        const rows = await this.db
          .selectFrom('messages')
          .select(['direction', 'status', (eb) => eb.fn.countAll<string>().as('count')])
          .groupBy(['direction', 'status'])
          .execute();
        return rows.map((row) => ({
          labels: { direction: row.direction, status: row.status },
          value: Number(row.count),
        }));
      },
    );
    scrapedGauge(
      'tip_deadlines',
      'Deadline clocks by state: overdue and due soon among the running ones, then every other state',
      ['state'],
      async () => {
        const { rows } = await sql<{ state: string; count: string }>`
          select case
                   when status = 'running' and due_at < now() then 'overdue'
                   when status = 'running'
                    and due_at < now() + make_interval(days => ${DUE_SOON_DAYS}) then 'due-soon'
                   else status
                 end as state,
                 count(*) as count
            from deadlines group by 1`.execute(this.db);
        return rows.map((row) => ({ labels: { state: row.state }, value: Number(row.count) }));
      },
    );
    scrapedGauge(
      'tip_queue_jobs',
      'Jobs of the delivery queue by state',
      ['queue', 'state'],
      async () =>
        Object.entries(await this.queue.depths()).map(([state, value]) => ({
          labels: { queue: 'delivery', state },
          value,
        })),
    );
  }
}
