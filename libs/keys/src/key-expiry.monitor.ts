import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { AuthorityDirectory, keyExpiryWarnings, type KeyExpiryWarning } from '#libs/directory';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';

export const KEY_EXPIRY_PERIODIC = Symbol('KEY_EXPIRY_PERIODIC');

/** Where the 60-day warning comes from (domain.md section 6). */
const BASIS = 'eDelivery (Domibus) practice: certificate-expiry alerts 60 days ahead';

/**
 * Warns of keys about to lapse, the node's own and the peers' in the directory: at start-up of
 * each long-running process and, in the worker, at every check interval. Each warning is logged
 * and audited (`key.expiring`) with its reason; /health/ready shows them as of the request.
 */
@Injectable()
export class KeyExpiryMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('KeyExpiry');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    @Inject(KEY_EXPIRY_PERIODIC) private readonly periodic: boolean,
  ) {}

  /** As of now; cheap: the directory is in memory. */
  warnings(): KeyExpiryWarning[] {
    // The node's own authorities are those whose keys it holds (all of a hub's share them).
    const held = new Set(this.identity.keys.fingerprints);
    const own = this.directory
      .all()
      .filter((authority) => authority.keys.some((key) => held.has(key.fingerprint)))
      .map((authority) => authority.id);
    return keyExpiryWarnings(
      this.directory,
      own,
      this.clock.now(),
      this.config.keys.expiryWarningDays,
    );
  }

  async check(): Promise<KeyExpiryWarning[]> {
    const warnings = this.warnings();
    for (const warning of warnings) {
      this.logger.warn({ ...warning }, 'key expiry warning');
      await this.audit.record({
        event: 'key.expiring',
        actor: 'system',
        details: { ...warning, warningDays: this.config.keys.expiryWarningDays, basis: BASIS },
      });
    }
    return warnings;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.tick();
    if (this.periodic) {
      this.timer = setInterval(() => void this.tick(), this.config.keys.expiryCheckIntervalMs);
    }
  }

  /** Before the database pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = this.check()
      .then(
        () => undefined,
        (error: Error) => this.logger.error({ err: error.message }, 'key expiry check failed'),
      )
      .finally(() => (this.running = undefined));
    await this.running;
  }
}
