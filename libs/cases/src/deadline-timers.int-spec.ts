import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { AuditTrail } from '#libs/audit';
import { MailboxEventLog, type EventsPublisher } from '#libs/bus';
import { DeadlineProfiles } from '#libs/deadlines';
import type { AuthorityDirectory } from '#libs/directory';
import { mlaRequest } from '#tools/local-network';
import { writeTogether } from '#libs/persistence';
import { Clock, type NodeConfig, type NodeIdentity } from '#libs/node-config';
import { NodeLeadership, PeriodicTasks } from '#libs/scheduling';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import { CaseRepository } from './case.repository.js';
import { loadCheckedDeadlineProfiles } from './deadline-profiles.js';
import { DeadlineTimerRepository, plannedTimers } from './deadline-timer.repository.js';
import {
  DEADLINE_QUEUE,
  DeadlineHorizonFeed,
  DeadlineTimers,
  type DeadlineJobData,
} from './deadline-timers.js';
import { HandleDeadlineDue } from './handle-deadline-due.use-case.js';
import { ProcedureTracker, type TrackedMessage } from './procedure-tracker.js';

/*
 * Deadline timers against the real PostgreSQL (their record) and Redis (the horizon): the feed
 * queues what is due in due order, a timer fires once whatever the duplicate jobs, a worker
 * started cold fires the overdue timers first, and timers follow their clock when it pauses,
 * resumes or closes.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REQUESTING = 'FR-MOJ-BEPI';
const REQUESTED = 'NG-MOJ-CA';
const DAY = 24 * 3600 * 1000;
const HORIZON_MS = 60_000;

/** The real clock, shifted as a test needs (GATEWAY_CLOCK_OFFSET_FILE does this for a node). */
class ShiftedClock extends Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

describe('deadline timers: PostgreSQL holds them, the horizon feed queues them', () => {
  let database: FreshDatabase;
  let redis: Redis;
  let queue: Queue<DeadlineJobData>;
  let prefix: string;
  let cases: CaseRepository;
  let rows: DeadlineTimerRepository;
  let tracker: ProcedureTracker;
  let timers: DeadlineTimers;
  let feed: DeadlineHorizonFeed;
  let handle: HandleDeadlineDue;
  let clock: ShiftedClock;
  let config: NodeConfig;
  let profiles: DeadlineProfiles;
  const workers: Array<{ worker: Worker; connection: Redis }> = [];
  let suite = 0;

  beforeAll(async () => {
    database = await freshDatabase('deadline_timers');
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  });

  afterAll(async () => {
    await database.close();
    redis.disconnect();
  });

  beforeEach(async () => {
    suite += 1;
    prefix = `int_deadline_timers_${process.pid}_${suite}`;
    clock = new ShiftedClock();
    config = {
      database: { url: database.url, schema: database.schema },
      deadlines: { horizonMs: HORIZON_MS, feedIntervalMs: 10_000 },
    } as NodeConfig;
    profiles = loadCheckedDeadlineProfiles();
    queue = new Queue<DeadlineJobData>(DEADLINE_QUEUE.name, { connection: redis, prefix });
    cases = new CaseRepository(database.db, database.cipher);
    rows = new DeadlineTimerRepository(database.db, cases, profiles);
    tracker = new ProcedureTracker(
      cases,
      rows,
      { find: () => ({ state: 'FR' }) } as unknown as AuthorityDirectory,
      { hostedAuthority: () => ({ state: 'NG' }) } as unknown as NodeIdentity,
      profiles,
    );
    timers = new DeadlineTimers(queue, rows, clock, config);
    feed = new DeadlineHorizonFeed(
      rows,
      timers,
      new PeriodicTasks(new NodeLeadership(config)),
      clock,
      profiles,
      config,
    );
    handle = new HandleDeadlineDue(
      cases,
      rows,
      new AuditTrail(database.db, clock, database.cipher),
      { publish: () => undefined } as unknown as EventsPublisher,
      new MailboxEventLog(database.db),
      clock,
      profiles,
    );
    await database.db.deleteFrom('deadline_timers').execute();
  });

  afterEach(async () => {
    for (const { worker, connection } of workers.splice(0)) {
      await worker.close();
      connection.disconnect();
    }
    await queue.obliterate({ force: true });
    await queue.close();
    // Nothing of this test stays in Redis.
    const left = await redis.keys(`${prefix}:*`);
    if (left.length > 0) await redis.unlink(...left);
  });

  async function track(message: Partial<TrackedMessage> & Pick<TrackedMessage, 'messageType'>) {
    const inbound = (message.sender ?? REQUESTING) === REQUESTING;
    return cases.transaction(async (trx) => {
      const tracked = await tracker.track(trx, {
        requestId: message.requestId ?? tracker.newRequestId(message.at ?? clock.now()),
        procedure: 'mla',
        body: {},
        sender: REQUESTING,
        authority: REQUESTED,
        counterparts: [],
        caseReference: 'INT-TIMERS-1',
        deadlineProfiles: ['untoc-mla'],
        direction: inbound ? 'inbound' : 'outbound',
        at: clock.now(),
        ...message,
      });
      // A request opened here is written as the storing statement would write it.
      await writeTogether(trx, tracked.opening);
      return tracked;
    });
  }

  /** A received MLA request whose 60-day service-level clock falls due at `dueAt`. */
  async function requestDueAt(dueAt: number): Promise<{ requestId: string; deadlineId: string }> {
    const at = new Date(dueAt - 60 * DAY);
    // Without a suggested deadline (a date, 18(24)) the service level's 60 days govern, exactly.
    const body: Record<string, unknown> = mlaRequest(REQUESTING);
    delete body.suggestedDeadline;
    const result = await track({ messageType: 'request', body, at });
    const requestId = (
      await database.db
        .selectFrom('deadlines')
        .select('request_id')
        .where('id', '=', result.deadlines[0].id)
        .executeTakeFirstOrThrow()
    ).request_id;
    return { requestId, deadlineId: result.deadlines[0].id };
  }

  const openTimers = (deadlineId: string) =>
    database.db
      .selectFrom('deadline_timers')
      .selectAll()
      .where('deadline_id', '=', deadlineId)
      .where('fired_at', 'is', null)
      .orderBy('due_at')
      .execute();

  it('feeds the timers due within the horizon into Redis, oldest first, and no others', async () => {
    const now = clock.now().getTime();
    const late = await requestDueAt(now - 3 * 3600_000);
    const soon = await requestDueAt(now + 30_000);
    const later = await requestDueAt(now + 2 * 3600_000);
    const older = await requestDueAt(now - 5 * DAY);

    const report = await feed.execute();

    // Each clock has two reminders (7 and 2 days before) and its expiry; only `later`'s expiry
    // lies beyond the horizon.
    expect(report).toMatchObject({ due: 11, added: 11, derived: 0 });
    const waiting = await queue.getJobs(['wait'], 0, -1, true);
    const delayed = await queue.getJobs(['delayed']);
    expect(delayed.map((job) => [job.data.deadlineId, job.data.kind])).toEqual([
      [soon.deadlineId, 'expiry'],
    ]);
    const order = waiting.map((job) => Date.parse(job.data.at));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(waiting[0].data).toMatchObject({ deadlineId: older.deadlineId, kind: 'reminder' });
    expect(
      [...waiting, ...delayed].filter((job) => job.data.deadlineId === later.deadlineId),
    ).toHaveLength(2);
    expect([...waiting, ...delayed].some((job) => job.data.deadlineId === late.deadlineId)).toBe(
      true,
    );

    // A second pass finds them queued: nothing is added twice.
    expect(await feed.execute()).toMatchObject({ due: 11, added: 0 });
  });

  it('fires a timer once however many jobs carry it', async () => {
    const { requestId, deadlineId } = await requestDueAt(clock.now().getTime() - 60_000);
    const [expiry] = (await openTimers(deadlineId)).filter((t) => t.kind === 'expiry');
    const job: DeadlineJobData = {
      deadlineId,
      kind: 'expiry',
      index: 0,
      version: expiry.version,
      at: expiry.due_at.toISOString(),
    };

    const outcomes = await Promise.all([
      handle.execute(job),
      handle.execute(job),
      handle.execute(job),
    ]);

    expect(outcomes.map((o) => o.kind).sort()).toEqual(['done', 'stale', 'stale']);
    expect(await handle.execute(job)).toEqual({ kind: 'stale' });
    const audited = await database.db
      .selectFrom('audit_log')
      .select('details')
      .where('event', '=', 'deadline.expired')
      .execute();
    expect(
      audited.filter((a) => (a.details as { requestId?: string }).requestId === requestId),
    ).toHaveLength(1);
    const events = await database.db
      .selectFrom('mailbox_events')
      .select('event')
      .where('pattern', '=', 'deadline.expired')
      .execute();
    expect(
      events.filter((e) => (e.event as { requestId?: string }).requestId === requestId),
    ).toHaveLength(1);
    const fired = await database.db
      .selectFrom('deadline_timers')
      .select(['kind', 'fired_at'])
      .where('deadline_id', '=', deadlineId)
      .execute();
    // The expiry fired; the reminders it overtook are gone with the running clock.
    expect(fired.map((t) => [t.kind, t.fired_at instanceof Date])).toEqual([['expiry', true]]);
  });

  it('fires what is overdue first when a worker starts cold, then the rest when due', async () => {
    const now = clock.now().getTime();
    const dueAts = [now - 2 * 3600_000, now - 10 * DAY, now - 40 * 60_000, now + 1500];
    const deadlines = [];
    for (const dueAt of dueAts) deadlines.push(await requestDueAt(dueAt));
    // The older deadlines' reminders count as sent before the restart: only expiries are left.
    await database.db.deleteFrom('deadline_timers').where('kind', '=', 'reminder').execute();

    // Redis lost everything (a fresh prefix); the first feed pass runs as the worker starts.
    expect(await feed.execute()).toMatchObject({ due: 4, added: 4 });
    const fired: Array<{ deadlineId: string; at: number }> = [];
    const connection = redis.duplicate({ maxRetriesPerRequest: null });
    const worker = new Worker<DeadlineJobData>(
      DEADLINE_QUEUE.name,
      async (job: Job<DeadlineJobData>) => {
        const outcome = await handle.execute(job.data);
        if (outcome.kind === 'done')
          fired.push({ deadlineId: job.data.deadlineId, at: Date.now() });
        return outcome;
      },
      { connection, prefix, concurrency: 1 },
    );
    workers.push({ worker, connection });

    const deadline = Date.now() + 20_000;
    while (fired.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));

    const byDue = [...deadlines]
      .map((d, i) => ({ ...d, dueAt: dueAts[i] }))
      .sort((a, b) => a.dueAt - b.dueAt)
      .map((d) => d.deadlineId);
    expect(fired.map((f) => f.deadlineId)).toEqual(byDue);
    // The one due after the start fired at its instant, not before.
    expect(fired[3].at).toBeGreaterThanOrEqual(now + 1500);
  });

  it('opens a request with its clocks and timers, and hands back each clock as stored', async () => {
    clock.offsetMs = 0;
    for (const opensNewRequest of [true, false]) {
      const at = clock.now();
      const result = await track({
        messageType: 'request',
        body: mlaRequest(REQUESTING),
        at,
        opensNewRequest,
      });
      const requestId = result.deadlines[0].request_id;
      // The rows the tracker built without reading them back are the rows PostgreSQL holds.
      expect(result.deadlines).toEqual(await cases.deadlinesOf(requestId));
      const [deadline] = result.deadlines;
      expect((await openTimers(deadline.id)).map((timer) => timer.due_at)).toEqual(
        plannedTimers(deadline, profiles).map((timer) => timer.dueAt),
      );
      const request = await database.db
        .selectFrom('requests')
        .select('case_reference')
        .where('id', '=', requestId)
        .executeTakeFirst();
      expect(request?.case_reference).toBe('INT-TIMERS-1');
      // Told that an id is new when a request has it, the tracker stores nothing: its id is taken.
      await expect(
        track({
          requestId,
          messageType: 'request',
          body: mlaRequest(REQUESTING),
          opensNewRequest: true,
        }),
      ).rejects.toMatchObject({ code: '23505' });
    }
  });

  it('writes nothing of a request it opens outside a transaction: the caller writes it with the message', async () => {
    clock.offsetMs = 0;
    const message = {
      requestId: tracker.newRequestId(clock.now()),
      procedure: 'mla' as const,
      messageType: 'request',
      body: mlaRequest(REQUESTING),
      sender: REQUESTING,
      authority: REQUESTED,
      counterparts: [],
      caseReference: 'INT-TIMERS-1',
      deadlineProfiles: ['untoc-mla'],
      direction: 'inbound' as const,
      at: clock.now(),
    };
    const opened = await tracker.track(database.db, { ...message, opensNewRequest: true });
    expect(await cases.findRequest(message.requestId)).toBeUndefined();
    await writeTogether(database.db, opened.opening);
    expect(await cases.deadlinesOf(message.requestId)).toEqual(opened.deadlines);
    // A request that may exist is locked: outside a transaction the tracker refuses to move it.
    await expect(
      tracker.track(database.db, { ...message, messageType: 'acknowledgement', body: {} }),
    ).rejects.toThrow('an existing request is moved in a transaction only');
  });

  it('moves the timers with the clock, and cancels them when the request closes', async () => {
    clock.offsetMs = 0;
    const opened = clock.now();
    const { requestId, deadlineId } = await requestDueAt(opened.getTime() + 60 * DAY);
    const armed = await openTimers(deadlineId);
    expect(armed.map((t) => t.kind)).toEqual(['reminder', 'reminder', 'expiry']);
    const firstExpiry = armed[2];

    await track({
      requestId,
      messageType: 'acknowledgement',
      sender: REQUESTED,
      body: { receivedAt: opened.toISOString(), reference: 'NG-INT-1' },
    });
    // The clock pauses while additional information is awaited: nothing is left to fire.
    clock.offsetMs = DAY;
    await track({
      requestId,
      messageType: 'additional-information-request',
      sender: REQUESTED,
      body: { questions: ['Which bank holds the account?'] },
    });
    expect(await openTimers(deadlineId)).toEqual([]);

    // Resumed three days later: the expiry is three days later, under a new version.
    clock.offsetMs = 4 * DAY;
    await track({
      requestId,
      messageType: 'additional-information',
      body: { information: 'The account is held at Banca X.' },
    });
    const moved = await openTimers(deadlineId);
    expect(moved.map((t) => t.kind)).toEqual(['reminder', 'reminder', 'expiry']);
    const shift = moved[2].due_at.getTime() - firstExpiry.due_at.getTime();
    expect(Math.abs(shift - 3 * DAY)).toBeLessThan(1000);
    expect(moved[2].version).not.toBe(firstExpiry.version);

    // A job queued for the earlier instant finds nothing to fire, even once that instant passes.
    clock.offsetMs = 61 * DAY;
    const stale: DeadlineJobData = {
      deadlineId,
      kind: 'expiry',
      index: 0,
      version: firstExpiry.version,
      at: firstExpiry.due_at.toISOString(),
    };
    expect(await handle.execute(stale)).toEqual({ kind: 'stale' });

    // The requesting side withdraws: the clock is met and its timers are gone from the feed.
    clock.offsetMs = 10 * DAY;
    await track({ requestId, messageType: 'withdrawal', body: { reasons: 'Discontinued' } });
    expect(await openTimers(deadlineId)).toEqual([]);
    clock.offsetMs = 70 * DAY;
    expect(await feed.execute()).toMatchObject({ due: 0, added: 0 });
    expect(
      await handle.execute({
        ...stale,
        version: moved[2].version,
        at: moved[2].due_at.toISOString(),
      }),
    ).toEqual({ kind: 'stale' });
  });

  it('derives once the timers of deadlines stored before the timers table', async () => {
    const { deadlineId } = await requestDueAt(clock.now().getTime() + 20_000);
    await database.db.deleteFrom('deadline_timers').execute();
    await database.db
      .updateTable('deadlines')
      .set({ timers_pending: true })
      .where('id', '=', deadlineId)
      .execute();

    // The first pass finds nothing; the derived reminders (overdue) and expiry are fed after.
    expect(await feed.execute()).toMatchObject({ derived: 1, due: 3, added: 3 });
    expect((await openTimers(deadlineId)).map((t) => t.kind)).toEqual([
      'reminder',
      'reminder',
      'expiry',
    ]);
    expect(await feed.execute()).toMatchObject({ derived: 0 });
  });

  it('derives the timers again when their profile changes', async () => {
    const { deadlineId } = await requestDueAt(clock.now().getTime() + 20 * DAY);
    await feed.execute();
    const before = await openTimers(deadlineId);
    expect(before.map((t) => t.kind)).toEqual(['reminder', 'reminder', 'expiry']);

    // The node restarts with one reminder, three days before, instead of seven and two.
    const changed = new DeadlineProfiles(
      profiles.profiles.map((p) =>
        p.id === 'untoc-mla' ? { ...p, reminders: [{ amount: 3, unit: 'calendar-days' }] } : p,
      ),
      'changed',
    );
    const changedRows = new DeadlineTimerRepository(database.db, cases, changed);
    const restarted = new DeadlineHorizonFeed(
      changedRows,
      new DeadlineTimers(queue, changedRows, clock, config),
      new PeriodicTasks(new NodeLeadership(config)),
      clock,
      changed,
      config,
    );
    expect((await restarted.execute()).derived).toBeGreaterThanOrEqual(1);

    const after = await openTimers(deadlineId);
    expect(after.map((t) => t.kind)).toEqual(['reminder', 'expiry']);
    expect(before[2].due_at.getTime() - after[0].due_at.getTime()).toBe(3 * DAY);
    expect(after[1]).toEqual(before[2]);
    // Once derived, nothing is derived again while the profiles stay as they are.
    expect((await restarted.execute()).derived).toBe(0);
  });
});
