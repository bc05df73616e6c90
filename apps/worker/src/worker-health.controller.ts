import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { sql } from 'kysely';
import { DeliveryProcessor } from '#libs/delivery';
import { ErrorCode } from '#libs/errors';
import { DATABASE, type Db } from '#libs/persistence';

const PROBE_TIMEOUT_MS = 2000;

/**
 * The worker's health, on its own HTTP server (GATEWAY_WORKER_HTTP_PORT): live while the process
 * answers; ready while PostgreSQL answers and the delivery consumer runs. Not ready is a 503
 * naming the cause, as the gateway's readiness does.
 */
@Controller('health')
export class WorkerHealthController {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    private readonly delivery: DeliveryProcessor,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const postgres = await Promise.race([
      sql`select 1`.execute(this.db).then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), PROBE_TIMEOUT_MS)),
    ]);
    const consuming = this.delivery.isRunning();
    const details = { postgres: postgres ? 'up' : 'down', delivery: consuming ? 'up' : 'down' };
    if (!postgres || !consuming) {
      throw new ServiceUnavailableException({
        error: {
          code: postgres ? ErrorCode.QUEUE_UNAVAILABLE : ErrorCode.DATABASE_UNAVAILABLE,
          message: postgres ? 'the delivery consumer is not running' : 'PostgreSQL does not answer',
          details: [details],
        },
      });
    }
    return { status: 'ok', details };
  }
}
