/**
 * The faults suite (`npm run test:faults`): two nodes of real gateway and worker processes on a
 * PostgreSQL and a Redis of its own, through worker and gateway kills, Redis and PostgreSQL
 * restarts, a peer down, a read-only database, parallel duplicates and a permanent refusal. Each
 * scenario prints one JSON line with its counts; the run ends with `N passed, N failed` and exits
 * non-zero on any failure. `npm run test:faults -- worker-kill redis-restart` runs some only.
 */
import { Fleet, FR, NG, check, sleep, until, type HttpAnswer } from './fleet.js';
import { PrivatePostgres, PrivateRedis } from '../support/private-services.js';

// The build comes first: the whole `npm run test:faults` stays under 10 minutes.
const TIME_LIMIT_MS = Number(process.env.FAULTS_TIME_LIMIT_MS ?? 8.5 * 60_000);
const WORKER_KILLS = Number(process.env.FAULTS_WORKER_KILLS ?? 10);
const PEER_DOWN_MS = Number(process.env.FAULTS_PEER_DOWN_MS ?? 10_000);
/**
 * The other worker takes a killed worker's jobs up once their locks run out: GATEWAY_JOB_LOCK_MS
 * (2 s here) and a stalled-job check or two (1 s each), not BullMQ's default 30 s (R4).
 */
const MAX_PICKUP_MS = 10_000;

type Counts = Record<string, unknown>;

interface Scenario {
  name: string;
  run(fleet: Fleet, since: Date): Promise<Counts>;
}

/** Officers submitting all along: what was accepted (202) and how every other answer looked. */
class Traffic {
  /** Traffic still running: a scenario that failed half-way must not keep submitting into the next. */
  private static readonly running = new Set<Traffic>();
  readonly accepted: string[] = [];
  readonly answers: Record<string, number> = {};
  private stopped = false;
  private readonly loops: Array<Promise<void>> = [];

  constructor(
    private readonly fleet: Fleet,
    private readonly concurrency = 2,
    private readonly pauseMs = 150,
  ) {}

  start(): this {
    Traffic.running.add(this);
    for (let i = 0; i < this.concurrency; i++) this.loops.push(this.loop());
    return this;
  }

  static async stopAll(): Promise<void> {
    for (const traffic of Traffic.running) await traffic.halt();
  }

  async stop(allowed: ReadonlyArray<string> = []): Promise<Counts> {
    await this.halt();
    for (const answer of Object.keys(this.answers))
      check(
        answer === '202' || allowed.includes(answer),
        `a submission was answered ${answer} (${JSON.stringify(this.answers)})`,
      );
    return { submissions: this.answers };
  }

  private async halt(): Promise<void> {
    this.stopped = true;
    Traffic.running.delete(this);
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const answer = await this.fleet.submit();
      const key = answer.code ? `${answer.status} ${answer.code}` : String(answer.status);
      this.answers[key] = (this.answers[key] ?? 0) + 1;
      if (answer.status === 202 && answer.messageId) this.accepted.push(answer.messageId);
      // A gateway that is down refuses at once: no need to knock hundreds of times a second.
      await sleep(answer.status === 0 ? Math.max(this.pauseMs, 200) : this.pauseMs);
    }
  }
}

function expectAnswers(
  answers: Record<string, HttpAnswer>,
  expected: Record<string, ReadonlyArray<string>>,
): Record<string, string> {
  const seen = Object.fromEntries(
    Object.entries(answers).map(([route, a]) => [
      route,
      a.code ? `${a.status} ${a.code}` : `${a.status}`,
    ]),
  );
  for (const [route, allowed] of Object.entries(expected))
    check(
      allowed.includes(seen[route]),
      `${route} answered ${seen[route]}, expected ${allowed.join(' or ')}`,
    );
  return seen;
}

const scenarios: Scenario[] = [
  {
    // R3: the same envelope, 8 copies at once, 20 rounds, of an opening and of a state-changing reply.
    name: 'parallel-duplicates',
    async run(fleet, since) {
      const ROUNDS = 20;
      const COPIES = 8;
      const ids: string[] = [];
      const openings: string[] = [];
      let posts = 0;
      const postCopies = async (envelope: Awaited<ReturnType<Fleet['envelope']>>) => {
        const answers = await Promise.all(
          Array.from({ length: COPIES }, () =>
            fleet.postEnvelope(envelope.payload, envelope.armored),
          ),
        );
        posts += answers.length;
        const statuses = answers.map((a) => `${a.status}${a.code ? ` ${a.code}` : ''}`);
        check(
          statuses.every((s) => s === '200'),
          `copies of ${envelope.payload.messageType} ${envelope.payload.messageId}: ${statuses.join(', ')}`,
        );
        check(
          answers.every((a) => a.body === answers[0].body),
          `copies of ${envelope.payload.messageId} got different receipts`,
        );
        ids.push(envelope.payload.messageId);
      };
      for (let round = 0; round < ROUNDS; round++) {
        const opening = await fleet.envelope();
        await postCopies(opening);
        openings.push(opening.payload.messageId);
        await postCopies(
          await fleet.envelope({
            messageType: 'withdrawal',
            requestId: opening.payload.messageId,
            inReplyTo: opening.payload.messageId,
            caseReference: opening.payload.caseReference,
            body: { reasons: 'Proceedings discontinued' },
          }),
        );
      }
      const stored = await fleet.count(
        NG,
        `select count(*) as n from messages where id = any($1::uuid[])`,
        [ids],
      );
      check(stored === ids.length, `NG stored ${stored} messages for ${ids.length} envelopes`);
      const duplicates = await fleet.count(
        NG,
        `select count(*) as n from audit_log where event = 'message.duplicate' and message_id = any($1::uuid[])`,
        [ids],
      );
      check(
        duplicates === ids.length * (COPIES - 1),
        `NG audited ${duplicates} duplicates, not ${ids.length * (COPIES - 1)}`,
      );
      const rejected = await fleet.count(
        NG,
        `select count(*) as n from audit_log where event = 'message.rejected' and details->>'claimedMessageId' = any($1)`,
        [ids],
      );
      check(rejected === 0, `NG audited ${rejected} false rejections (message.rejected)`);
      const withdrawn = await fleet.count(
        NG,
        `select count(*) as n from requests where id = any($1::uuid[]) and status = 'withdrawn'`,
        [openings],
      );
      check(withdrawn === ROUNDS, `${withdrawn} of ${ROUNDS} requests withdrawn at NG`);
      return {
        posts,
        envelopes: ids.length,
        duplicatesAnswered: duplicates,
        ...(await fleet.verify(since, [])),
      };
    },
  },
  {
    // R7: the peer refuses the envelope for good (its id already names another envelope there).
    name: 'permanent-refusal',
    async run(fleet, since) {
      // No FR worker takes the message before NG holds another envelope under its id.
      await fleet.stop(FR, 'worker', 'SIGTERM');
      await fleet.stop(FR, 'worker', 'SIGTERM', 1);
      const submitted = await fleet.submit();
      const messageId = submitted.messageId;
      check(submitted.status === 202 && messageId, `submission answered ${submitted.status}`);
      const other = await fleet.envelope({ messageId });
      const taken = await fleet.postEnvelope(other.payload, other.armored);
      check(taken.status === 200, `NG took the other envelope: ${taken.status}`);
      const started = Date.now();
      await fleet.start(FR, 'worker');
      await fleet.start(FR, 'worker', 1);
      await until(
        async () =>
          (await fleet.count(
            FR,
            `select count(*) as n from messages where id = $1 and status = 'failed'`,
            [messageId],
          )) === 1,
        'the refused message failed',
        60_000,
      );
      const failedAfterMs = Date.now() - started;
      const { rows } = await fleet.db[FR].query<{
        attempts: number;
        evidence: Record<string, unknown>;
        audit: Record<string, unknown>;
      }>(
        `select m.attempts,
                (select details from evidences where message_id = m.id and kind = 'non-delivery') as evidence,
                (select details from audit_log where message_id = m.id and event = 'message.failed') as audit
         from messages m where m.id = $1`,
        [messageId],
      );
      const [failed] = rows;
      check(failed.attempts === 1, `failed after ${failed.attempts} attempts, not at once`);
      check(
        failed.evidence?.peerCode === 'DUPLICATE_CONFLICT',
        `non-delivery evidence: ${JSON.stringify(failed.evidence)}`,
      );
      check(
        failed.audit?.peerCode === 'DUPLICATE_CONFLICT',
        `message.failed audit: ${JSON.stringify(failed.audit)}`,
      );
      await until(
        async () => fleet.mailbox[FR].seen('message.delivery-failed', messageId),
        'the failure on the mailbox stream',
        30_000,
      );
      return {
        attempts: failed.attempts,
        failedAfterMs,
        ...(await fleet.verify(since, [], { expectedFailures: [messageId] })),
      };
    },
  },
  {
    // R4 and no loss or duplicate: the worker killed (-9) with deliveries on the wire, again and again.
    name: 'worker-kill',
    async run(fleet, since) {
      const traffic = new Traffic(fleet).start();
      const recoveries: number[] = [];
      const pickups: number[] = [];
      let inFlightAtKill = 0;
      for (let kill = 0; kill < WORKER_KILLS; kill++) {
        // Worker 0 (restarted after each kill) up, then deliveries held on the wire until it holds some.
        await until(
          async () => fleet.workerConnected(fleet.network.pid(FR, 'worker', 0)!),
          'worker 0 taking jobs',
          90_000,
        );
        fleet.proxy.hold();
        const ids = await until(
          async () => {
            const pid = fleet.network.pid(FR, 'worker', 0);
            const held = pid && fleet.proxy.heldCount > 0 ? await fleet.activeJobsOf(pid) : [];
            return held.length > 0 ? held : undefined;
          },
          'worker 0 with a delivery on the wire',
          90_000,
        );
        const { rows } = await fleet.db[FR].query<{ attempts: number }>(
          `select attempts from messages where id = any($1::uuid[]) order by array_position($1::uuid[], id)`,
          [ids],
        );
        const attempts = rows.map((row) => row.attempts);
        inFlightAtKill += ids.length;
        await fleet.stop(FR, 'worker', 'SIGKILL');
        const killedAt = Date.now();
        // The dead worker's requests arrive late; the receipts go nowhere.
        fleet.proxy.release();
        await fleet.start(FR, 'worker');
        let pickedUp: number | undefined;
        await until(
          async () => {
            const { rows: now } = await fleet.db[FR].query<{ status: string; attempts: number }>(
              `select status, attempts from messages where id = any($1::uuid[]) order by array_position($1::uuid[], id)`,
              [ids],
            );
            if (pickedUp === undefined && now.every((row, i) => row.attempts > attempts[i]))
              pickedUp = Date.now() - killedAt;
            return now.every((row) => row.status === 'delivered');
          },
          'the deliveries of the killed worker delivered',
          90_000,
        );
        pickups.push(pickedUp ?? Date.now() - killedAt);
        recoveries.push(Date.now() - killedAt);
      }
      const submissions = await traffic.stop();
      const maxRecoveryMs = Math.max(...recoveries);
      const maxPickupMs = Math.max(...pickups);
      check(
        maxPickupMs < MAX_PICKUP_MS,
        `a killed worker's jobs were taken up after ${pickups.join(', ')} ms (delivered after ${recoveries.join(', ')} ms)`,
      );
      return {
        kills: WORKER_KILLS,
        inFlightAtKill,
        maxPickupMs,
        maxRecoveryMs,
        ...submissions,
        ...(await fleet.verify(since, traffic.accepted)),
      };
    },
  },
  {
    // The gateway killed (-9) with submissions in flight: what was accepted is delivered once.
    name: 'gateway-kill',
    async run(fleet, since) {
      const traffic = new Traffic(fleet, 4, 30).start();
      await sleep(1500);
      await fleet.stop(FR, 'gateway', 'SIGKILL');
      await sleep(500);
      const restarting = Date.now();
      await fleet.start(FR, 'gateway');
      const restartMs = Date.now() - restarting;
      await sleep(1500);
      // Connections cut by the kill (0) or refused while it was down; 503 only if the restart was slow.
      const submissions = await traffic.stop(['0']);
      const stored = await fleet.count(
        FR,
        `select count(*) as n from messages where direction = 'outbound' and created_at >= $1`,
        [since],
      );
      // The stream was cut with the gateway: it resumed from its last event id, and verify checks
      // that no event of a delivered message is missing.
      check(fleet.mailbox[FR].connections >= 2, 'the mailbox stream was not cut by the kill');
      return {
        restartMs,
        storedBeyondAccepted: stored - traffic.accepted.length,
        ...submissions,
        ...(await fleet.verify(since, traffic.accepted)),
      };
    },
  },
  {
    // Deliveries wait while the peer is down, including a withdrawal that may overtake its request.
    name: 'peer-down',
    async run(fleet, since) {
      await fleet.stop(NG, 'gateway', 'SIGTERM');
      const accepted: string[] = [];
      const requests: string[] = [];
      for (let i = 0; i < 6; i++) {
        const submitted = await fleet.submit();
        check(
          submitted.status === 202 && submitted.messageId && submitted.requestId,
          `submission answered ${submitted.status}`,
        );
        accepted.push(submitted.messageId);
        requests.push(submitted.requestId);
      }
      for (const requestId of requests.slice(0, 3)) {
        const withdrawal = await fleet.withdraw(requestId);
        check(
          withdrawal.status === 202 && withdrawal.messageId,
          `withdrawal answered ${withdrawal.status}`,
        );
        accepted.push(withdrawal.messageId);
      }
      await sleep(PEER_DOWN_MS);
      const retried = await fleet.count(
        FR,
        `select count(*) as n from messages where id = any($1::uuid[]) and attempts >= 2`,
        [accepted],
      );
      check(
        retried === accepted.length,
        `${retried} of ${accepted.length} messages retried while the peer was down`,
      );
      const restarting = Date.now();
      await fleet.start(NG, 'gateway');
      const restartMs = Date.now() - restarting;
      const verified = await fleet.verify(since, accepted, { outOfOrder: true });
      const withdrawn = await fleet.count(
        NG,
        `select count(*) as n from requests where id = any($1::uuid[]) and status = 'withdrawn'`,
        [requests.slice(0, 3)],
      );
      check(withdrawn === 3, `${withdrawn} of 3 withdrawals applied at NG`);
      // Withdrawals that reached NG before their request were refused there, and retried.
      const overtaken = await fleet.count(
        NG,
        `select count(*) as n from audit_log where event = 'message.rejected' and occurred_at >= $1
           and details->>'code' = 'PROCEDURE_TRANSITION_REFUSED'`,
        [since],
      );
      return { peerDownMs: PEER_DOWN_MS, restartMs, overtaken, ...verified };
    },
  },
  {
    // R2, R5: Redis lost with everything in it, then back empty.
    name: 'redis-restart',
    async run(fleet, since) {
      const traffic = new Traffic(fleet).start();
      await sleep(1500);
      await fleet.redis.kill();
      await sleep(1000);
      const unavailable = ['503 QUEUE_UNAVAILABLE'];
      const probes = await fleet.probeRoutes();
      const whileDown = expectAnswers(probes, {
        live: ['200', ...unavailable],
        ready: ['200', ...unavailable],
        read: ['200', ...unavailable],
        submit: ['202', ...unavailable],
        inbound: ['200', ...unavailable],
      });
      const ready = probes.ready.body as {
        status?: string;
        details?: { redis?: { code?: string } };
      };
      if (probes.ready.status === 200)
        check(
          ready.status === 'degraded' && ready.details?.redis?.code === 'QUEUE_UNAVAILABLE',
          `ready without Redis: ${JSON.stringify(ready)}`,
        );
      await sleep(2000);
      await fleet.redis.start();
      await sleep(2000);
      const submissions = await traffic.stop(unavailable);
      // Both gateways listen on the event bus again (the transport reconnected and resubscribed).
      const subscribers = await until(
        async () => {
          const reply = (await fleet.redisClient((redis) =>
            redis.pubsub('NUMSUB', 'message.delivered'),
          )) as [string, number];
          return reply[1] >= 2 ? reply[1] : undefined;
        },
        'the gateways subscribed to the event bus again',
        30_000,
      );
      return {
        whileDown,
        busSubscribers: subscribers,
        ...submissions,
        ...(await fleet.verify(since, traffic.accepted)),
      };
    },
  },
  {
    // R1, R6: PostgreSQL stopped (every session ended) and started again.
    name: 'postgres-restart',
    async run(fleet, since) {
      const traffic = new Traffic(fleet).start();
      await sleep(1500);
      await fleet.postgres.stop();
      const down = '503 DATABASE_UNAVAILABLE';
      const whileDown = expectAnswers(await fleet.probeRoutes(), {
        live: ['200'],
        ready: [down],
        read: [down],
        submit: [down],
        inbound: [down],
      });
      await sleep(3000);
      await fleet.postgres.start();
      await sleep(2000);
      const submissions = await traffic.stop([down, '0']);
      // The register's LISTEN connection of each gateway is back.
      const listeners = await until(
        async () => {
          const n = await fleet.count(
            FR,
            `select count(*) as n from pg_stat_activity where query ilike 'LISTEN %'`,
          );
          return n >= 2 ? n : undefined;
        },
        'the gateways listening for register changes again',
        30_000,
      );
      return {
        whileDown,
        listeners,
        ...submissions,
        ...(await fleet.verify(since, traffic.accepted)),
      };
    },
  },
  {
    // R6: the database refuses writes for a while (default_transaction_read_only).
    name: 'database-read-only',
    async run(fleet, since) {
      const traffic = new Traffic(fleet).start();
      await sleep(1500);
      await fleet.postgres.setReadOnly(true);
      await sleep(500);
      const readOnly = '503 DATABASE_READ_ONLY';
      const whileReadOnly = expectAnswers(await fleet.probeRoutes(), {
        live: ['200'],
        ready: [readOnly],
        read: ['200'],
        submit: [readOnly],
        inbound: [readOnly],
      });
      await sleep(3000);
      await fleet.postgres.setReadOnly(false);
      await sleep(1500);
      const submissions = await traffic.stop([readOnly]);
      return { whileReadOnly, ...submissions, ...(await fleet.verify(since, traffic.accepted)) };
    },
  },
];

/** After a failed scenario: the infrastructure back as it was, so that the next one can run. */
async function restore(fleet: Fleet): Promise<void> {
  await Traffic.stopAll();
  fleet.proxy.release();
  await fleet.redis.start().catch(() => undefined);
  await fleet.postgres.start().catch(() => undefined);
  await fleet.postgres.setReadOnly(false).catch(() => undefined);
  for (const id of [FR, NG])
    for (const component of ['gateway', 'worker'] as const)
      if (!fleet.network.isRunning(id, component))
        await fleet.start(id, component).catch(() => undefined);
}

async function main(): Promise<number> {
  const selected = process.argv.slice(2);
  const unknown = selected.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) {
    console.error(
      `unknown scenarios: ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const postgres = await PrivatePostgres.create();
  const redis = await PrivateRedis.create();
  let fleet: Fleet | undefined;
  let passed = 0;
  let failed = 0;
  // The processes' logs stay behind a failed run (the path is in the failed scenario's line).
  const cleanup = async () => {
    await fleet?.destroy(failed > 0);
    await postgres.destroy();
    await redis.destroy();
  };
  const watchdog = setTimeout(() => {
    failed++;
    console.log(
      JSON.stringify({ scenario: 'time-limit', ok: false, error: `over ${TIME_LIMIT_MS} ms` }),
    );
    console.log(`${passed} passed, ${failed} failed`);
    void cleanup().finally(() => process.exit(1));
  }, TIME_LIMIT_MS);
  try {
    const setUp = Date.now();
    fleet = await Fleet.create(postgres, redis);
    console.log(
      JSON.stringify({
        setUp: true,
        durationMs: Date.now() - setUp,
        postgres: postgres.url,
        redis: redis.url,
      }),
    );
    for (const scenario of scenarios) {
      if (selected.length > 0 && !selected.includes(scenario.name)) continue;
      fleet.rememberProcesses();
      const started = Date.now();
      const since = new Date();
      try {
        const counts = await scenario.run(fleet, since);
        passed++;
        console.log(
          JSON.stringify({
            scenario: scenario.name,
            ok: true,
            durationMs: Date.now() - started,
            ...counts,
          }),
        );
      } catch (error) {
        failed++;
        console.log(
          JSON.stringify({
            scenario: scenario.name,
            ok: false,
            durationMs: Date.now() - started,
            error: (error as Error).message,
            logs: fleet.network.options.workDir,
          }),
        );
        await restore(fleet);
      }
    }
  } catch (error) {
    failed++;
    console.log(JSON.stringify({ scenario: 'set-up', ok: false, error: (error as Error).stack }));
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

// Exits even if a failed scenario left a handle open (a timer, a socket): the run is over.
process.exit(await main());
