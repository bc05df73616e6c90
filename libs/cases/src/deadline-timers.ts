import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  defineQueue,
  QUEUE_OPERATION_TIMEOUT_MS,
  typedQueue,
  whileQueueReachable,
  type TypedQueue,
} from '#libs/bus';
import { deadlineCalendar, remindersDue, type DeadlineProfiles } from '#libs/deadlines';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { PeriodicTasks } from '#libs/scheduling';
import { CaseRepository, reviveClock, type DeadlineRow } from './case.repository.js';
import { DEADLINE_PROFILES } from './deadline-profiles.js';

/** BullMQ scores a delayed job as (due instant in ms) * 0x1000 + a counter (getDelayedScore.lua). */
const DELAYED_SCORE_FACTOR = 0x1000;
const TIMER_MISSING = -1;
const TIMER_NOT_DELAYED = -2;
const TIMER_STATES_CHUNK = 1000;
const ADD_CHUNK = 1000;
/** Redis time allowed per timer on top of the base wait, so that long re-derivations are bounded too. */
const MS_PER_TIMER = 2;
/** About 25 ms of reminder arithmetic between two turns of the event loop. */
const ROWS_PER_SLICE = 250;
const TIMER_STATES_COMMAND = 'deadlineTimerStates';
/**
 * KEYS[1] the queue's delayed set, ARGV[1] the queue's key prefix, ARGV[2..] job ids. For each id:
 * -1 when the job does not exist, -2 when it exists but is not delayed, else its delayed score.
 * The job keys it reads are not declared in KEYS: under the node's hash-tag prefix they are in the
 * delayed set's Redis Cluster slot.
 */
const TIMER_STATES_LUA = `
local result = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  if redis.call('EXISTS', ARGV[1] .. id) == 0 then
    result[i - 1] = ${TIMER_MISSING}
  else
    result[i - 1] = redis.call('ZSCORE', KEYS[1], id) or ${TIMER_NOT_DELAYED}
  end
end
return result
`;

interface Timer {
  id: string;
  data: DeadlineJobData;
}

export interface DeadlineJobData {
  deadlineId: string;
  kind: 'reminder' | 'expiry';
  /** For reminders: the reminder's rank, earliest first. */
  index: number;
  /** When the timer is due, by the node's clock. */
  at: string;
}

/** The deadline queue's jobs: a reminder or the expiry of a deadline, both with the same payload. */
export interface DeadlineJobs {
  reminder: DeadlineJobData & { kind: 'reminder' };
  expiry: DeadlineJobData & { kind: 'expiry' };
}

/** The deadline timer queue, owned here: job map, producer (DeadlineTimers), handler (DeadlineProcessor). */
export const DEADLINE_QUEUE = defineQueue<DeadlineJobs>({
  name: 'deadlines',
  jobs: ['reminder', 'expiry'],
  worker: () => ({ concurrency: 4, maxStalledCount: 100 }),
  faultContext: (data) => ({ deadlineId: data.deadlineId, kind: data.kind }),
});

/**
 * Deadline timers are BullMQ delayed jobs, one per reminder and one for expiry, with ids derived
 * from the deadline and its due instant: scheduling twice is harmless, and a timer left over from
 * before a pause or an extension finds the clock changed and does nothing.
 */
@Injectable()
export class DeadlineTimers {
  private readonly jobs: TypedQueue<DeadlineJobs>;

  constructor(
    @InjectQueue(DEADLINE_QUEUE.name) private readonly queue: Queue<DeadlineJobData>,
    @Inject(DEADLINE_PROFILES) private readonly profiles: DeadlineProfiles,
    private readonly clock: Clock,
  ) {
    this.jobs = typedQueue(DEADLINE_QUEUE, queue);
  }

  /** Connections on which the timer-states script is defined. */
  private readonly statesCommandDefined = new WeakSet<object>();

  timersOf(row: DeadlineRow): Timer[] {
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

  /**
   * Adds the timers of these deadlines, or moves existing ones to their delay by the node's clock.
   * Long batches (re-derivation) are worked through in slices, so that the worker keeps firing
   * timers meanwhile.
   */
  async schedule(rows: DeadlineRow[]): Promise<number> {
    const timers: Timer[] = [];
    for (let i = 0; i < rows.length; i += ROWS_PER_SLICE) {
      if (i > 0) await yieldToEventLoop();
      for (const row of rows.slice(i, i + ROWS_PER_SLICE)) timers.push(...this.timersOf(row));
    }
    if (timers.length === 0) return 0;
    // While Redis is away this fails at once (QUEUE_UNAVAILABLE) rather than hold the caller:
    // re-derivation schedules the timers from PostgreSQL once it is back.
    return whileQueueReachable(
      this.queue,
      () => this.scheduleTimers(timers),
      QUEUE_OPERATION_TIMEOUT_MS + timers.length * MS_PER_TIMER,
    );
  }

  private async scheduleTimers(timers: Timer[]): Promise<number> {
    const states = await this.states(timers.map((timer) => timer.id));
    // Read together: BullMQ delays by the real clock, timers are due by the node's clock.
    const realNow = Date.now();
    const skew = this.clock.now().getTime() - realNow;
    const missing: Timer[] = [];
    const drifted: Timer[] = [];
    timers.forEach((timer, i) => {
      const state = states[i];
      if (state === TIMER_MISSING) missing.push(timer);
      // The node's clock may have moved (drills, tests): keep delayed timers in step with it.
      else if (state !== TIMER_NOT_DELAYED) {
        const due = Math.max(realNow, Date.parse(timer.data.at) - skew);
        if (Math.abs(state - due) > 1000) drifted.push(timer);
      }
    });
    // In chunks: Redis adds one chunk while the next is built.
    const adding: Array<Promise<unknown>> = [];
    for (let i = 0; i < missing.length; i += ADD_CHUNK) {
      if (i > 0) await yieldToEventLoop();
      const chunk = this.add(missing.slice(i, i + ADD_CHUNK));
      // Its failure is reported by Promise.all below, not as an unhandled rejection meanwhile.
      chunk.catch(() => undefined);
      adding.push(chunk);
    }
    await Promise.all(adding);
    await Promise.all(drifted.map((timer) => this.realign(timer)));
    return missing.length;
  }

  private add(timers: Timer[]): Promise<unknown> {
    const now = this.clock.now().getTime();
    return this.jobs.addBulk(
      timers.map((timer) => ({
        name: timer.data.kind,
        data: timer.data,
        opts: {
          jobId: timer.id,
          delay: Math.max(0, Date.parse(timer.data.at) - now),
          // A timer that faults (the database restarting as it fires) tries again for about a
          // quarter of an hour: re-derivation does not bring back a timer that exists, failed.
          attempts: 10,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: true,
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
  }

  /**
   * Where each timer stands, read in a few round trips rather than one per timer: missing, present
   * but no longer delayed (waiting, active, failed), or delayed until the returned instant.
   */
  private async states(ids: string[]): Promise<number[]> {
    const client = await this.queue.getBackend().client;
    if (!this.statesCommandDefined.has(client)) {
      client.defineCommand(TIMER_STATES_COMMAND, { numberOfKeys: 1, lua: TIMER_STATES_LUA });
      this.statesCommandDefined.add(client);
    }
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += TIMER_STATES_CHUNK) {
      chunks.push(ids.slice(i, i + TIMER_STATES_CHUNK));
    }
    const replies = await Promise.all(
      chunks.map(
        (chunk) =>
          client.runCommand(TIMER_STATES_COMMAND, [
            this.queue.keys.delayed,
            this.queue.toKey(''),
            ...chunk,
          ]) as Promise<Array<number | string>>,
      ),
    );
    return replies.flat().map((reply) =>
      typeof reply === 'number'
        ? reply
        : // A delayed job's score is its due instant in ms times 0x1000, plus a tie-breaker.
          Math.floor(Number(reply) / DELAYED_SCORE_FACTOR),
    );
  }

  /** Moves a delayed timer; one that was promoted meanwhile fires by its own instant check. */
  private async realign(timer: Timer): Promise<void> {
    const job = await this.queue.getJob(timer.id);
    if (!job) return;
    try {
      await job.changeDelay(Math.max(0, Date.parse(timer.data.at) - this.clock.now().getTime()));
    } catch (error) {
      if (await job.isDelayed()) throw error;
    }
  }
}

/**
 * Re-derives every running deadline's timers from PostgreSQL at start-up and then periodically,
 * once per node, so that timers survive restarts and the loss of Redis state.
 */
@Injectable()
export class DeadlineRederivation implements OnModuleInit {
  private readonly logger = new Logger(DeadlineRederivation.name);

  constructor(
    private readonly cases: CaseRepository,
    private readonly timers: DeadlineTimers,
    private readonly tasks: PeriodicTasks,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  async execute(): Promise<{ deadlines: number; added: number }> {
    let deadlines = 0;
    let added = 0;
    for await (const batch of this.cases.runningDeadlines()) {
      deadlines += batch.length;
      added += await this.timers.schedule(batch);
    }
    if (added > 0)
      this.logger.log({ deadlines, added }, 'deadline timers re-derived from the database');
    return { deadlines, added };
  }

  onModuleInit(): void {
    this.tasks.register({
      name: 'deadline-rederive',
      intervalMs: this.config.delivery.reconcileIntervalMs,
      run: () => this.execute(),
    });
  }
}
