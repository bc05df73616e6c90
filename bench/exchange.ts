import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import {
  generateAuthorityKeyPair,
  openEnvelope,
  readPublicKey,
  sha256Hex,
  signReceipt,
  unlockPrivateKey,
  verifyReceipt,
  type EnvelopePayload,
  type OpeningPolicy,
  type PrivateKey,
  type PublicKey,
  type ReceiptDocument,
  type SignerKeys,
} from '#libs/envelope';
import {
  accountName,
  LocalNetwork,
  mlaRequest,
  repoRoot,
  sealThroughPolicy,
  type NodeSpec,
} from '#tools/local-network';
import type { SubmissionAccepted } from '#libs/messaging';
import { PrivatePostgres, PrivateRedis } from '../test/support/private-services.js';
import { BENCH_SQL, CostMeter, type Cost } from './cost-meter.js';
import {
  machineInfo,
  percentiles,
  positiveInteger,
  progressOf,
  round,
  sleep,
  type Percentiles,
} from './support.js';

const progress = progressOf('bench');

const SENDER = 'FR-MOJ-BEPI';
const RECIPIENT = 'NG-MOJ-CA';
const BODY_CHARS = 4096;
const DELIVERY_CONCURRENCY = 16;
const CRYPTO_CONCURRENCY = 32;
const CRYPTO_WARMUP_OPS = 20;
const STALL_TIMEOUT_MS = 120_000;
const POLL_INTERVAL_MS = 250;

const NODES: NodeSpec[] = [
  {
    authorityId: SENDER,
    state: 'FR',
    name: 'Ministère de la Justice, Bureau de l’entraide pénale internationale',
    kind: 'central-authority',
    procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
    port: 4301,
  },
  {
    authorityId: RECIPIENT,
    state: 'NG',
    name: 'Federal Ministry of Justice, Central Authority Unit',
    kind: 'central-authority',
    procedures: ['mla', 'jit', 'nationality-verification', 'assets'],
    port: 4302,
  },
];

interface Options {
  messages: number;
  concurrency: number;
  cryptoOps: number;
}

interface ExchangeResult {
  messages: number;
  bodyBytes: number;
  submitConcurrency: number;
  deliveryConcurrency: number;
  submitSeconds: number;
  wallClockSeconds: number;
  messagesPerSecond: number;
  latencyMs: Percentiles;
  submitHttpMs: { p50: number; p99: number };
  cost: Cost;
}

interface Throughput {
  ops: number;
  seconds: number;
  opsPerSecond: number;
  /** CPU of this process per operation (process.cpuUsage: user and system, every thread). */
  cpuMsPerOp: number;
}

interface SealOpenResult {
  bodyBytes: number;
  envelopeBytes: number;
  inFlight: number;
  seal: { sequential: Throughput; concurrent: Throughput };
  open: { sequential: Throughput; concurrent: Throughput };
  receiptSignVerify: { sequential: Throughput; concurrent: Throughput };
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '32' },
      'crypto-ops': { type: 'string', default: '500' },
    },
    strict: true,
  });
  return {
    messages: positiveInteger('--messages', values.messages),
    concurrency: positiveInteger('--concurrency', values.concurrency),
    cryptoOps: positiveInteger('--crypto-ops', values['crypto-ops']),
  };
}

/** Runs `task(i)` for i in [0, count) with at most `limit` calls in flight. */
async function runPool(
  count: number,
  limit: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

/**
 * A valid MLA request whose summary of facts brings the body to 4 KiB. The filler is hexadecimal:
 * random base64 now and then spells a W-6 term (asylum, refugee... in some UN language), and the
 * submission then waits for a supervisor instead of being sent.
 */
function paddedBody(): Record<string, unknown> {
  const request = mlaRequest('FR-MOJ-BEPI');
  const filler = randomBytes(BODY_CHARS).toString('hex');
  const size = JSON.stringify(request).length - request.summaryOfFacts.length;
  return { ...request, summaryOfFacts: filler.slice(0, Math.max(0, BODY_CHARS - size)) };
}

async function submit(
  url: string,
  token: string,
  body: Record<string, unknown>,
): Promise<SubmissionAccepted> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      recipients: [RECIPIENT],
      procedure: 'mla',
      messageType: 'request',
      caseReference: 'BENCH-EXCHANGE',
      handling: {
        permittedPurpose: 'Gateway throughput benchmark',
        confidential: true,
        noOnwardTransferTo: [],
      },
      body,
    }),
  });
  const text = await response.text();
  if (response.status !== 202) {
    throw new Error(`POST ${url} answered ${response.status}: ${text}`);
  }
  return JSON.parse(text) as SubmissionAccepted;
}

async function statusCounts(pool: pg.Pool, schema: string): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ status: string; count: number }>(
    `${BENCH_SQL} select status, count(*)::int as count from ${schema}.messages
      where direction = 'outbound' group by status`,
  );
  return new Map(rows.map((row) => [row.status, row.count]));
}

async function waitForDeliveries(pool: pg.Pool, schema: string, expected: number): Promise<void> {
  let delivered = -1;
  let lastProgressAt = Date.now();
  let lastReportAt = 0;
  for (;;) {
    const counts = await statusCounts(pool, schema);
    const failed = counts.get('failed') ?? 0;
    if (failed > 0) throw new Error(`${failed} messages failed delivery`);
    const now = Date.now();
    const current = counts.get('delivered') ?? 0;
    if (current !== delivered) {
      delivered = current;
      lastProgressAt = now;
    }
    if (delivered >= expected) return;
    if (now - lastReportAt >= 2_000) {
      progress(`delivered ${delivered}/${expected}`);
      lastReportAt = now;
    }
    if (now - lastProgressAt > STALL_TIMEOUT_MS) {
      const summary = [...counts].map(([status, count]) => `${status}=${count}`).join(', ');
      throw new Error(`no delivery progress for ${STALL_TIMEOUT_MS} ms (${summary})`);
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/**
 * The two nodes run on a PostgreSQL and a Redis of the benchmark's own, so that the statements
 * and commands counted are theirs alone: PostgreSQL durable as a node's would be, with
 * pg_stat_statements loaded.
 */
async function benchExchange(options: Options): Promise<ExchangeResult> {
  progress('starting a PostgreSQL and a Redis of its own');
  const postgres = await PrivatePostgres.create({ durable: true, preload: ['pg_stat_statements'] });
  const redis = await PrivateRedis.create();
  try {
    return await exchangeOn(options, postgres, redis);
  } finally {
    await postgres.destroy();
    await redis.destroy();
  }
}

async function exchangeOn(
  options: Options,
  postgres: PrivatePostgres,
  redis: PrivateRedis,
): Promise<ExchangeResult> {
  const network = await LocalNetwork.create({
    name: 'bench',
    workDir: join(repoRoot(), '.bench'),
    nodes: NODES,
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    env: {
      LOG_LEVEL: 'warn',
      GATEWAY_DELIVERY_CONCURRENCY: String(DELIVERY_CONCURRENCY),
      // The benchmark measures throughput, not the rate limits (every request is from loopback).
      GATEWAY_RATE_LIMIT_PER_USER: '1000000',
      GATEWAY_RATE_LIMIT_PER_PEER: '1000000',
      GATEWAY_RATE_LIMIT_PER_ADDRESS: '1000000',
    },
  });
  // One connection that stays open: the meter leaves its own backend out.
  const pool = new pg.Pool({ connectionString: network.databaseUrl, max: 1, idleTimeoutMillis: 0 });
  const schema = network.schema(SENDER);
  let completed = false;
  let meter: CostMeter | undefined;
  try {
    progress(`starting ${NODES.map((n) => n.authorityId).join(' and ')}`);
    await network.startAll();
    meter = new CostMeter(pool, network.redisUrl, () =>
      NODES.flatMap((node) =>
        (['gateway', 'worker'] as const).flatMap((component) => {
          const pid = network.pid(node.authorityId, component);
          return pid === undefined ? [] : [pid];
        }),
      ),
    );

    const url = `${network.url(SENDER)}/api/v1/messages`;
    const token = await network.token(SENDER, accountName(SENDER, 'central-authority-officer'));
    const bodies = Array.from({ length: options.messages }, paddedBody);
    const submitMs: number[] = [];
    progress(`submitting ${options.messages} messages, ${options.concurrency} in flight`);
    await meter.start();
    const startedAt = performance.now();
    await runPool(options.messages, options.concurrency, async (index) => {
      const before = performance.now();
      await submit(url, token, bodies[index]);
      submitMs.push(performance.now() - before);
    });
    const submitSeconds = (performance.now() - startedAt) / 1000;
    progress(`submitted in ${round(submitSeconds)} s`);

    await waitForDeliveries(pool, schema, options.messages);
    const wallClockSeconds = (performance.now() - startedAt) / 1000;
    const cost = await meter.stop();

    const { rows } = await pool.query<{
      latency_ms: number;
      created_ms: number;
      stored_ms: number;
    }>(
      `${BENCH_SQL} select (extract(epoch from r.stored_at - m.created_at) * 1000)::float8 as latency_ms,
              (extract(epoch from m.created_at) * 1000)::float8 as created_ms,
              (extract(epoch from r.stored_at) * 1000)::float8 as stored_ms
         from ${schema}.messages m
         join ${schema}.receipts r on r.message_id = m.id
        where m.direction = 'outbound' and m.status = 'delivered'`,
    );
    if (rows.length !== options.messages) {
      throw new Error(`expected ${options.messages} receipts, found ${rows.length}`);
    }
    const firstCreated = Math.min(...rows.map((row) => row.created_ms));
    const lastStored = Math.max(...rows.map((row) => row.stored_ms));
    const submitPercentiles = percentiles(submitMs);
    completed = true;
    return {
      messages: rows.length,
      bodyBytes: BODY_CHARS,
      submitConcurrency: options.concurrency,
      deliveryConcurrency: DELIVERY_CONCURRENCY,
      submitSeconds: round(submitSeconds, 3),
      wallClockSeconds: round(wallClockSeconds, 3),
      messagesPerSecond: round(rows.length / ((lastStored - firstCreated) / 1000)),
      latencyMs: percentiles(rows.map((row) => row.latency_ms)),
      submitHttpMs: { p50: submitPercentiles.p50, p99: submitPercentiles.p99 },
      cost,
    };
  } finally {
    // A failed run's error is reported, not a sample taken after the pool has ended.
    await meter?.cancel();
    progress('stopping the network');
    await network.stopAll();
    await pool.end();
    // The nodes' keys, directory, files and logs (their PostgreSQL and Redis go with the run);
    // a run that failed keeps them for its logs.
    if (completed) rmSync(network.options.workDir, { recursive: true, force: true, maxRetries: 3 });
    else progress(`the nodes' logs are kept in ${network.options.workDir}`);
  }
}

interface Party {
  id: string;
  privateKey: PrivateKey;
  publicKey: PublicKey;
}

async function party(id: string): Promise<Party> {
  const passphrase = randomBytes(18).toString('base64url');
  const pair = await generateAuthorityKeyPair({ authorityId: id, authorityName: id, passphrase });
  return {
    id,
    privateKey: await unlockPrivateKey(pair.privateKeyArmored, passphrase),
    publicKey: await readPublicKey(pair.publicKeyArmored),
  };
}

/** A party's one key, valid at any time: the in-process measures leave key periods aside. */
function signerOf(party: Party): SignerKeys {
  return { id: party.id, publicKeys: [party.publicKey], signatureRefusal: () => undefined };
}

function payloadFor(sender: Party, recipient: Party): EnvelopePayload {
  const messageId = uuidv7();
  return {
    formatVersion: 1,
    messageId,
    procedure: 'mla',
    messageType: 'request',
    requestId: messageId,
    deadlineProfiles: ['untoc-mla'],
    sender: sender.id,
    recipient: recipient.id,
    createdAt: new Date().toISOString(),
    inReplyTo: null,
    caseReference: 'BENCH-SEAL-OPEN',
    handling: {
      permittedPurpose: 'Envelope throughput benchmark',
      confidential: true,
      noOnwardTransferTo: [],
    },
    body: paddedBody(),
    attachments: [],
  };
}

/** Measures `count` calls of `op` with `inFlight` concurrent calls, after a short warm-up. */
async function measure(
  count: number,
  inFlight: number,
  op: (index: number) => Promise<void>,
): Promise<Throughput> {
  await runPool(CRYPTO_WARMUP_OPS, inFlight, op);
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  await runPool(count, inFlight, op);
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - startedAt) / 1000;
  return {
    ops: count,
    seconds: round(seconds, 3),
    opsPerSecond: round(count / seconds),
    cpuMsPerOp: round((cpu.user + cpu.system) / 1000 / count, 3),
  };
}

async function benchSealOpen(count: number): Promise<SealOpenResult> {
  progress('generating keys for the in-process envelope benchmark');
  const [fr, ng] = await Promise.all([party(SENDER), party(RECIPIENT)]);
  const keys = { signingKey: fr.privateKey, recipientKey: ng.publicKey };
  const payloads = Array.from({ length: count }, () => payloadFor(fr, ng));
  const envelopes: Uint8Array[] = new Array<Uint8Array>(count);
  const encoder = new TextEncoder();

  const seal = async (index: number): Promise<void> => {
    const payload = payloads[index % count];
    // As a node seals: the policy decision, its authorisation, then sign and encrypt.
    envelopes[index % count] = encoder.encode(await sealThroughPolicy(payload, keys));
  };
  progress(`sealing ${count} envelopes`);
  const sealSequential = await measure(count, 1, seal);
  const sealConcurrent = await measure(count, CRYPTO_CONCURRENCY, seal);

  const policy = (): OpeningPolicy => ({
    servedAuthorities: [ng.id],
    decryptionKeys: [ng.privateKey],
    senderKeys: (authorityId) => (authorityId === fr.id ? signerOf(fr) : undefined),
    maxEnvelopeBytes: 10 * 1024 * 1024,
    maxDecompressedBytes: 20 * 1024 * 1024,
    replayWindowMs: 24 * 60 * 60 * 1000,
    clockSkewMs: 5 * 60 * 1000,
    now: new Date(),
  });
  const open = async (index: number): Promise<void> => {
    const payload = payloads[index % count];
    const opened = await openEnvelope(
      envelopes[index % count],
      { sender: payload.sender, recipient: payload.recipient, messageId: payload.messageId },
      policy(),
    );
    if (opened.payload.messageId !== payload.messageId) {
      throw new Error(`opened ${opened.payload.messageId}, expected ${payload.messageId}`);
    }
  };
  progress(`opening ${count} envelopes`);
  const openSequential = await measure(count, 1, open);
  const openConcurrent = await measure(count, CRYPTO_CONCURRENCY, open);

  const receiptRoundTrip = async (index: number): Promise<void> => {
    const payload = payloads[index % count];
    const expected = {
      messageId: payload.messageId,
      sender: payload.sender,
      recipient: payload.recipient,
      envelopeSha256: sha256Hex(envelopes[index % count]),
    };
    const receipt: ReceiptDocument = {
      type: 'receipt',
      formatVersion: 1,
      ...expected,
      receivedAt: new Date().toISOString(),
    };
    const armored = await signReceipt(receipt, ng.privateKey);
    await verifyReceipt(armored, signerOf(ng), expected);
  };
  progress(`signing and verifying ${count} receipts`);
  const receiptSequential = await measure(count, 1, receiptRoundTrip);
  const receiptConcurrent = await measure(count, CRYPTO_CONCURRENCY, receiptRoundTrip);

  const envelopeBytes = envelopes.reduce((sum, envelope) => sum + envelope.byteLength, 0) / count;
  return {
    bodyBytes: BODY_CHARS,
    envelopeBytes: Math.round(envelopeBytes),
    inFlight: CRYPTO_CONCURRENCY,
    seal: { sequential: sealSequential, concurrent: sealConcurrent },
    open: { sequential: openSequential, concurrent: openConcurrent },
    receiptSignVerify: { sequential: receiptSequential, concurrent: receiptConcurrent },
  };
}

/**
 * Per exchanged message, both nodes together: the CPU the operating system counted for their
 * processes and PostgreSQL backends; the OpenPGP part of it, as measured in-process for the same
 * operations (seal with its policy authorisation, open, receipt signed and verified); statements
 * and commands as the servers counted them.
 */
function perMessage(exchange: ExchangeResult, sealOpen: SealOpenResult) {
  const { cost, messages } = exchange;
  const msPerMessage = (cost.processCpuMs + cost.databaseCpuMs) / messages;
  const cryptoMsPerMessage =
    sealOpen.seal.sequential.cpuMsPerOp +
    sealOpen.open.sequential.cpuMsPerOp +
    sealOpen.receiptSignVerify.sequential.cpuMsPerOp;
  return {
    cpu: {
      msPerMessage: round(msPerMessage, 2),
      processMsPerMessage: round(cost.processCpuMs / messages, 2),
      databaseMsPerMessage: round(cost.databaseCpuMs / messages, 2),
      cryptoMsPerMessage: round(cryptoMsPerMessage, 2),
      cryptoShare: round(cryptoMsPerMessage / msPerMessage, 3),
    },
    sqlStatementsPerMessage: round(cost.sqlStatements / messages, 2),
    redisCommandsPerMessage: round(cost.redisCommands / messages, 2),
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const exchange = await benchExchange(options);
  const sealOpen = await benchSealOpen(options.cryptoOps);
  const report = {
    exchange,
    sealOpen,
    ...perMessage(exchange, sealOpen),
    machine: machineInfo(),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
