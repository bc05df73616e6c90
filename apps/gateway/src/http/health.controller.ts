import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { sql } from 'kysely';
import { DeliveryQueue } from '#libs/messaging';
import { keyEndsAt } from '#libs/directory';
import { KeyExpiryMonitor } from '#libs/keys';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { DATABASE, type Db } from '#libs/persistence';
import { Public } from './access/decorators.js';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(DATABASE) private readonly db: Db,
    private readonly queue: DeliveryQueue,
    private readonly identity: NodeIdentity,
    private readonly clock: Clock,
    private readonly keyExpiry: KeyExpiryMonitor,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Ready to take traffic: PostgreSQL, Redis and an unlocked key that the directory makes current;
   * with the keys (own and peers') that lapse within the warning period.
   */
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
        this.indicators.check('key').attempt(() => {
          // Throws when the directory lists no valid key for this node, or the ring lacks it.
          const { key, fingerprint } = this.identity.signingKey(this.clock.now());
          if (!key.isDecrypted()) throw new Error('key locked');
          const ends = keyEndsAt(this.identity.authority.key(fingerprint)!);
          return {
            fingerprint,
            expires: ends ? ends.toISOString() : 'never',
            held: this.identity.keys.fingerprints,
          };
        }),
      // Informative: warnings never make the node unready (domain.md section 6, 60 days ahead).
      () =>
        this.indicators.check('keyExpiry').attempt(() => ({
          warningDays: this.config.keys.expiryWarningDays,
          warnings: this.keyExpiry.warnings(),
        })),
    ]);
  }
}
