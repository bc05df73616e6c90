import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, Next, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import type { Express, NextFunction, Request, Response } from 'express';
import { DEADLINE_QUEUE } from '#libs/cases';
import { DELIVERY_QUEUE } from '#libs/messaging';
import { Requires } from './access/decorators.js';

/** Where the dashboard is served: its page, its static files and the JSON API its page polls. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The queue dashboard (bull-board) for administrators: the node's delivery and deadline queues,
 * their counts and their jobs (ids, states, timings, failure reasons; no case content).
 *
 * Served by a controller rather than mounted beside Nest, so that every call of the page, its
 * files and its JSON API passes the same guards as the API (bearer credential or console session,
 * the permission table, rate limits) and its refusals are audited by the same filter.
 *
 * Read-only, and only GET is routed: the queues are derived from PostgreSQL (the reconciler
 * rebuilds them), so bull-board's actions (retry, clean, promote, add, pause) would change what
 * the worker does behind the use-cases and their audit trail: retrying a delivery PostgreSQL
 * records as failed, or dropping a deadline timer, is a decision of its own, not a queue operation.
 */
@ApiExcludeController()
@Requires('queues.read')
@Controller(QUEUE_DASHBOARD_PATH)
export class QueueDashboardController {
  private readonly board: Express;

  constructor(
    @InjectQueue(DELIVERY_QUEUE.name) delivery: Queue,
    @InjectQueue(DEADLINE_QUEUE.name) deadlines: Queue,
  ) {
    const server = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
    createBullBoard({
      queues: [delivery, deadlines].map(
        (queue) => new BullMQAdapter(queue, { readOnlyMode: true }),
      ),
      serverAdapter: server,
      options: { uiConfig: { boardTitle: 'Queues' } },
    });
    this.board = server.getRouter() as Express;
    this.board.disable('x-powered-by');
  }

  @Get(['', '*path'])
  serve(@Req() request: Request, @Res() response: Response, @Next() next: NextFunction): void {
    // bull-board's routes are relative to its base path, as if it were mounted there (app.use).
    const url = request.url;
    const [requestProto, responseProto] = [
      Object.getPrototypeOf(request) as object,
      Object.getPrototypeOf(response) as object,
    ];
    const rest = url.slice(QUEUE_DASHBOARD_PATH.length);
    request.url = rest.startsWith('/') ? rest : `/${rest}`;
    this.board(request, response, (error?: unknown) => {
      // What bull-board does not answer (an unknown file) goes back to Nest's not-found answer,
      // with the request as the gateway's app set it up (its trusted proxies among others).
      request.url = url;
      Object.setPrototypeOf(request, requestProto);
      Object.setPrototypeOf(response, responseProto);
      next(error);
    });
  }
}
