import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { redisTransportOptions } from '#libs/bus';
import {
  CaseRepository,
  DEADLINE_QUEUE,
  DeadlineRederivation,
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
const POLL_INTERVAL_MS = 200;
/** Give up on start-up re-derivation when the timer count has not grown for this long. */
const REDERIVATION_STALL_MS = 120_000;
const REDERIVATION_MAX_MS = 20 * 60_000;
/** How long after the last due instant (or the end of re-derivation) to wait for expiries. */
const FIRING_GRACE_MS = 120_000;
/** BullMQ scores delayed jobs as (due ms) * 0x1000 + a counter. */
const DELAYED_SCORE_FACTOR = 0x1000;

interface Options {
  deadlines: number;
  soon: number;
  windowStartMs: number;
  windowEndMs: number;
  steadyPasses: number;
  keep: boolean;
}

/** One generated deadline, with what the engine says its timers are. */
interface Generated {
  requestId: string;
  deadlineId: string;
  caseReference: string;
  openedAt: Date;
  clock: DeadlineClock;
  remindersSent: number;
  timers: number;
  suggested: { date: string; reasons: string } | null;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      deadlines: { type: 'string', default: '100000' },
      soon: { type: 'string', default: '2000' },
      'window-start-ms': { type: 'string', default: '5000' },
      'window-end-ms': { type: 'string', default: '60000' },
      'steady-passes': { type: 'string', default: '2' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const options: Options = {
    deadlines: positiveInteger('--deadlines', values.deadlines),
    soon: positiveInteger('--soon', values.soon),
    windowStartMs: positiveInteger('--window-start-ms', values['window-start-ms']),
    windowEndMs: positiveInteger('--window-end-ms', values['window-end-ms']),
    steadyPasses: positiveInteger('--steady-passes', values['steady-passes']),
    keep: values.keep,
  };
  if (options.soon > options.deadlines) throw new Error('--soon must not exceed --deadlines');
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
    caseReference: `BENCH-DL-${String(index).padStart(6, '0')}`,
    openedAt: startedAt,
    clock,
    remindersSent,
    timers: reminders.length - remindersSent + 1,
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
function farDeadlines(
  count: number,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
  now: number,
): Generated[] {
  return Array.from({ length: count }, (_, i) => {
    const startedAt = new Date(now - Math.floor(randomBetween(0, 45 * DAY_MS)));
    let suggested: Date | undefined;
    if (i % 5 === 0) {
      const day = new Date(now + randomBetween(10, 180) * DAY_MS).toISOString().slice(0, 10);
      suggested = new Date(`${day}T23:59:59.999Z`);
    }
    return generate(startedAt, suggested, profile, calendar, now, i);
  });
}

/**
 * Deadlines due in [base + windowStart, base + windowEnd], spread evenly, started 8 to 50 days
 * ago with a suggested deadline (so their due instant is exact); their reminders are all past.
 */
function soonDeadlines(
  count: number,
  first: number,
  options: Options,
  profile: DeadlineProfile,
  calendar: DeadlineCalendar,
  base: number,
): Generated[] {
  const span = options.windowEndMs - options.windowStartMs;
  return Array.from({ length: count }, (_, i) => {
    const dueAt = base + options.windowStartMs + (count === 1 ? 0 : (i * span) / (count - 1));
    const startedAt = new Date(base - Math.floor(randomBetween(8, 50) * DAY_MS));
    return generate(startedAt, new Date(Math.round(dueAt)), profile, calendar, base, first + i);
  });
}

async function insertDeadlines(
  pool: pg.Pool,
  schema: string,
  rows: readonly Generated[],
  requestState: ProcedureState,
  calendar: DeadlineCalendar,
  cipher: ColumnCipher,
): Promise<void> {
  for (let offset = 0; offset < rows.length; offset += INSERT_BATCH) {
    const batch = rows.slice(offset, offset + INSERT_BATCH);
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
        `insert into ${schema}.requests (id, case_reference, procedure, role, counterparts, status,
           state, deadline_profiles, suggested_deadline, opened_at, updated_at)
         select id, case_reference, 'mla', 'requested', $6::text[], $7, state, $8::text[],
                suggested, opened_at, opened_at
           from unnest($1::uuid[], $2::text[], $3::bytea[], $4::bytea[], $5::timestamptz[])
             as s(id, case_reference, state, suggested, opened_at)`,
        [
          batch.map((r) => r.requestId),
          batch.map((r) => r.caseReference),
          batch.map((r) => cipher.seal('requests.state', r.requestId, requestState)),
          batch.map((r) =>
            r.suggested
              ? cipher.seal('requests.suggested_deadline', r.requestId, r.suggested)
              : null,
          ),
          batch.map((r) => r.openedAt.toISOString()),
          [REQUESTER],
          requestState.status,
          [PROFILE_ID],
        ],
      );
      await client.query(
        `insert into ${schema}.deadlines (id, request_id, profile_id, status, due_at, clock,
           executing_state, time_zone, reminders_sent, updated_at)
         select id, request_id, $7, 'running', due_at, clock, $8, $9, reminders_sent,
                updated_at
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
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    } finally {
      client.release();
    }
  }
}

async function expiredAmong(pool: pg.Pool, schema: string, ids: string[]): Promise<Set<string>> {
  const { rows } = await pool.query<{ id: string }>(
    `select id from ${schema}.deadlines where status = 'expired' and id = any($1::uuid[])`,
    [ids],
  );
  return new Set(rows.map((row) => row.id));
}

async function redisUsedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

/**
 * Lua script calls Redis has run so far (all clients): during a pass with every timer present they
 * are the timer look-ups and any changeDelay, as adding no timer runs no script.
 */
async function redisScriptCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return [...stats.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce(
    (sum, match) => sum + Number(match[1]),
    0,
  );
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
  const delayedKey = `${prefix}:${DEADLINE_QUEUE.name}:delayed`;
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

    // 1. The open deadlines, inserted as the procedure tracker would have stored them.
    const farCount = options.deadlines - options.soon;
    const generationStartedAt = performance.now();
    const now = Date.now();
    const far = farDeadlines(farCount, profile, calendar, now);
    const generationMs = performance.now() - generationStartedAt;
    progress(`generated ${farCount} far-future clocks in ${Math.round(generationMs)} ms`);
    const insertStartedAt = performance.now();
    await insertDeadlines(pool, schema, far, requestState, calendar, cipher);
    const soonBase = Date.now();
    const soon = soonDeadlines(options.soon, farCount, options, profile, calendar, soonBase);
    await insertDeadlines(pool, schema, soon, requestState, calendar, cipher);
    const insertMs = performance.now() - insertStartedAt;
    progress(
      `inserted ${options.deadlines} requests and running deadlines in ${Math.round(insertMs)} ms`,
    );
    await pool.query(`analyze ${schema}.deadlines`);

    const farCutoff = now + DAY_MS;
    if (far.some((row) => row.clock.dueAt.getTime() - 9 * DAY_MS < farCutoff)) {
      throw new Error('a far-future deadline would fire during the benchmark');
    }
    const expectedFar = far.reduce((sum, row) => sum + row.timers, 0);
    const expectedSoon = soon.reduce((sum, row) => sum + row.timers, 0);
    const expected = expectedFar + expectedSoon;
    const { rows: dbCounts } = await pool.query<{ running: number }>(
      `select count(*)::int as running from ${schema}.deadlines where status = 'running'`,
    );
    if (dbCounts[0].running !== options.deadlines) {
      throw new Error(
        `expected ${options.deadlines} running deadlines, found ${dbCounts[0].running}`,
      );
    }
    const soonIds = soon.map((row) => row.deadlineId);
    const soonJobKeys = soon.map(
      (row) =>
        `${prefix}:${DEADLINE_QUEUE.name}:expiry_${row.deadlineId}_${row.clock.dueAt.getTime()}`,
    );
    const redisBefore = await redisUsedMemory(redis);

    // 2. Start-up re-derivation: the worker starts with no timer in Redis.
    progress(`starting the worker: ${expected} timers expected (${expectedFar} far-future)`);
    const workerSpawnedAt = Date.now();
    const worker = network.start(id, 'worker');
    const pid = worker.pid;
    let peakRss = 0;
    let firstTimerAt: number | undefined;
    let completeAt: number | undefined;
    let farPresent = 0;
    let soonPresent = 0;
    let lastGrowthAt = Date.now();
    let lastCount = -1;
    let lastReportAt = 0;
    for (;;) {
      if (!network.isRunning(id, 'worker')) {
        throw new Error(`the worker exited; see ${network.logFile(id, 'worker')}`);
      }
      farPresent = await redis.zcount(delayedKey, farCutoff * DELAYED_SCORE_FACTOR, '+inf');
      // Timers due soon may have fired (and been removed) already: those count as present. They
      // are looked up once the far-future ones are all there, to keep the polling light.
      if (farPresent >= expectedFar) {
        const expired = await expiredAmong(pool, schema, soonIds);
        const pipeline = redis.pipeline();
        for (const key of soonJobKeys) pipeline.exists(key);
        const results = (await pipeline.exec()) ?? [];
        soonPresent = soonIds.filter(
          (deadlineId, i) => expired.has(deadlineId) || Number(results[i]?.[1]) === 1,
        ).length;
      }
      const at = Date.now();
      peakRss = Math.max(peakRss, procStatusBytes(pid, 'VmRSS') ?? 0);
      const count = farPresent + soonPresent;
      if (count > 0 && firstTimerAt === undefined) firstTimerAt = at;
      if (count !== lastCount) {
        lastCount = count;
        lastGrowthAt = at;
      }
      if (farPresent >= expectedFar && soonPresent >= expectedSoon) {
        completeAt = at;
        break;
      }
      if (at - lastReportAt >= 5_000) {
        progress(
          `far-future timers present: ${farPresent}/${expectedFar} after ${at - workerSpawnedAt} ms`,
        );
        lastReportAt = at;
      }
      if (at - lastGrowthAt > REDERIVATION_STALL_MS || at - workerSpawnedAt > REDERIVATION_MAX_MS) {
        progress(`re-derivation did not complete: ${count}/${expected} timers`);
        break;
      }
      await sleep(POLL_INTERVAL_MS);
    }
    const rssAfterRederivation = procStatusBytes(pid, 'VmRSS');
    const hwmAfterRederivation = procStatusBytes(pid, 'VmHWM');
    const delayedTotal = await redis.zcard(delayedKey);
    const redisAfter = await redisUsedMemory(redis);
    const rederivationMs = (completeAt ?? Date.now()) - workerSpawnedAt;
    const rederivationFromFirstMs =
      firstTimerAt === undefined ? null : (completeAt ?? Date.now()) - firstTimerAt;
    progress(
      completeAt
        ? `all ${expected} timers present ${rederivationMs} ms after the worker was spawned`
        : `gave up after ${rederivationMs} ms`,
    );

    // 3. Firing delay of the deadlines due soon, with the far-future timers in the delayed set.
    const lastDue = soonBase + options.windowEndMs;
    const firingDeadline = Math.max(lastDue, Date.now()) + FIRING_GRACE_MS;
    let fired = 0;
    lastReportAt = 0;
    while (Date.now() < firingDeadline) {
      const expired = await expiredAmong(pool, schema, soonIds);
      fired = expired.size;
      if (fired >= options.soon) break;
      if (Date.now() - lastReportAt >= 5_000) {
        progress(`expired ${fired}/${options.soon}`);
        lastReportAt = Date.now();
      }
      await sleep(500);
    }
    const rssAfterFiring = procStatusBytes(pid, 'VmRSS');
    const hwmAfterFiring = procStatusBytes(pid, 'VmHWM');
    const { rows: delays } = await pool.query<{ delay_ms: number; due_ms: number; early: boolean }>(
      `select (extract(epoch from a.occurred_at - d.due_at) * 1000)::float8 as delay_ms,
              (extract(epoch from d.due_at) * 1000)::float8 as due_ms,
              a.occurred_at < d.due_at as early
         from ${schema}.audit_log a
         join ${schema}.deadlines d
           on d.request_id = (a.details->>'requestId')::uuid
          and d.profile_id = a.details->>'profileId'
        where a.event = 'deadline.expired' and d.id = any($1::uuid[])`,
      [soonIds],
    );
    const dueAfterSpawn = soon.map((row) => row.clock.dueAt.getTime() - workerSpawnedAt);
    // Deadlines due once every timer existed show the firing delay itself; those due before show
    // how late a slow start-up re-derivation makes them.
    const readyAt = completeAt ?? Number.POSITIVE_INFINITY;
    const dueAfterReady = delays.filter((row) => row.due_ms >= readyAt);
    const dueBeforeReady = delays.filter((row) => row.due_ms < readyAt);

    // 4. Re-derivation run in this process once the worker has stopped: cold (Redis state lost),
    //    then with every timer present (what the worker repeats every GATEWAY_RECONCILE_INTERVAL_MS).
    progress('stopping the worker');
    await network.stop(id, 'worker');
    queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE.name, {
      connection: { ...redisTransportOptions(network.redisUrl), maxRetriesPerRequest: null },
      prefix,
    });
    db = createDatabase(network.databaseUrl, schema);
    const rederivation = new DeadlineRederivation(
      new CaseRepository(db, cipher),
      new DeadlineTimers(queue, profiles, new SystemClock()),
      // Run here by hand, not as a periodic task.
      new PeriodicTasks(new NodeLeadership(config)),
      config,
    );
    // A cold pass first, as after the loss of Redis state: every timer is added again.
    await unlinkMatching(redis, `${prefix}:${DEADLINE_QUEUE.name}:*`);
    const coldStartedAt = performance.now();
    const coldReport = await rederivation.execute();
    const coldMs = performance.now() - coldStartedAt;
    const coldTimers = await redis.zcard(delayedKey);
    progress(`cold pass: ${Math.round(coldMs)} ms, ${JSON.stringify(coldReport)}`);
    const steady: Array<{
      ms: number;
      deadlines: number;
      added: number;
      redisScriptCalls: number;
    }> = [];
    for (let pass = 0; pass < options.steadyPasses; pass++) {
      const scriptsBefore = await redisScriptCalls(redis);
      const startedAt = performance.now();
      const report = await rederivation.execute();
      const ms = performance.now() - startedAt;
      const scripts = (await redisScriptCalls(redis)) - scriptsBefore;
      steady.push({ ms: Math.round(ms), ...report, redisScriptCalls: scripts });
      progress(`steady-state pass ${pass + 1}: ${Math.round(ms)} ms, ${JSON.stringify(report)}`);
    }
    const steadyDeadlines = steady[0]?.deadlines ?? 0;
    const steadyMs = steady.map((s) => s.ms);

    return {
      deadlines: {
        total: options.deadlines,
        farFuture: farCount,
        dueSoon: options.soon,
        profile: PROFILE_ID,
        executingState: calendar.state,
        timeZone: calendar.timeZone,
        generationMs: Math.round(generationMs),
        insertMs: Math.round(insertMs),
        insertRowsPerSecond: Math.round((options.deadlines * 3) / (insertMs / 1000)),
      },
      startupRederivation: {
        complete: completeAt !== undefined,
        expectedTimers: expected,
        expectedFarFutureTimers: expectedFar,
        presentTimers: farPresent + soonPresent,
        delayedSetSize: delayedTotal,
        msFromWorkerSpawn: rederivationMs,
        msFromFirstTimer: rederivationFromFirstMs,
        timersPerSecond: round(expected / (rederivationMs / 1000)),
        timersPerSecondFromFirstTimer:
          rederivationFromFirstMs === null
            ? null
            : round(expected / (rederivationFromFirstMs / 1000)),
        workerRssMiB: {
          peakSampled: mib(peakRss),
          afterRederivation: mib(rssAfterRederivation),
          highWaterMark: mib(hwmAfterRederivation),
        },
        redisUsedMemoryDeltaMiB: mib(redisAfter - redisBefore),
      },
      firing: {
        dueWindowAfterWorkerSpawnMs: {
          first: Math.min(...dueAfterSpawn),
          last: Math.max(...dueAfterSpawn),
        },
        timersPresentWhileFiring: delayedTotal,
        deadlines: options.soon,
        fired: delays.length,
        firedBeforeDue: delays.filter((row) => row.early).length,
        delayMs: percentiles(delays.map((row) => row.delay_ms)),
        dueAfterAllTimersPresent: {
          fired: dueAfterReady.length,
          delayMs: percentiles(dueAfterReady.map((row) => row.delay_ms)),
        },
        dueDuringRederivation: {
          fired: dueBeforeReady.length,
          delayMs: percentiles(dueBeforeReady.map((row) => row.delay_ms)),
        },
        workerRssMiB: { afterFiring: mib(rssAfterFiring), highWaterMark: mib(hwmAfterFiring) },
      },
      coldRederivationInProcess: {
        ms: Math.round(coldMs),
        ...coldReport,
        delayedTimers: coldTimers,
        timersPerSecond: round(coldReport.added / (coldMs / 1000)),
      },
      steadyStateRederivation: {
        reconcileIntervalMs: config.delivery.reconcileIntervalMs,
        runningDeadlines: steadyDeadlines,
        passes: steady,
        timersPerSecond: round(
          (expectedFar / (steadyMs.reduce((a, b) => a + b, 0) / steadyMs.length)) * 1000,
        ),
      },
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
