import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { AuditTrail } from '#libs/audit';
import { AuthorityDirectory, keyExpiryWarnings, type KeyExpiryWarning } from '#libs/directory';
import { Clock, NODE_CONFIG, NodeIdentity, type NodeConfig } from '#libs/node-config';
import { PeriodicTasks } from '#libs/scheduling';

/** Where the 60-day warning comes from (domain.md section 6). */
const BASIS = 'eDelivery (Domibus) practice: certificate-expiry alerts 60 days ahead';

/**
 * Warns of keys about to lapse, the node's own and the peers' in the directory: at start-up of
 * each long-running process and, once per node, at every check interval. Each warning is logged
 * and audited (`key.expiring`) with its reason; /health/ready shows them as of the request.
 */
@Injectable()
export class KeyExpiryMonitor implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('KeyExpiry');

  constructor(
    private readonly directory: AuthorityDirectory,
    private readonly identity: NodeIdentity,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
    private readonly tasks: PeriodicTasks,
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

  onModuleInit(): void {
    this.tasks.register({
      name: 'key-expiry',
      intervalMs: this.config.keys.expiryCheckIntervalMs,
      run: () => this.check(),
    });
  }

  /** At start-up of each process, before it serves: its own log and the trail say what lapses. */
  async onApplicationBootstrap(): Promise<void> {
    await this.check().catch((error: Error) =>
      this.logger.error({ err: error.message }, 'key expiry check failed'),
    );
  }
}
