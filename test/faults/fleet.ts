import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { AuditTrail } from '#libs/audit';
import {
  ENVELOPE_MEDIA_TYPE,
  INBOUND_PATH,
  ROUTING_HEADERS,
  type EnvelopePayload,
  type PrivateKey,
  type PublicKey,
} from '#libs/envelope';
import {
  LocalNetwork,
  mlaEnvelope,
  mlaRequest,
  SAMPLE_HANDLING,
  sealThroughPolicy,
} from '#tools/local-network';
import { SystemClock } from '#libs/node-config';
import { ColumnCipher, createDatabase, DataKey } from '#libs/persistence';
import { ResilientMailbox } from '../support/mailbox-client.js';
import { api, as, HoldingProxy, keysOf, signIn } from '../support/network.js';
import { freePort, PrivatePostgres, PrivateRedis } from '../support/private-services.js';

export const FR = 'FR-MOJ-BEPI';
export const NG = 'NG-MOJ-CA';
export const NODES = [FR, NG] as const;
type Component = 'gateway' | 'worker';
/**
 * The processes of the fleet: a gateway and a worker per node, and a second worker for FR, which
 * takes over the jobs of a killed one once their locks run out.
 */
export const PROCESSES: ReadonlyArray<readonly [string, Component, number]> = [
  [FR, 'gateway', 0],
  [FR, 'worker', 0],
  [FR, 'worker', 1],
  [NG, 'gateway', 0],
  [NG, 'worker', 0],
];
const processKey = (id: string, component: Component, instance = 0) =>
  `${id}:${component}:${instance}`;

const PENDING = ['queued', 'sending', 'waiting-for-receipt', 'waiting-for-retry'];
/** Codes a 503 may carry: stable, documented, each with Retry-After. */
export const UNAVAILABLE_CODES = new Set([
  'DATABASE_UNAVAILABLE',
  'DATABASE_READ_ONLY',
  'QUEUE_UNAVAILABLE',
  'REGISTER_UNAVAILABLE',
]);

export class CheckFailed extends Error {}

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new CheckFailed(`timed out after ${timeoutMs} ms: ${what}`);
    await sleep(everyMs);
  }
}

export interface HttpAnswer {
  status: number;
  code?: string;
  retryAfter?: string | null;
  body?: unknown;
}

/** A pool on one node's schema that outlives a PostgreSQL restart (errors listened to). */
function schemaPool(url: string, schema: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: 3,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Two nodes (FR and NG), each a real gateway and a real worker, on the test's own PostgreSQL and
 * Redis; NG reached through a proxy that can hold deliveries on the wire. Every process id is
 * remembered: a process the test did not kill must be the same process at the end of a scenario.
 */
export class Fleet {
  readonly db: Record<string, pg.Pool> = {};
  readonly audit: Record<string, AuditTrail> = {};
  readonly mailbox: Record<string, ResilientMailbox> = {};
  private readonly keys: Record<string, { privateKey: PrivateKey; publicKey: PublicKey }> = {};
  private pids = new Map<string, number | undefined>();
  /** Processes the test itself stopped or killed, then started again, this scenario. */
  private readonly restartedByTest = new Set<string>();
  private readonly destroyers: Array<() => Promise<unknown>> = [];

  private constructor(
    readonly network: LocalNetwork,
    readonly proxy: HoldingProxy,
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly workDir: string,
  ) {}

  static async create(postgres: PrivatePostgres, redis: PrivateRedis): Promise<Fleet> {
    const workDir = mkdtempSync(join(tmpdir(), 'faults-network-'));
    const [frPort, ngPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
    const network = await LocalNetwork.create({
      name: 'faults',
      workDir,
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla'],
          port: frPort,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla'],
          port: ngPort,
          advertisedEndpoint: `http://127.0.0.1:${proxyPort}`,
        },
      ],
      env: {
        LOG_LEVEL: 'info',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_DELIVERY_TIMEOUT_MS: '20000',
        GATEWAY_JOB_LOCK_MS: '2000',
        GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '2000',
        // The harness is one address sending hundreds of requests a minute.
        GATEWAY_RATE_LIMIT_PER_USER: '1000000',
        GATEWAY_RATE_LIMIT_PER_PEER: '1000000',
        GATEWAY_RATE_LIMIT_PER_ADDRESS: '1000000',
      },
    });
    const proxy = new HoldingProxy(proxyPort, network.url(NG));
    await proxy.start();
    const fleet = new Fleet(network, proxy, postgres, redis, workDir);
    fleet.destroyers.push(() => proxy.stop());
    await signIn(network);
    await network.startAll(120_000);
    network.start(FR, 'worker', 1);
    for (const id of NODES) {
      const schema = network.schema(id);
      fleet.db[id] = schemaPool(postgres.url, schema);
      const kysely = createDatabase(postgres.url, schema, 2);
      // Verification reads the chain only, never an annex: any data key will do.
      fleet.audit[id] = new AuditTrail(
        kysely,
        new SystemClock(),
        new ColumnCipher(new DataKey(randomBytes(32)), []),
      );
      fleet.destroyers.push(
        () => fleet.db[id].end(),
        () => kysely.destroy(),
      );
      fleet.keys[id] = await keysOf(network, id);
      const mailbox = new ResilientMailbox(`${network.url(id)}/api/v1/mailbox/events`, () =>
        as(network, id, 'supervisor'),
      );
      mailbox.start();
      fleet.mailbox[id] = mailbox;
      fleet.destroyers.push(() => mailbox.stop());
    }
    for (const instance of [0, 1]) {
      await until(
        async () => fleet.workerConnected(network.pid(FR, 'worker', instance)!),
        `FR worker ${instance} taking jobs`,
        120_000,
      );
    }
    fleet.rememberProcesses();
    return fleet;
  }

  /** Stops everything; the processes' logs are kept when asked (a failed run). */
  async destroy(keepLogs = false): Promise<void> {
    await this.network.stopAll().catch(() => undefined);
    for (const destroy of this.destroyers.reverse()) await destroy().catch(() => undefined);
    if (!keepLogs) rmSync(this.workDir, { recursive: true, force: true });
  }

  url(id: string, path: string): string {
    return `${this.network.url(id)}${path}`;
  }

  // --- processes -------------------------------------------------------------------------------

  rememberProcesses(): void {
    this.restartedByTest.clear();
    this.pids = new Map(
      PROCESSES.map(([id, component, instance]) => [
        processKey(id, component, instance),
        this.network.pid(id, component, instance),
      ]),
    );
  }

  /** Stops (SIGTERM) or kills (SIGKILL) a process; the test starts it again itself. */
  async stop(
    id: string,
    component: Component,
    signal: 'SIGTERM' | 'SIGKILL',
    instance = 0,
  ): Promise<void> {
    this.restartedByTest.add(processKey(id, component, instance));
    await this.network.stop(id, component, signal, instance);
  }

  async start(id: string, component: Component, instance = 0): Promise<void> {
    this.network.start(id, component, instance);
    if (component === 'gateway') await this.network.waitReady(id, 120_000, instance);
  }

  /** Every process runs, and every one the test did not restart is the process it was. */
  survivors(): { restartedByTest: string[] } {
    for (const [id, component, instance] of PROCESSES) {
      const key = processKey(id, component, instance);
      const pid = this.pids.get(key);
      const now = this.network.pid(id, component, instance);
      check(this.network.isRunning(id, component, instance), `${key} is not running`);
      if (!this.restartedByTest.has(key))
        check(
          now === pid,
          `${key} was restarted (pid ${pid} → ${now}): it did not survive the fault`,
        );
    }
    return { restartedByTest: [...this.restartedByTest] };
  }

  /** Whether FR's worker process `pid` is connected as a delivery worker (BullMQ names it). */
  async workerConnected(pid: number): Promise<boolean> {
    const clients = await this.redisClient((redis) => redis.client('LIST') as Promise<string>);
    return new RegExp(`name=\\S*:w:\\S*:${pid}(\\s|$)`, 'm').test(clients);
  }

  /** The delivery jobs FR's worker process `pid` holds now (BullMQ `processedBy`). */
  async activeJobsOf(pid: number): Promise<string[]> {
    const prefix = this.network.prefix(FR);
    return this.redisClient(async (redis) => {
      const ids = await redis.lrange(`${prefix}:delivery:active`, 0, -1);
      const holders = await Promise.all(
        ids.map((id) => redis.hget(`${prefix}:delivery:${id}`, 'pb')),
      );
      return ids.filter((_, i) => holders[i]?.endsWith(`:${pid}`));
    });
  }

  // --- traffic ---------------------------------------------------------------------------------

  /** An officer of FR opens a request to NG; status 0 when no answer came (connection cut). */
  async submit(): Promise<{
    status: number;
    messageId?: string;
    requestId?: string;
    code?: string;
    retryAfter?: string | null;
  }> {
    try {
      const answer = await api<{
        requestId: string;
        messages: Array<{ messageId: string }>;
        error?: { code: string };
      }>(this.url(FR, '/api/v1/messages'), {
        method: 'POST',
        body: JSON.stringify({
          recipients: [NG],
          procedure: 'mla',
          messageType: 'request',
          caseReference: 'FR-PNAT-2026-0147',
          handling: SAMPLE_HANDLING,
          body: mlaRequest(FR),
        }),
        signal: AbortSignal.timeout(30_000),
      });
      return {
        status: answer.status,
        messageId: answer.body.messages?.[0]?.messageId,
        requestId: answer.body.requestId,
        code: answer.body.error?.code,
        retryAfter: answer.headers.get('retry-after'),
      };
    } catch {
      return { status: 0 };
    }
  }

  /** The request withdrawn by FR's officer (a reply that changes the request's state). */
  async withdraw(requestId: string): Promise<{ status: number; messageId?: string }> {
    const answer = await api<{ messages: Array<{ messageId: string }> }>(
      this.url(FR, `/api/v1/requests/${requestId}/withdraw`),
      { method: 'POST', body: JSON.stringify({ reasons: 'Proceedings discontinued' }) },
    );
    return { status: answer.status, messageId: answer.body.messages?.[0]?.messageId };
  }

  /** An envelope FR's node could have sent NG, sealed by the test with FR's key. */
  async envelope(
    overrides: Partial<EnvelopePayload> = {},
  ): Promise<{ payload: EnvelopePayload; armored: string }> {
    const payload = mlaEnvelope(FR, NG, overrides);
    const armored = await sealThroughPolicy(payload, {
      signingKey: this.keys[FR].privateKey,
      recipientKey: this.keys[NG].publicKey,
    });
    return { payload, armored };
  }

  /** POSTs envelope bytes to NG's peer endpoint (directly, not through the proxy). */
  async postEnvelope(payload: EnvelopePayload, armored: string): Promise<HttpAnswer> {
    try {
      const response = await fetch(this.url(NG, INBOUND_PATH), {
        method: 'POST',
        headers: {
          'content-type': ENVELOPE_MEDIA_TYPE,
          [ROUTING_HEADERS.sender]: payload.sender,
          [ROUTING_HEADERS.recipient]: payload.recipient,
          [ROUTING_HEADERS.messageId]: payload.messageId,
        },
        body: armored,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      return {
        status: response.status,
        code: errorCode(text),
        retryAfter: response.headers.get('retry-after'),
        body: text,
      };
    } catch {
      return { status: 0 };
    }
  }

  async get(id: string, path: string): Promise<HttpAnswer> {
    try {
      const answer = await api(this.url(id, path), { signal: AbortSignal.timeout(15_000) });
      return {
        status: answer.status,
        code: (answer.body as { error?: { code?: string } } | undefined)?.error?.code,
        retryAfter: answer.headers.get('retry-after'),
        body: answer.body,
      };
    } catch {
      return { status: 0 };
    }
  }

  /**
   * What the node answers while a fault lasts, on the routes that matter: health, a read, a
   * submission, the peer endpoint. Never a 500, never silence: a 2xx, or a 503 with a stable code
   * and Retry-After (R5, R6).
   */
  async probeRoutes(): Promise<Record<string, HttpAnswer>> {
    const { payload, armored } = await this.envelope();
    const [live, ready, read, submit, inbound] = await Promise.all([
      this.get(FR, '/health/live'),
      this.get(FR, '/health/ready'),
      this.get(FR, '/api/v1/messages?limit=5'),
      this.submit(),
      this.postEnvelope(payload, armored),
    ]);
    const answers = { live, ready, read, submit, inbound };
    for (const [route, answer] of Object.entries(answers)) {
      check(answer.status !== 0, `${route}: no answer`);
      check(answer.status !== 500, `${route}: 500 (${answer.code ?? 'no code'})`);
      if (answer.status === 503) {
        check(
          answer.code !== undefined && UNAVAILABLE_CODES.has(answer.code),
          `${route}: 503 without a stable code (${answer.code ?? 'none'})`,
        );
        check(answer.retryAfter, `${route}: 503 ${answer.code} without Retry-After`);
      } else {
        check(
          answer.status >= 200 && answer.status < 300,
          `${route}: answered ${answer.status} ${answer.code ?? ''}`,
        );
      }
    }
    return answers;
  }

  // --- checks ----------------------------------------------------------------------------------

  async count(id: string, sql: string, values: unknown[] = []): Promise<number> {
    const { rows } = await this.db[id].query<{ n: string }>(sql, values);
    return Number(rows[0].n);
  }

  /** Waits until every FR message created since `since` is delivered or failed. */
  async settled(since: Date, timeoutMs = 120_000): Promise<void> {
    await until(
      async () =>
        (await this.count(
          FR,
          `select count(*) as n from messages where direction = 'outbound' and created_at >= $1 and status = any($2)`,
          [since, PENDING],
        )) === 0,
      'every message of the scenario delivered or failed',
      timeoutMs,
      500,
    );
  }

  /**
   * What a scenario must leave: every message accepted (2xx) delivered exactly once (one row, one
   * receipt, one reception at NG, one delivery at FR), nothing half-written on either node, no
   * false rejection at NG, both audit chains intact, every surviving process the same, and the
   * mailbox streams carrying an event for every message delivered, replayed where a stream was cut.
   */
  async verify(
    since: Date,
    accepted: readonly string[],
    options: {
      expectedFailures?: readonly string[];
      /** A reply may reach NG before its request (both retried after an outage): refused, retried. */
      outOfOrder?: boolean;
    } = {},
  ): Promise<Record<string, number>> {
    const started = Date.now();
    await this.settled(since);
    const settledMs = Date.now() - started;
    const { rows } = await this.db[FR].query<{ id: string; status: string }>(
      `select id, status from messages where direction = 'outbound' and created_at >= $1`,
      [since],
    );
    const delivered = rows.filter((r) => r.status === 'delivered').map((r) => r.id);
    const failed = rows.filter((r) => r.status === 'failed').map((r) => r.id);
    const expectedFailures = new Set(options.expectedFailures ?? []);
    for (const id of failed)
      check(expectedFailures.has(id), `message ${id} failed: ${await this.lastError(id)}`);
    const deliveredSet = new Set(delivered);
    for (const id of accepted)
      if (!expectedFailures.has(id))
        check(deliveredSet.has(id), `accepted message ${id} was not delivered`);

    const perMessage = async (node: string, sql: string) => {
      const { rows: counts } = await this.db[node].query<{ id: string; n: string }>(sql, [
        delivered,
      ]);
      return new Map(counts.map((row) => [row.id, Number(row.n)]));
    };
    const exactlyOnce = [
      [
        NG,
        'stored',
        `select id, count(*) as n from messages where id = any($1::uuid[]) group by id`,
      ],
      [
        NG,
        'receipts issued',
        `select message_id as id, count(*) as n from receipts where message_id = any($1::uuid[]) group by message_id`,
      ],
      [
        NG,
        'receptions audited',
        `select message_id as id, count(*) as n from audit_log where event = 'message.received' and message_id = any($1::uuid[]) group by message_id`,
      ],
      [
        FR,
        'receipts kept',
        `select message_id as id, count(*) as n from receipts where message_id = any($1::uuid[]) group by message_id`,
      ],
      [
        FR,
        'deliveries audited',
        `select message_id as id, count(*) as n from audit_log where event = 'message.delivered' and message_id = any($1::uuid[]) group by message_id`,
      ],
      [
        FR,
        'delivery evidences',
        `select message_id as id, count(*) as n from evidences where kind = 'delivery' and message_id = any($1::uuid[]) group by message_id`,
      ],
    ] as const;
    for (const [node, what, sql] of exactlyOnce) {
      const counts = await perMessage(node, sql);
      for (const id of delivered)
        check(counts.get(id) === 1, `${node}: ${what} for ${id}: ${counts.get(id) ?? 0}, not 1`);
    }
    await this.wholeRows();
    const falseRejections = await this.count(
      NG,
      `select count(*) as n from audit_log where event = 'message.rejected' and occurred_at >= $1
         and details->>'claimedMessageId' = any($2) and not ($3 and details->>'code' = 'PROCEDURE_TRANSITION_REFUSED')`,
      [since, delivered, options.outOfOrder ?? false],
    );
    check(falseRejections === 0, `NG audited ${falseRejections} rejections of delivered messages`);
    for (const id of NODES) {
      const verification = await this.audit[id].verify();
      check(verification.ok, `${id}: audit chain broken: ${JSON.stringify(verification)}`);
    }
    const survivors = this.survivors();
    const streamed = await this.streamsFlow(delivered);
    return {
      accepted: accepted.length,
      delivered: delivered.length,
      failed: failed.length,
      restartedByTest: survivors.restartedByTest.length,
      ...streamed,
      settledMs,
      verifyMs: Date.now() - started,
    };
  }

  private async lastError(id: string): Promise<string> {
    const { rows } = await this.db[FR].query<{ last_error: string | null }>(
      'select last_error from messages where id = $1',
      [id],
    );
    return rows[0]?.last_error ?? 'unknown';
  }

  /** Nothing half-written: each stored message has everything its status implies, on both nodes. */
  private async wholeRows(): Promise<void> {
    const incomplete = {
      [FR]: `select count(*) as n from messages m where direction = 'outbound' and (
          not exists (select 1 from envelopes e where e.message_id = m.id)
          or not exists (select 1 from evidences v where v.message_id = m.id and v.kind = 'submission-acceptance')
          or not exists (select 1 from audit_log a where a.message_id = m.id and a.event = 'message.sent')
          or (m.status = 'delivered' and not exists (select 1 from receipts r where r.message_id = m.id))
          or (m.status = 'failed' and not exists (select 1 from evidences v where v.message_id = m.id and v.kind = 'non-delivery')))`,
      [NG]: `select count(*) as n from messages m where direction = 'inbound' and (
          not exists (select 1 from envelopes e where e.message_id = m.id)
          or not exists (select 1 from receipts r where r.message_id = m.id)
          or not exists (select 1 from audit_log a where a.message_id = m.id and a.event = 'message.received'))`,
    };
    for (const [id, sql] of Object.entries(incomplete)) {
      const n = await this.count(id, sql);
      check(n === 0, `${id}: ${n} half-written messages`);
    }
  }

  /**
   * The mailbox streams flow after the fault (a message sent now shows up on both), and carried,
   * live or replayed, an event for every message the scenario delivered, none twice.
   */
  private async streamsFlow(delivered: readonly string[]): Promise<Record<string, number>> {
    const started = Date.now();
    const probe = await this.submit();
    const probeId = probe.messageId;
    check(probe.status === 202 && probeId, `probe message refused: ${probe.status}`);
    await until(
      async () =>
        this.mailbox[FR].seen('message.delivered', probeId) &&
        this.mailbox[NG].seen('message.received', probeId),
      'the probe message on both mailbox streams',
      60_000,
    );
    const streamLatencyMs = Date.now() - started;
    await until(
      async () =>
        delivered.every(
          (id) =>
            this.mailbox[FR].seen('message.delivered', id) &&
            this.mailbox[NG].seen('message.received', id),
        ),
      'an event on the mailbox streams for every message delivered',
      30_000,
    );
    for (const id of NODES) {
      const repeated = this.mailbox[id].duplicates();
      check(repeated.length === 0, `${id}: the stream sent events twice: ${repeated.join(', ')}`);
    }
    return {
      streamLatencyMs,
      streamConnections: this.mailbox[FR].connections + this.mailbox[NG].connections,
    };
  }

  /** A client of the node's Redis, for checks (subscribers of the event bus). */
  async redisClient<T>(work: (redis: Redis) => Promise<T>): Promise<T> {
    const redis = new Redis(this.redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  }
}

function errorCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}
