import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import { deadlineCalendar, remindersDue, type DeadlineProfiles } from '#libs/deadlines';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import type { DeadlineRow } from '#libs/persistence';
import { CaseRepository, reviveClock } from './case.repository.js';
import { DEADLINE_PROFILES } from './deadline-profiles.js';

export const DEADLINE_QUEUE = 'deadlines';

export interface DeadlineJobData {
  deadlineId: string;
  kind: 'reminder' | 'expiry';
  /** For reminders: the reminder's rank, earliest first. */
  index: number;
  /** When the timer is due, by the node's clock. */
  at: string;
}

/**
 * Deadline timers are BullMQ delayed jobs, one per reminder and one for expiry, with ids derived
 * from the deadline and its due instant: scheduling twice is harmless, and a timer left over from
 * before a pause or an extension finds the clock changed and does nothing.
 */
@Injectable()
export class DeadlineTimers {
  constructor(
    @InjectQueue(DEADLINE_QUEUE) private readonly queue: Queue<DeadlineJobData>,
    @Inject(DEADLINE_PROFILES) private readonly profiles: DeadlineProfiles,
    private readonly clock: Clock,
  ) {}

  timersOf(row: DeadlineRow): Array<{ id: string; data: DeadlineJobData }> {
    if (row.status !== 'running') return [];
    const profile = this.profiles.get(row.profile_id);
    const clock = reviveClock(row.clock);
    const reminders = remindersDue(
      clock,
      profile,
      deadlineCalendar(row.executing_state, row.time_zone),
    );
    return [
      ...reminders
        .map((reminder, index) => ({ reminder, index }))
        .filter(({ index }) => index >= row.reminders_sent)
        .map(({ reminder, index }) => ({
          id: `reminder_${row.id}_${index}_${reminder.at.getTime()}`,
          data: {
            deadlineId: row.id,
            kind: 'reminder' as const,
            index,
            at: reminder.at.toISOString(),
          },
        })),
      {
        id: `expiry_${row.id}_${clock.dueAt.getTime()}`,
        data: {
          deadlineId: row.id,
          kind: 'expiry' as const,
          index: 0,
          at: clock.dueAt.toISOString(),
        },
      },
    ];
  }

  /** Adds the timers of these deadlines, or moves existing ones to their delay by the node's clock. */
  async schedule(rows: DeadlineRow[]): Promise<number> {
    const now = this.clock.now().getTime();
    const timers = rows.flatMap((row) => this.timersOf(row));
    const existing = await Promise.all(timers.map((timer) => this.queue.getJob(timer.id)));
    const missing = timers.filter((_, i) => !existing[i]);
    await this.queue.addBulk(
      missing.map((timer) => ({
        name: timer.data.kind,
        data: timer.data,
        opts: {
          jobId: timer.id,
          delay: Math.max(0, Date.parse(timer.data.at) - now),
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
    // The node's clock may have moved (drills, tests): keep delayed timers in step with it.
    await Promise.all(
      existing.map(async (job, i) => {
        if (!job || !(await job.isDelayed())) return;
        const delay = Math.max(0, Date.parse(timers[i].data.at) - now);
        if (Math.abs(job.timestamp + job.delay - (Date.now() + delay)) > 1000)
          await job.changeDelay(delay);
      }),
    );
    return missing.length;
  }
}

/**
 * Re-derives every running deadline's timers from PostgreSQL at start-up and then periodically,
 * so that timers survive restarts and the loss of Redis state.
 */
@Injectable()
export class DeadlineRederivation implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineRederivation.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly cases: CaseRepository,
    private readonly timers: DeadlineTimers,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(): Promise<{ deadlines: number; added: number }> {
    let deadlines = 0;
    let added = 0;
    for await (const batch of this.cases.runningDeadlines()) {
      deadlines += batch.length;
      added += await this.timers.schedule(batch);
    }
    return { deadlines, added };
  }

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.delivery.reconcileIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.execute()
      .then((report) => {
        if (report.added > 0)
          this.logger.log(report, 'deadline timers re-derived from the database');
      })
      .catch((error: Error) =>
        this.logger.error({ err: error.message }, 'deadline re-derivation failed'),
      )
      .finally(() => (this.running = undefined));
  }
}
