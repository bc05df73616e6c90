import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { PEER_REFUSALS_BEFORE_AUTHENTICATION } from '#libs/errors';
import { Clock } from '#libs/node-config';
import { AuditTrail } from './audit-trail.js';
import type { AuditRecord } from './chain.js';

/** How long one aggregate of anonymous refusals spans (config `audit.anonymousRefusalWindowSeconds`). */
export const ANONYMOUS_REFUSAL_WINDOW_MS = Symbol('ANONYMOUS_REFUSAL_WINDOW_MS');

const FLUSH_INTERVAL_MS = 1000;
/** Beyond this many open aggregates, the oldest are written early: memory stays bounded. */
const MAX_OPEN_AGGREGATES = 10_000;

interface Aggregate {
  event: AuditRecord['event'];
  actor: string;
  source: string;
  code: string;
  windowStart: Date;
  /** Refusals after the first, which was recorded on its own. */
  further: number;
}

/**
 * Refusals of anonymous sources (a request without a valid credential, an envelope or register
 * check whose signature has not verified) must not grow the hash-chained trail by one entry per
 * junk request (S7). Per source address, event and code, the first refusal of each window is
 * recorded at once and in full, as before; the others are counted and recorded as one entry with
 * their count when the window closes (`aggregated: true`, `count`, `windowStart`, `windowEnd`),
 * and at shutdown. Refusals of authenticated actors are never aggregated: they go to the trail
 * one by one, as every other entry does.
 */
@Injectable()
export class AnonymousRefusals implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AnonymousRefusals.name);
  private readonly open = new Map<string, Aggregate>();
  private readonly windowMs: number;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Optional() @Inject(ANONYMOUS_REFUSAL_WINDOW_MS) windowMs?: number,
  ) {
    this.windowMs = windowMs ?? 60_000;
  }

  /** Records a refusal of an anonymous source: the first of its window in full, the rest counted. */
  async record(record: AuditRecord, source: string, code: string): Promise<void> {
    const now = this.clock.now();
    const windowStart = new Date(Math.floor(now.getTime() / this.windowMs) * this.windowMs);
    const key = `${record.event}\u0000${source}\u0000${code}\u0000${windowStart.getTime()}`;
    const aggregate = this.open.get(key);
    if (aggregate) {
      aggregate.further += 1;
      return;
    }
    this.open.set(key, {
      event: record.event,
      actor: record.actor,
      source,
      code,
      windowStart,
      further: 0,
    });
    if (this.open.size > MAX_OPEN_AGGREGATES) void this.flush(true);
    await this.audit.record({
      ...record,
      details: { ...record.details, aggregation: `first of ${this.windowMs / 1000} s` },
    });
  }

  /**
   * A refused peer request: aggregated while its source is anonymous (a code raised before the
   * peer authenticated, PEER_REFUSALS_BEFORE_AUTHENTICATION, S7), audited in full otherwise.
   * `anonymous` is the entry as it stands for an anonymous source (by default `record` itself).
   */
  async recordPeerRefusal(
    record: AuditRecord,
    code: string,
    remoteAddress: string | undefined,
    anonymous: AuditRecord = record,
  ): Promise<void> {
    if (PEER_REFUSALS_BEFORE_AUTHENTICATION.has(code)) {
      await this.record(anonymous, remoteAddress ?? 'unknown', code);
    } else {
      await this.audit.record(record);
    }
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(false), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  /** Before the database pool closes: the counts of the open windows are written too. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.flush(true);
  }

  /** Writes the aggregates of closed windows (all of them when `all`), one entry each. */
  flush(all: boolean): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.write(all).finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(all: boolean): Promise<void> {
    const now = this.clock.now().getTime();
    const due = [...this.open.entries()].filter(
      ([, aggregate]) =>
        all ||
        this.open.size > MAX_OPEN_AGGREGATES ||
        aggregate.windowStart.getTime() + this.windowMs <= now,
    );
    for (const [key, aggregate] of due) {
      this.open.delete(key);
      if (aggregate.further === 0) continue;
      const windowEnd = Math.min(now, aggregate.windowStart.getTime() + this.windowMs);
      try {
        await this.audit.record({
          event: aggregate.event,
          actor: aggregate.actor,
          details: {
            code: aggregate.code,
            remoteAddress: aggregate.source,
            aggregated: true,
            count: aggregate.further,
            windowStart: aggregate.windowStart.toISOString(),
            windowEnd: new Date(windowEnd).toISOString(),
          },
        });
      } catch (error) {
        // Kept for the next flush rather than lost.
        this.open.set(key, aggregate);
        this.logger.error({ err: (error as Error).message }, 'refusal counts not yet audited');
        return;
      }
    }
  }
}
