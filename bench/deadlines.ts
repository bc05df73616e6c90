import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { queueConnection } from '#libs/bus';
import {
  CaseRepository,
  DEADLINE_QUEUE,
  DeadlineHorizonFeed,
  DeadlineTimerRepository,
  DeadlineTimers,
  loadCheckedDeadlineProfiles,
  type DeadlineJobData,
} from '#libs/cases';
import {
  applyDeadlineEvent,
  deadlineCalendar,
  remindersDue,
  type DeadlineCalendar,
  type DeadlineClock,
  type DeadlineProfile,
} from '#libs/deadlines';
import { LocalNetwork, mlaRequest, repoRoot, type NodeSpec } from '#tools/local-network';
import { loadNodeConfig, SystemClock } from '#libs/node-config';
import { createDatabase, readDataKeys, type ColumnCipher } from '#libs/persistence';
import { NodeLeadership, PeriodicTasks } from '#libs/scheduling';
import { applyMessage, applySystemEvent, type ProcedureState } from '#libs/procedures';
import { machineInfo, percentiles, positiveInteger, progressOf, round, sleep } from './support.js';

const progress = progressOf('bench:deadlines');

const NODE: NodeSpec = {
  authorityId: 'NG-MOJ-CA',
  state: 'NG',
  name: 'Federal Ministry of Justice, Central Authority Unit',
  kind: 'central-authority',
  procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
  port: 4311,
};
/** The requesting authority of every request: this node is the requested (executing) side. */
const REQUESTER = 'FR-MOJ-BEPI';
const PROFILE_ID = 'untoc-mla';
const DAY_MS = 24 * 3600 * 1000;
const INSERT_BATCH = 5000;
const POLL_INTERVAL_MS = 250;
const REDIS_SAMPLE_INTERVAL_MS = 2000;
/** Time allowed to insert the overdue and soon deadlines before the worker is spawned. */
const SPAWN_LEAD_MS = 5000;
/** How long after the last due instant to wait for expiries. */
const FIRING_GRACE_MS = 60_000;
/** Timers due within this span after the worker is spawned count as due "after a cold start". */
const COLD_START_WINDOW_MS = 60_000;
const FEED_PASSES = 3;

interface Options {
  deadlines: number;
  soon: number;
  overdue: number;
  windowStartMs: number;
  windowEndMs: number;
  keep: boolean;
}

interface Timer {
  kind: 'reminder' | 'expiry';
  rank: number;
  dueAt: Date;
}

/** One generated deadline, with the timers its clock calls for (as the tracker stores them). */
interface Generated {
  requestId: string;
  deadlineId: string;
  caseReference: string;
  openedAt: Date;
  clock: DeadlineClock;
  remindersSent: number;
  timers: Timer[];
  suggested: { date: string; reasons: string } | null;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      deadlines: { type: 'string', default: '100000' },
      soon: { type: 'string', default: '2000' },
      overdue: { type: 'string', default: '500' },
      'window-start-ms': { type: 'string', default: '5000' },
      'window-end-ms': { type: 'string', default: '120000' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const options: Options = {
    deadlines: positiveInteger('--deadlines', values.deadlines),
    soon: positiveInteger('--soon', values.soon),
    overdue: positiveInteger('--overdue', values.overdue),
    windowStartMs: positiveInteger('--window-start-ms', values['window-start-ms']),
    windowEndMs: positiveInteger('--window-end-ms', values['window-end-ms']),
    keep: values.keep,
  };
  if (options.soon + options.overdue >= options.deadlines) {
    throw new Error('--soon plus --overdue must be fewer than --deadlines');
  }
  if (options.windowEndMs <= options.windowStartMs) {
    throw new Error('--window-end-ms must be after --window-start-ms');
  }
  return options;
}

/** A field of /proc/<pid>/status in bytes (VmRSS, VmHWM), when the process still runs. */
function procStatusBytes(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function mib(bytes: number | null): number | null {
  return bytes === null ? null : round(bytes / 1024 ** 2, 1);
}

function randomBetween(min: number, max: number): number {
  return min + Math.random() * (max - min);
}

/** The procedure state of an MLA request received and acknowledged by receipt. */
function receivedRequestState(): ProcedureState {
  const received = applyMessage({
    procedure: 'mla',
    messageType: 'request',
    senderRole: 'requesting',
    sender: REQUESTER,
    body: mlaRequest(REQUESTER),
  });
  try {
    return applySystemEvent({ procedure: 'mla', state: received, event: 'delivered' });
  } catch {
    return received;
  }
}

/**
 * A running deadline started by the engine, as the procedure tracker would have started it, with
 * the reminders already due by now counted as sent (the worker sent them before the restart).
 */
function generate(
  startedAt: Date,
  suggestedDueAt: Date | undefined,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
  now: number,
  index: number,
): Generated {
  const clock = applyDeadlineEvent(
    undefined,
    { type: 'start', at: startedAt, ...(suggestedDueAt ? { suggestedDueAt } : {}) },
    profile,
    calendar,
  );
  const reminders = remindersDue(clock, profile, calendar);
  const remindersSent = reminders.filter((reminder) => reminder.at.getTime() <= now).length;
  return {
    requestId: uuidv7({ msecs: startedAt.getTime() }),
    deadlineId: uuidv7({ msecs: startedAt.getTime() }),
    caseReference: `BENCH-DL-${String(index).padStart(7, '0')}`,
    openedAt: startedAt,
    clock,
    remindersSent,
    timers: [
      ...reminders
        .map((reminder, rank) => ({ kind: 'reminder' as const, rank, dueAt: reminder.at }))
        .filter(({ rank }) => rank >= remindersSent),
      { kind: 'expiry', rank: 0, dueAt: clock.dueAt },
    ],
    suggested: suggestedDueAt
      ? {
          date: suggestedDueAt.toISOString().slice(0, 10),
          reasons: 'Trial listed shortly after the suggested date',
        }
      : null,
  };
}

/**
 * Deadlines due far in the future: started up to 45 days ago on the 60-day service level, or on
 * the requesting State's suggested date (end of day, UTC) 10 to 180 days from now.
 */
function farDeadline(
  index: number,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
  now: number,
): Generated {
  const startedAt = new Date(now - Math.floor(randomBetween(0, 45 * DAY_MS)));
  let suggested: Date | undefined;
  if (index % 5 === 0) {
    const day = new Date(now + randomBetween(10, 180) * DAY_MS).toISOString().slice(0, 10);
    suggested = new Date(`${day}T23:59:59.999Z`);
  }
  return generate(startedAt, suggested, profile, calendar, now, index);
}

/** Deadlines due at the given instants (a suggested deadline makes them exact), reminders past. */
function deadlinesDueAt(
  dueAts: number[],
  first: number,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
  now: number,
): Generated[] {
  return dueAts.map((dueAt, i) => {
    const startedAt = new Date(now - Math.floor(randomBetween(8, 50) * DAY_MS));
    return generate(startedAt, new Date(Math.round(dueAt)), profile, calendar, now, first + i);
  });
}

function spread(count: number, from: number, to: number): number[] {
  return Array.from({ length: count }, (_, i) =>
    count === 1 ? from : from + (i * (to - from)) / (count - 1),
  );
}

async function insertDeadlines(
  pool: pg.Pool,
  schema: string,
  batch: readonly Generated[],
  requestState: ProcedureState,
  calendar: DeadlineCalendar,
  cipher: ColumnCipher,
): Promise<void> {
  const timers = batch.flatMap((r) => r.timers.map((t) => ({ ...t, row: r })));
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into ${schema}.cases (reference, opened_at, opened_by)
       select reference, opened_at, $3 from unnest($1::text[], $2::timestamptz[])
         as s(reference, opened_at)`,
      [batch.map((r) => r.caseReference), batch.map((r) => r.openedAt.toISOString()), REQUESTER],
    );
    await client.query(
      `insert into ${schema}.requests (id, authority, case_reference, procedure, role,
         counterparts, status, state, deadline_profiles, suggested_deadline, opened_at, updated_at)
       select id, $9, case_reference, 'mla', 'requested', $6::text[], $7, state, $8::text[],
              suggested, opened_at, opened_at
         from unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[], $5::timestamptz[])
           as s(id, case_reference, state, suggested, opened_at)`,
      [
        batch.map((r) => r.requestId),
        batch.map((r) => r.caseReference),
        batch.map((r) => cipher.seal('requests.state', r.requestId, requestState)),
        batch.map((r) =>
          r.suggested ? cipher.seal('requests.suggested_deadline', r.requestId, r.suggested) : null,
        ),
        batch.map((r) => r.openedAt.toISOString()),
        [REQUESTER],
        requestState.status,
        [PROFILE_ID],
        NODE.authorityId,
      ],
    );
    await client.query(
      `insert into ${schema}.deadlines (id, request_id, profile_id, status, due_at, clock,
         executing_state, time_zone, reminders_sent, updated_at)
       select id, request_id, $7, 'running', due_at, clock, $8, $9, reminders_sent, updated_at
         from unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::bytea[], $5::int[],
                     $6::timestamptz[])
           as s(id, request_id, due_at, clock, reminders_sent, updated_at)`,
      [
        batch.map((r) => r.deadlineId),
        batch.map((r) => r.requestId),
        batch.map((r) => r.clock.dueAt.toISOString()),
        batch.map((r) => cipher.seal('deadlines.clock', r.deadlineId, r.clock)),
        batch.map((r) => r.remindersSent),
        batch.map((r) => r.openedAt.toISOString()),
        PROFILE_ID,
        calendar.state,
        calendar.timeZone,
      ],
    );
    await client.query(
      `insert into ${schema}.deadline_timers (deadline_id, kind, rank, request_id, authority,
         due_at)
       select deadline_id, kind, rank, request_id, $6, due_at
         from unnest($1::uuid[], $2::text[], $3::int[], $4::uuid[], $5::timestamptz[])
           as s(deadline_id, kind, rank, request_id, due_at)`,
      [
        timers.map((t) => t.row.deadlineId),
        timers.map((t) => t.kind),
        timers.map((t) => t.rank),
        timers.map((t) => t.row.requestId),
        timers.map((t) => t.dueAt.toISOString()),
        NODE.authorityId,
      ],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/** The memory Redis holds for keys matching a pattern (MEMORY USAGE, every key): what the timers cost. */
async function keysMemory(redis: Redis, pattern: string): Promise<{ keys: number; bytes: number }> {
  let cursor = '0';
  let keys = 0;
  let bytes = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    if (found.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of found) pipeline.memory('USAGE', key, 'SAMPLES', '0');
    for (const [, usage] of (await pipeline.exec()) ?? []) {
      keys += 1;
      bytes += Number(usage ?? 0);
    }
  } while (cursor !== '0');
  return { keys, bytes };
}

/** Drops this benchmark's schema and Redis keys (and nothing else). */
async function wipe(pool: pg.Pool, redis: Redis, schema: string, prefix: string): Promise<void> {
  if (!schema.startsWith('bench_deadlines_') || !prefix.startsWith('{tip:bench_deadlines_')) {
    throw new Error(`refusing to wipe ${schema} / ${prefix}`);
  }
  await pool.query(`drop schema if exists ${schema} cascade`);
  await unlinkMatching(redis, `${prefix}:*`);
}

async function unlinkMatching(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

interface FiredRow {
  deadline_id: string;
  due_ms: number;
  fired_ms: number | null;
}

function delays(rows: FiredRow[], from: (row: FiredRow) => number) {
  const fired = rows.filter((row) => row.fired_ms !== null);
  return {
    timers: rows.length,
    fired: fired.length,
    firedBeforeDue: fired.filter((row) => row.fired_ms! < row.due_ms).length,
    delayMs: percentiles(fired.map((row) => row.fired_ms! - from(row))),
  };
}

async function run(options: Options): Promise<Record<string, unknown>> {
  const root = repoRoot();
  const profiles = loadCheckedDeadlineProfiles(join(root, 'config', 'deadlines'));
  const profile = profiles.get(PROFILE_ID);
  const calendar = deadlineCalendar(NODE.state);
  const requestState = receivedRequestState();

  const network = await LocalNetwork.create({
    name: 'bench_deadlines',
    workDir: join(root, '.bench-deadlines'),
    nodes: [NODE],
    env: { LOG_LEVEL: 'warn' },
  });
  const id = NODE.authorityId;
  const schema = network.schema(id);
  const prefix = network.prefix(id);
  const timerKeys = `${prefix}:${DEADLINE_QUEUE.name}:*`;
  const config = loadNodeConfig({
    ...network.environment(id),
    GATEWAY_CONFIG_FILE: join(root, 'config', 'gateway.json'),
  });
  // Rows are inserted sealed with the node's data key, as its repositories write them.
  const cipher = readDataKeys(network.environment(id));
  const pool = new pg.Pool({ connectionString: network.databaseUrl, max: 4 });
  const redis = new Redis(network.redisUrl, { maxRetriesPerRequest: 1 });
  let queue: Queue<DeadlineJobData> | undefined;
  let db: ReturnType<typeof createDatabase> | undefined;

  try {
    progress(`starting the ${id} gateway on port ${NODE.port} (it runs the migrations)`);
    network.start(id, 'gateway');
    await network.waitReady(id);

    // 1. The open deadlines and their timers, inserted as the procedure tracker stores them.
    const farCount = options.deadlines - options.soon - options.overdue;
    const now = Date.now();
    const insertStartedAt = performance.now();
    let farTimers = 0;
    let lastReportAt = 0;
    for (let offset = 0; offset < farCount; offset += INSERT_BATCH) {
      const batch = Array.from({ length: Math.min(INSERT_BATCH, farCount - offset) }, (_, i) =>
        farDeadline(offset + i, profile, calendar, now),
      );
      if (batch.some((row) => row.timers.some((t) => t.dueAt.getTime() < now + DAY_MS))) {
        throw new Error('a far-future timer would fire during the benchmark');
      }
      farTimers += batch.reduce((sum, row) => sum + row.timers.length, 0);
      await insertDeadlines(pool, schema, batch, requestState, calendar, cipher);
      if (Date.now() - lastReportAt > 10_000) {
        progress(`inserted ${offset + batch.length}/${farCount} far-future deadlines`);
        lastReportAt = Date.now();
      }
    }
    const insertMs = performance.now() - insertStartedAt;
    progress(`inserted ${farCount} deadlines (${farTimers} timers) in ${Math.round(insertMs)} ms`);
    await pool.query(`analyze ${schema}.deadlines`);
    await pool.query(`analyze ${schema}.deadline_timers`);

    // 2. Deadlines overdue when the worker starts (due in the 30 minutes before) and due soon
    //    after (window start to end), relative to the instant the worker is spawned.
    const spawnAt = Date.now() + SPAWN_LEAD_MS;
    const overdue = deadlinesDueAt(
      spread(options.overdue, spawnAt - 30 * 60_000, spawnAt - 1000),
      farCount,
      profile,
      calendar,
      spawnAt,
    );
    const soon = deadlinesDueAt(
      spread(options.soon, spawnAt + options.windowStartMs, spawnAt + options.windowEndMs),
      farCount + options.overdue,
      profile,
      calendar,
      spawnAt,
    );
    for (let offset = 0; offset < overdue.length; offset += INSERT_BATCH) {
      const batch = overdue.slice(offset, offset + INSERT_BATCH);
      await insertDeadlines(pool, schema, batch, requestState, calendar, cipher);
    }
    for (let offset = 0; offset < soon.length; offset += INSERT_BATCH) {
      const batch = soon.slice(offset, offset + INSERT_BATCH);
      await insertDeadlines(pool, schema, batch, requestState, calendar, cipher);
    }
    const { rows: counts } = await pool.query<{ deadlines: number; timers: number }>(
      `select (select count(*)::int from ${schema}.deadlines where status = 'running') as deadlines,
              (select count(*)::int from ${schema}.deadline_timers where fired_at is null) as timers`,
    );
    if (counts[0].deadlines !== options.deadlines) {
      throw new Error(
        `expected ${options.deadlines} running deadlines, found ${counts[0].deadlines}`,
      );
    }
    const redisBefore = await redisUsedMemory(redis);
    const timerMemoryBefore = await keysMemory(redis, timerKeys);
    if (Date.now() > spawnAt) throw new Error('inserting the soon deadlines took too long');
    await sleep(spawnAt - Date.now());

    // 3. A cold start: the worker starts with no timer in Redis.
    progress(`starting the worker: ${counts[0].timers} open timers in PostgreSQL`);
    const workerSpawnedAt = Date.now();
    network.start(id, 'worker');
    const pid = network.pid(id, 'worker');
    const watched = [...overdue, ...soon].map((row) => row.deadlineId);
    let peakRss = 0;
    let peakTimerMemory = timerMemoryBefore;
    let peakRedisUsed = redisBefore;
    let lastSampleAt = 0;
    let firedCount = 0;
    const firingDeadline = spawnAt + options.windowEndMs + FIRING_GRACE_MS;
    lastReportAt = 0;
    while (Date.now() < firingDeadline) {
      if (!network.isRunning(id, 'worker')) {
        throw new Error(`the worker exited; see ${network.logFile(id, 'worker')}`);
      }
      peakRss = Math.max(peakRss, procStatusBytes(pid, 'VmRSS') ?? 0);
      if (Date.now() - lastSampleAt >= REDIS_SAMPLE_INTERVAL_MS) {
        lastSampleAt = Date.now();
        const memory = await keysMemory(redis, timerKeys);
        if (memory.bytes > peakTimerMemory.bytes) peakTimerMemory = memory;
        peakRedisUsed = Math.max(peakRedisUsed, await redisUsedMemory(redis));
        const { rows } = await pool.query<{ fired: number }>(
          `select count(*)::int as fired from ${schema}.deadline_timers
            where kind = 'expiry' and fired_at is not null and deadline_id = any($1::uuid[])`,
          [watched],
        );
        firedCount = rows[0].fired;
        if (firedCount >= watched.length) break;
      }
      if (Date.now() - lastReportAt >= 10_000) {
        progress(`expired ${firedCount}/${watched.length}`);
        lastReportAt = Date.now();
      }
      await sleep(POLL_INTERVAL_MS);
    }
    const hwm = procStatusBytes(pid, 'VmHWM');
    const delayedSetSize = await redis.zcard(`${prefix}:${DEADLINE_QUEUE.name}:delayed`);

    const { rows: fired } = await pool.query<FiredRow>(
      `select deadline_id, (extract(epoch from due_at) * 1000)::float8 as due_ms,
              (extract(epoch from fired_at) * 1000)::float8 as fired_ms
         from ${schema}.deadline_timers
        where kind = 'expiry' and deadline_id = any($1::uuid[])`,
      [watched],
    );
    const { rows: farFired } = await pool.query<{ fired: number }>(
      `select count(*)::int as fired from ${schema}.deadline_timers
        where fired_at is not null and not (deadline_id = any($1::uuid[]))`,
      [watched],
    );
    const { rows: audited } = await pool.query<{ entries: number }>(
      `select count(*)::int as entries from ${schema}.audit_log where event = 'deadline.expired'`,
    );
    const overdueIds = new Set(overdue.map((row) => row.deadlineId));
    const overdueRows = fired.filter((row) => overdueIds.has(row.deadline_id));
    const soonRows = fired.filter((row) => !overdueIds.has(row.deadline_id));
    const coldWindow = soonRows.filter(
      (row) => row.due_ms < workerSpawnedAt + COLD_START_WINDOW_MS,
    );
    const afterWindow = soonRows.filter(
      (row) => row.due_ms >= workerSpawnedAt + COLD_START_WINDOW_MS,
    );
    // Overdue timers, in the order they fired: how many fired before one due earlier.
    const byFiring = overdueRows
      .filter((row) => row.fired_ms !== null)
      .sort((a, b) => a.fired_ms! - b.fired_ms!);
    let outOfOrder = 0;
    let latestDue = Number.NEGATIVE_INFINITY;
    for (const row of byFiring) {
      if (row.due_ms < latestDue) outOfOrder += 1;
      latestDue = Math.max(latestDue, row.due_ms);
    }
    const lastOverdueFired = Math.max(...byFiring.map((row) => row.fired_ms!));
    const firstSoonFired = Math.min(
      ...soonRows.filter((row) => row.fired_ms !== null).map((row) => row.fired_ms!),
    );

    // 4. Feed passes in this process with the worker stopped, over every open timer in
    //    PostgreSQL and an empty Redis: what the leader does every feed interval.
    progress('stopping the worker');
    await network.stop(id, 'worker');
    await unlinkMatching(redis, timerKeys);
    queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE.name, {
      connection: queueConnection({ url: network.redisUrl }),
      prefix,
    });
    db = createDatabase(network.databaseUrl, schema);
    const rows = new DeadlineTimerRepository(db, new CaseRepository(db, cipher), profiles);
    const feed = new DeadlineHorizonFeed(
      rows,
      new DeadlineTimers(queue, rows, new SystemClock(), config),
      // Run here by hand, not as a periodic task.
      new PeriodicTasks(new NodeLeadership(config)),
      new SystemClock(),
      profiles,
      config,
    );
    const passes: Array<{ ms: number; due: number; added: number }> = [];
    for (let pass = 0; pass < FEED_PASSES; pass++) {
      const startedAt = performance.now();
      const report = await feed.execute();
      passes.push({ ms: round(performance.now() - startedAt, 1), ...report });
    }
    progress(`feed passes: ${JSON.stringify(passes)}`);

    return {
      deadlines: {
        total: options.deadlines,
        farFuture: farCount,
        overdueAtColdStart: options.overdue,
        dueSoon: options.soon,
        openTimersInPostgres: counts[0].timers,
        profile: PROFILE_ID,
        executingState: calendar.state,
        timeZone: calendar.timeZone,
        insertMs: Math.round(insertMs),
      },
      horizon: {
        horizonMs: config.deadlines.horizonMs,
        feedIntervalMs: config.deadlines.feedIntervalMs,
        feedPassesInProcess: passes,
      },
      firing: {
        // Every timer due after the worker was spawned (window start to end).
        ...delays(soonRows, (row) => row.due_ms),
        afterColdStart: {
          dueWithinMsOfSpawn: COLD_START_WINDOW_MS,
          ...delays(coldWindow, (row) => row.due_ms),
        },
        afterFirstMinute: delays(afterWindow, (row) => row.due_ms),
        overdueAtColdStart: {
          ...delays(overdueRows, () => workerSpawnedAt),
          firedOutOfDueOrder: outOfOrder,
          allFiredBeforeFirstDueAfterStart: lastOverdueFired <= firstSoonFired,
        },
        farFutureTimersFired: farFired[0].fired,
        auditEntries: audited[0].entries,
      },
      redisTimerMemoryMiB: mib(peakTimerMemory.bytes),
      redisTimerKeysAtPeak: peakTimerMemory.keys,
      redisDelayedSetAtEnd: delayedSetSize,
      redisUsedMemoryPeakDeltaMiB: mib(peakRedisUsed - redisBefore),
      workerRssMiB: mib(Math.max(peakRss, hwm ?? 0)),
      workerRssDetailMiB: { peakSampled: mib(peakRss), highWaterMark: mib(hwm) },
      machine: machineInfo(),
    };
  } finally {
    progress('stopping the network');
    await network.stopAll();
    await queue?.close();
    await db?.destroy();
    if (!options.keep) {
      progress(`dropping ${schema} and the ${prefix}:* keys`);
      await wipe(pool, redis, schema, prefix).catch((error: Error) =>
        progress(`clean-up failed: ${error.message}`),
      );
      // The node's keys, directory, files and logs.
      rmSync(network.options.workDir, { recursive: true, force: true, maxRetries: 3 });
    }
    await pool.end();
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const report = await run(options);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
