import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { sql } from 'kysely';
import { DeliveryQueue } from '#libs/messaging';
import { Clock, NodeIdentity } from '#libs/node-config';
import { DATABASE, type Db } from '#libs/persistence';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DATABASE) private readonly db: Db,
    private readonly queue: DeliveryQueue,
    private readonly identity: NodeIdentity,
    private readonly clock: Clock,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Ready to take traffic: PostgreSQL, Redis and an unlocked, unexpired key. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () =>
        this.indicators
          .check('postgres')
          .attempt(async () => void (await sql`select 1`.execute(this.db)))
          .withTimeout(2000),
      () => this.indicators.check('redis').attempt(() => this.queue.probe(2000)),
      () =>
        this.indicators.check('key').attempt(async () => {
          const expires = await this.identity.privateKey.getExpirationTime();
          if (!this.identity.privateKey.isDecrypted()) throw new Error('key locked');
          if (expires instanceof Date && expires.getTime() <= this.clock.now().getTime())
            throw new Error('key expired');
          return {
            fingerprint: this.identity.fingerprint,
            expires: expires instanceof Date ? expires.toISOString() : 'never',
          };
        }),
    ]);
  }
}
