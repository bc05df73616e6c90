import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { SubmissionAccepted } from '#libs/messaging';
import {
  accountName,
  LocalNetwork,
  mlaRequest,
  repoRoot,
  type NodeSpec,
} from '#tools/local-network';
import {
  machineInfo,
  positiveInteger,
  progressOf,
  removeNetwork,
  round,
  sleep,
} from './support.js';

/*
 * A node on several processes: G gateways and W workers per node, two nodes, one PostgreSQL and
 * one Redis. Messages are submitted round-robin through the sender's gateways; the benchmark
 * checks that each is delivered exactly once, and that each periodic task ran in one process per
 * node, about once per period (from the processes' debug log line "periodic task ran").
 * Prints one JSON document; drops its schemas, Redis keys and work folder at the end.
 */

const progress = progressOf('scale');
const SENDER = 'FR-MOJ-BEPI';
const RECIPIENT = 'NG-MOJ-CA';
const RECONCILE_MS = 2000;
const KEY_CHECK_MS = 3000;
const HELD_RECHECK_MS = 2000;
const DEADLINE_FEED_MS = 2000;
const AUDIT_WITNESS_MS = 2000;
/** Each node task and its period under the benchmark's settings (libs' tasks.register calls). */
const TASK_PERIODS: Record<string, number> = {
  'outbox-reconcile': RECONCILE_MS,
  'deadline-horizon-feed': DEADLINE_FEED_MS,
  'key-expiry': KEY_CHECK_MS,
  'held-submissions': HELD_RECHECK_MS,
  'audit-chain': 1000,
  'audit-witness': AUDIT_WITNESS_MS,
};

interface Options {
  gateways: number;
  workers: number;
  messages: number;
  seconds: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      gateways: { type: 'string', default: '2' },
      workers: { type: 'string', default: '2' },
      messages: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '20' },
    },
    strict: true,
  });
  return {
    gateways: positiveInteger('--gateways', values.gateways),
    workers: positiveInteger('--workers', values.workers),
    messages: positiveInteger('--messages', values.messages),
    seconds: positiveInteger('--seconds', values.seconds),
  };
}

function nodes(gateways: number): NodeSpec[] {
  const spec = (authorityId: string, state: string, name: string, port: number): NodeSpec => ({
    authorityId,
    state,
    name,
    kind: 'central-authority',
    procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
    port,
    extraGatewayPorts: Array.from({ length: gateways - 1 }, (_, i) => port + 1 + i),
  });
  return [
    spec(SENDER, 'FR', 'Ministère de la Justice, BEPI', 4331),
    spec(RECIPIENT, 'NG', 'Federal Ministry of Justice, Central Authority Unit', 4351),
  ];
}

async function submit(url: string, token: string, index: number): Promise<SubmissionAccepted> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      recipients: [RECIPIENT],
      procedure: 'mla',
      messageType: 'request',
      caseReference: `BENCH-SCALE-${index}`,
      handling: {
        permittedPurpose: 'Scale benchmark',
        confidential: true,
        noOnwardTransferTo: [],
      },
      body: mlaRequest(SENDER),
    }),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  return JSON.parse(text) as SubmissionAccepted;
}

interface TaskRun {
  task: string;
  pid: number;
  component: string;
  time: number;
}

/** The "periodic task ran" lines of every process of a node. */
function taskRuns(network: LocalNetwork, id: string, options: Options): TaskRun[] {
  const files = [
    ...Array.from({ length: options.gateways }, (_, i) => network.logFile(id, 'gateway', i)),
    ...Array.from({ length: options.workers }, (_, i) => network.logFile(id, 'worker', i)),
  ];
  const runs: TaskRun[] = [];
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.includes('periodic task ran')) continue;
      try {
        const entry = JSON.parse(line) as Partial<TaskRun> & { msg?: string };
        if (entry.msg === 'periodic task ran' && entry.task) runs.push(entry as TaskRun);
      } catch {
        // a line cut short by a stop
      }
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const network = await LocalNetwork.create({
    name: 'bench_scale',
    workDir: join(repoRoot(), '.bench-scale'),
    nodes: nodes(options.gateways),
    env: {
      LOG_LEVEL: 'debug',
      GATEWAY_RECONCILE_INTERVAL_MS: String(RECONCILE_MS),
      GATEWAY_KEY_EXPIRY_CHECK_INTERVAL_MS: String(KEY_CHECK_MS),
      GATEWAY_AUDIT_WITNESS_INTERVAL_MS: String(AUDIT_WITNESS_MS),
      GATEWAY_HELD_RECHECK_INTERVAL_MS: String(HELD_RECHECK_MS),
      GATEWAY_DEADLINE_FEED_INTERVAL_MS: String(DEADLINE_FEED_MS),
      GATEWAY_RATE_LIMIT_PER_USER: '1000000',
      GATEWAY_RATE_LIMIT_PER_PEER: '1000000',
      GATEWAY_RATE_LIMIT_PER_ADDRESS: '1000000',
    },
  });
  const ids = [SENDER, RECIPIENT];
  const pools = Object.fromEntries(
    ids.map((id) => [
      id,
      new pg.Pool({
        connectionString: network.databaseUrl,
        max: 2,
        options: `-c search_path=${network.schema(id)}`,
      }),
    ]),
  );
  const count = async (id: string, sql: string, params: unknown[] = []): Promise<number> => {
    const { rows } = await pools[id].query<{ n: string }>(sql, params);
    return Number(rows[0]?.n ?? 0);
  };
  try {
    progress(`starting ${options.gateways} gateways and ${options.workers} workers per node`);
    for (const id of ids) {
      for (let i = 0; i < options.gateways; i++) network.start(id, 'gateway', i);
      for (let i = 0; i < options.workers; i++) network.start(id, 'worker', i);
    }
    for (const id of ids) {
      for (let i = 0; i < options.gateways; i++) await network.waitReady(id, 90_000, i);
    }
    const observedFrom = Date.now();

    const token = await network.token(SENDER, accountName(SENDER, 'central-authority-officer'));
    progress(`submitting ${options.messages} messages round-robin over the sender's gateways`);
    const accepted: string[] = [];
    const perGateway = Array.from({ length: options.gateways }, () => 0);
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < options.messages) {
          const index = next++;
          const instance = index % options.gateways;
          const answer = await submit(
            `${network.url(SENDER, instance)}/api/v1/messages`,
            token,
            index,
          );
          accepted.push(...answer.messages.map((message) => message.messageId));
          perGateway[instance] += 1;
        }
      }),
    );

    progress('waiting for every delivery');
    const deadline = Date.now() + 180_000;
    for (;;) {
      const delivered = await count(
        SENDER,
        `select count(*) as n from messages where direction = 'outbound' and status = 'delivered'`,
      );
      if (delivered >= accepted.length) break;
      if (Date.now() > deadline) throw new Error(`only ${delivered} delivered after 180 s`);
      await sleep(500);
    }
    // Let the periodic tasks run a while longer on a quiet node.
    const rest = options.seconds * 1000 - (Date.now() - observedFrom);
    if (rest > 0) await sleep(rest);
    const observedTo = Date.now();

    const perMessage = async (id: string, sql: string) => {
      const { rows } = await pools[id].query<{ id: string; n: string }>(sql, [accepted]);
      const counts = new Map(rows.map((row) => [row.id, Number(row.n)]));
      return accepted.filter((m) => counts.get(m) !== 1).length;
    };
    const notExactlyOnce = {
      storedAtRecipient: await perMessage(
        RECIPIENT,
        `select id, count(*) as n from messages where id = any($1::uuid[]) group by id`,
      ),
      receiptsIssued: await perMessage(
        RECIPIENT,
        `select message_id as id, count(*) as n from receipts where message_id = any($1::uuid[]) group by message_id`,
      ),
      receptionsAudited: await perMessage(
        RECIPIENT,
        `select message_id as id, count(*) as n from audit_log where event = 'message.received' and message_id = any($1::uuid[]) group by message_id`,
      ),
      receiptsKept: await perMessage(
        SENDER,
        `select message_id as id, count(*) as n from receipts where message_id = any($1::uuid[]) group by message_id`,
      ),
      deliveriesAudited: await perMessage(
        SENDER,
        `select message_id as id, count(*) as n from audit_log where event = 'message.delivered' and message_id = any($1::uuid[]) group by message_id`,
      ),
    };

    const seconds = (observedTo - observedFrom) / 1000;
    const periodicTasks: Record<string, Record<string, unknown>> = {};
    let periodicOk = true;
    for (const id of ids) {
      const runs = taskRuns(network, id, options).filter(
        (run) => run.time >= observedFrom && run.time <= observedTo,
      );
      const byTask: Record<string, unknown> = {};
      for (const [task, periodMs] of Object.entries(TASK_PERIODS)) {
        const mine = runs.filter((run) => run.task === task);
        const processes = new Set(mine.map((run) => run.pid)).size;
        const periods = (seconds * 1000) / periodMs;
        const runsPerPeriod = round(mine.length / periods, 2);
        // A window of n periods holds at most n + 1 ticks of one timer (a tick that finds the
        // previous run going is skipped, so slow runs count fewer); two processes would double it.
        const ok = mine.length > 0 && processes === 1 && mine.length <= Math.floor(periods) + 1;
        periodicOk &&= ok;
        byTask[task] = {
          periodMs,
          runs: mine.length,
          periods: round(periods, 1),
          runsPerPeriod,
          processes,
          ok,
        };
      }
      periodicTasks[id] = byTask;
    }
    const exactlyOnce = Object.values(notExactlyOnce).every((n) => n === 0);

    process.stdout.write(
      `${JSON.stringify(
        {
          benchmark: 'scale',
          gatewaysPerNode: options.gateways,
          workersPerNode: options.workers,
          messages: accepted.length,
          submittedPerGateway: perGateway,
          deliveredExactlyOnce: exactlyOnce,
          notExactlyOnce,
          observedSeconds: round(seconds, 1),
          periodicTasksOncePerNodePerPeriod: periodicOk,
          periodicTasks,
          machine: machineInfo(),
        },
        null,
        2,
      )}\n`,
    );
    if (!exactlyOnce || !periodicOk) process.exitCode = 1;
  } finally {
    await network.stopAll();
    await Promise.all(Object.values(pools).map((pool) => pool.end()));
    await removeNetwork(network, ids, progress);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
