import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AuditTrail } from './audit-trail.js';

const INTERVAL_MS = 200;
/** While the database is away every round fails: one error line per this period is enough. */
const ERROR_PERIOD_MS = 30_000;

/** Chains new audit entries every 200 ms, and once more on shutdown. */
@Injectable()
export class AuditChainer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditChainer.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private failures = 0;
  private lastErrorAt = 0;

  constructor(private readonly audit: AuditTrail) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.tick(), INTERVAL_MS);
  }

  /** Before the database pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.audit
      .chainPending()
      .catch((error: Error) =>
        this.logger.error({ err: error.message }, 'audit chaining failed at shutdown'),
      );
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.audit
      .chainPending()
      .then(() => {
        if (this.failures > 0)
          this.logger.log({ failures: this.failures }, 'audit chaining resumed');
        this.failures = 0;
      })
      .catch((error: Error) => {
        this.failures += 1;
        if (Date.now() - this.lastErrorAt < ERROR_PERIOD_MS) return;
        this.lastErrorAt = Date.now();
        this.logger.error({ err: error.message, failures: this.failures }, 'audit chaining failed');
      })
      .finally(() => (this.running = undefined));
  }
}
