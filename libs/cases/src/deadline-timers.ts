import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { defineQueue, QUEUE_OPERATION_TIMEOUT_MS, whileQueueReachable } from '#libs/bus';
import type { DeadlineProfiles } from '#libs/deadlines';
import { canonicalDigest } from '#libs/kernel';
import { Clock, NODE_CONFIG, type NodeConfig } from '#libs/node-config';
import { PeriodicTasks } from '#libs/scheduling';
import type { DeadlineRow } from './case.repository.js';
import { DEADLINE_PROFILES } from './deadline-profiles.js';
import { DeadlineTimerRepository, type OpenTimer } from './deadline-timer.repository.js';

/** BullMQ scores a delayed job as (due instant in ms) * 0x1000 + a counter (getDelayedScore.lua). */
const DELAYED_SCORE_FACTOR = 0x1000;
const TIMER_MISSING = -1;
const TIMER_NOT_DELAYED = -2;
const TIMER_STATES_CHUNK = 1000;
const ADD_CHUNK = 1000;
/** Redis time allowed per timer on top of the base wait, so that long feeds are bounded too. */
const MS_PER_TIMER = 2;
/** Timers one feed pass may put in Redis (about 1 KiB each there). */
const FEED_LIMIT = 20_000;
/** Deadlines whose timers are derived per transaction. */
const DERIVE_BATCH = 500;
const TIMER_STATES_COMMAND = 'deadlineTimerStates';
/**
 * KEYS[1] the queue's delayed set, ARGV[1] the queue's key prefix, ARGV[2..] job ids. For each id:
 * -1 when the job does not exist, -2 when it exists but is not delayed, else its delayed score.
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
  /** The timer's rank: for reminders their order, earliest first; 0 for the expiry. */
  index: number;
  /** The timer row's version when queued: a moved timer's earlier job claims nothing. */
  version: string;
  /** When the timer is due, by the node's clock. */
  at: string;
}

/** The deadline queue's jobs: a reminder or the expiry of a deadline, both with the same payload. */
export interface DeadlineJobs {
  reminder: DeadlineJobData & { kind: 'reminder' };
  expiry: DeadlineJobData & { kind: 'expiry' };
}

/**
 * The deadline timer queue, owned here: job map, producer (DeadlineHorizonFeed), handler
 * (DeadlineProcessor). Eight at a time (each one short transaction, within the pool of 10): the
 * overdue timers a cold start finds drain before those due just after it.
 */
export const DEADLINE_QUEUE = defineQueue<DeadlineJobs>({
  name: 'deadlines',
  jobs: ['reminder', 'expiry'],
  worker: () => ({ concurrency: 8, maxStalledCount: 100 }),
  faultContext: (data) => ({ deadlineId: data.deadlineId, kind: data.kind }),
});

/** One job per timer version: adding it twice is harmless. BullMQ ids may not contain ':'. */
function timerOf(timer: OpenTimer): Timer {
  return {
    id: `${timer.kind}_${timer.deadlineId}_${timer.rank}_v${timer.version}`,
    data: {
      deadlineId: timer.deadlineId,
      kind: timer.kind,
      index: timer.rank,
      version: timer.version,
      at: timer.dueAt.toISOString(),
    },
  };
}

/**
 * The Redis side of deadline timers: BullMQ delayed jobs for the timers due within the horizon
 * (PostgreSQL holds them all, see DeadlineTimerRepository). Queueing a timer twice is harmless, and
 * a job whose timer was moved, closed or already fired claims nothing when it runs.
 */
@Injectable()
export class DeadlineTimers {
  constructor(
    @InjectQueue(DEADLINE_QUEUE.name) private readonly queue: Queue<DeadlineJobData>,
    private readonly rows: DeadlineTimerRepository,
    private readonly clock: Clock,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {}

  /** Connections on which the timer-states script is defined. */
  private readonly statesCommandDefined = new WeakSet<object>();

  /** The end of the horizon by the node's clock: timers due before it belong in Redis. */
  horizonEnd(): Date {
    return new Date(this.clock.now().getTime() + this.config.deadlines.horizonMs);
  }

  /**
   * Queues the timers of deadlines a message has just changed that fall due within the horizon,
   * so that they do not wait for the next feed; the others stay in PostgreSQL until then.
   */
  async schedule(rows: DeadlineRow[]): Promise<number> {
    const timers = await this.rows.dueOf(rows, this.horizonEnd());
    return this.enqueue(timers);
  }

  /**
   * Adds these timers (in the order given) where Redis lacks them, and moves delayed ones to their
   * delay by the node's clock.
   */
  async enqueue(open: OpenTimer[]): Promise<number> {
    if (open.length === 0) return 0;
    const timers = open.map(timerOf);
    // While Redis is away this fails at once (QUEUE_UNAVAILABLE) rather than hold the caller:
    // the next horizon feed queues the timers from PostgreSQL once it is back.
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
    // In chunks, in due order: a timer already due waits behind those due before it.
    for (let i = 0; i < missing.length; i += ADD_CHUNK) {
      await this.add(missing.slice(i, i + ADD_CHUNK));
    }
    await Promise.all(drifted.map((timer) => this.realign(timer)));
    return missing.length;
  }

  private add(timers: Timer[]): Promise<unknown> {
    const now = this.clock.now().getTime();
    return this.queue.addBulk(
      timers.map((timer) => ({
        name: timer.data.kind,
        data: timer.data,
        opts: {
          jobId: timer.id,
          delay: Math.max(0, Date.parse(timer.data.at) - now),
          // A timer that faults (the database restarting as it fires) tries again for about a
          // quarter of an hour: the feed does not bring back a timer that exists, failed.
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
 * The node's leader moves the timers due within the horizon from PostgreSQL into Redis, oldest
 * first, at start-up (so that a worker started cold fires what is overdue first) and then every
 * feed interval. Each pass reads only the horizon. Deadlines whose timers are to be derived again
 * (stored before migration 0014, or of a profile that changed) are worked through soonest due
 * first, for at most half an interval per pass, so that the feed keeps its pace meanwhile.
 */
@Injectable()
export class DeadlineHorizonFeed implements OnModuleInit {
  private readonly logger = new Logger(DeadlineHorizonFeed.name);
  private readonly digests: ReadonlyMap<string, string>;

  constructor(
    private readonly rows: DeadlineTimerRepository,
    private readonly timers: DeadlineTimers,
    private readonly tasks: PeriodicTasks,
    private readonly clock: Clock,
    @Inject(DEADLINE_PROFILES) profiles: DeadlineProfiles,
    @Inject(NODE_CONFIG) private readonly config: NodeConfig,
  ) {
    this.digests = new Map(profiles.profiles.map((p) => [p.id, canonicalDigest(p)]));
  }

  async execute(): Promise<{ due: number; added: number; derived: number }> {
    const fed = await this.feed();
    const flagged = await this.rows.flagChangedProfiles(this.digests, this.clock.now());
    if (flagged > 0) {
      this.logger.log({ deadlines: flagged }, 'deadline profiles changed: timers to derive again');
    }
    let derived = 0;
    const until = Date.now() + this.config.deadlines.feedIntervalMs / 2;
    while (Date.now() < until) {
      const batch = await this.rows.derivePending(DERIVE_BATCH);
      if (batch === 0) break;
      derived += batch;
    }
    if (derived === 0) return { ...fed, derived };
    this.logger.log({ deadlines: derived }, 'deadline timers derived');
    const again = await this.feed();
    return { due: fed.due + again.due, added: fed.added + again.added, derived };
  }

  /**
   * One pass: at most FEED_LIMIT timers, oldest first. After a long outage the rest follow as
   * these fire, so that Redis never holds more than that many timers from the feed.
   */
  private async feed(): Promise<{ due: number; added: number }> {
    const due = await this.rows.dueBefore(this.timers.horizonEnd(), FEED_LIMIT);
    const added = await this.timers.enqueue(due);
    return { due: due.length, added };
  }

  onModuleInit(): void {
    this.tasks.register({
      name: 'deadline-horizon-feed',
      intervalMs: this.config.deadlines.feedIntervalMs,
      run: () => this.execute(),
    });
  }
}
