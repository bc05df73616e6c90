import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
} from '@nestjs/terminus';
import { sql } from 'kysely';
import { keyEndsAt } from '#libs/directory';
import { ErrorCode, GatewayError } from '#libs/errors';
import { KeyExpiryMonitor } from '#libs/keys';
import { DeliveryQueue } from '#libs/messaging';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { DATABASE, databaseFaultOf, type Db } from '#libs/persistence';
import { Public } from './access/decorators.js';
import { ApiErrors } from './api-docs.js';
import { HealthCheckResultDto } from './responses/health.dto.js';

const PROBE_TIMEOUT_MS = 2000;

/** The order in which a failing readiness names its cause: what stops the node most comes first. */
const CAUSES: readonly ErrorCode[] = [
  ErrorCode.DATABASE_UNAVAILABLE,
  ErrorCode.DATABASE_READ_ONLY,
  ErrorCode.KEY_UNAVAILABLE,
];

/** Terminus would document a 503 of its own shape: readiness answers in the error format. */
const NOT_DOCUMENTED_BY_TERMINUS = { noCache: true, swaggerDocumentation: false };

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
  @HealthCheck(NOT_DOCUMENTED_BY_TERMINUS)
  @ApiOperation({ summary: 'Liveness: the process is up and its event loop answers' })
  @ApiOkResponse({ type: HealthCheckResultDto })
  live() {
    return this.health.check([]);
  }

  /**
   * Ready to take traffic: PostgreSQL takes writes, and the node holds, unlocked, a key that the
   * directory makes current; with the keys (own and peers') that lapse within the warning period.
   * Redis out of reach makes the node `degraded`, not unready: reads, submissions (queued in
   * PostgreSQL) and the peer endpoint still work, only deliveries wait. Not ready is a 503 naming
   * the cause (DATABASE_UNAVAILABLE, DATABASE_READ_ONLY, KEY_UNAVAILABLE), with every indicator in
   * the details.
   */
  @Get('ready')
  @HealthCheck(NOT_DOCUMENTED_BY_TERMINUS)
  @ApiOperation({
    summary:
      'Readiness: PostgreSQL takes writes and a current key is unlocked; Redis away makes it degraded, not unready',
  })
  @ApiOkResponse({ type: HealthCheckResultDto })
  @ApiErrors({ 503: CAUSES })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.postgres(),
        () => this.redis(),
        () => this.key(),
        // Informative: warnings never make the node unready (domain.md section 6, 60 days ahead).
        () =>
          this.indicators.check('keyExpiry').attempt(() => ({
            warningDays: this.config.keys.expiryWarningDays,
            warnings: this.keyExpiry.warnings(),
          })),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      throw notReady(error.getResponse() as HealthCheckResult);
    }
  }

  /** Up only if a statement runs and may write (25006 would refuse every change). */
  private async postgres() {
    const session = this.indicators.check('postgres');
    const started = Date.now();
    try {
      const { rows } = await within(
        sql<{ read_only: string; in_recovery: boolean }>`
          select current_setting('transaction_read_only') as read_only,
                 pg_is_in_recovery() as in_recovery`.execute(this.db),
        PROBE_TIMEOUT_MS,
        'PostgreSQL',
      );
      const [state] = rows;
      if (state?.read_only === 'on' || state?.in_recovery) {
        return session.down({
          code: ErrorCode.DATABASE_READ_ONLY,
          message: state.in_recovery
            ? 'the database is a standby in recovery: it refuses writes'
            : 'transactions are read-only (default_transaction_read_only): the database refuses writes',
        });
      }
      return session.up({ responseTime: Date.now() - started });
    } catch (error) {
      return session.down({
        code:
          databaseFaultOf(error) === 'read-only'
            ? ErrorCode.DATABASE_READ_ONLY
            : ErrorCode.DATABASE_UNAVAILABLE,
        message: (error as Error).message,
      });
    }
  }

  private key() {
    const session = this.indicators.check('key');
    try {
      // Throws when the directory lists no valid key for this node, or the ring lacks it.
      const { key, fingerprint } = this.identity.signingKey(this.clock.now());
      if (!key.isDecrypted()) throw new Error('key locked');
      const ends = keyEndsAt(this.identity.authority.key(fingerprint)!);
      return session.up({
        fingerprint,
        expires: ends ? ends.toISOString() : 'never',
        held: this.identity.keys.fingerprints,
        responseTime: 0,
      });
    } catch (error) {
      return session.down({ code: ErrorCode.KEY_UNAVAILABLE, message: (error as Error).message });
    }
  }

  private async redis() {
    const session = this.indicators.check('redis');
    const started = Date.now();
    try {
      await this.queue.probe(PROBE_TIMEOUT_MS);
      return session.up({ responseTime: Date.now() - started });
    } catch (error) {
      return session.degraded({
        code: ErrorCode.QUEUE_UNAVAILABLE,
        message: `${(error as Error).message}: deliveries wait, the rest of the node works`,
      });
    }
  }
}

function notReady(result: HealthCheckResult): GatewayError {
  const indicators = Object.entries(result.details).map(([indicator, value]) => ({
    indicator,
    ...(value as { status: string; code?: ErrorCode; message?: string }),
  }));
  const down = indicators.filter((indicator) => indicator.status === 'down');
  const codes = down.map((indicator) => indicator.code);
  const code = CAUSES.find((cause) => codes.includes(cause)) ?? ErrorCode.DATABASE_UNAVAILABLE;
  const message = down
    .map((indicator) => `${indicator.indicator}: ${indicator.message ?? 'down'}`)
    .join('; ');
  return new GatewayError(code, `the node is not ready: ${message}`, indicators);
}

async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
  }
}
