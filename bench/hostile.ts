import { execFile } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as openpgp from 'openpgp';
import { v7 as uuidv7 } from 'uuid';
import {
  canonicalJson,
  ENVELOPE_MEDIA_TYPE,
  generateAuthorityKeyPair,
  INBOUND_PATH,
  ROUTING_HEADERS,
  unlockPrivateKey,
  type EnvelopePayload,
  type PrivateKey,
  type PublicKey,
} from '#libs/envelope';
import { ErrorCode } from '#libs/errors';
import { LocalNetwork, mlaEnvelope } from '#tools/local-network';
import { keysOf } from '../test/support/network.js';
import { processCpuMs } from './cost-meter.js';
import { machineInfo, progressOf, removeNetwork, round, sleep } from './support.js';

/*
 * What hostile envelopes cost a node's gateway (security S1): CPU per refused request and how
 * promptly the liveness probe answers while they arrive. Three kinds, each 7–10 MB:
 * - a genuine envelope whose session key packet is repeated 60,000 times, refused by the packet
 *   structure check before any decryption, against a baseline of the same bytes from a sender the
 *   directory does not know (refused before anything is parsed);
 * - a well-formed envelope anyone can encrypt to the node, signed by an impostor: it must be
 *   decrypted before its signature can be judged, in a decryption worker thread, so the event
 *   loop's own thread should spend little on it.
 * Prints one JSON document with the figures, its targets and whether each was met (exit code 1 if
 * not); drops its schemas, Redis keys and work folder at the end.
 */

const progress = progressOf('hostile');
const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const SENDS = 10;
const FLOOD = 16;
const FORGED_FLOOD = 8;
const TARGETS = {
  /** What the structure check adds to reading a 7.8 MB request, gateway CPU ms. */
  structureCheckAddsMs: 40,
  /** The event loop's CPU per forged envelope: decryption stays in the worker threads. */
  forgedEventLoopMs: 100,
  /** /health/live during a flood: at most this, or twice the unknown-sender flood's, ms. */
  livenessMs: 2_000,
};

interface Answer {
  status: number;
  code?: string;
}

async function main(): Promise<void> {
  const network = await LocalNetwork.create({
    name: 'bench_hostile',
    workDir: join(tmpdir(), 'gateway-bench-hostile'),
    nodes: [
      {
        authorityId: FR,
        state: 'FR',
        name: 'Bureau de l’entraide pénale internationale',
        kind: 'central-authority',
        procedures: ['mla'],
        port: 4411,
      },
      {
        authorityId: NG,
        state: 'NG',
        name: 'Central Authority Unit',
        kind: 'central-authority',
        procedures: ['mla'],
        port: 4412,
      },
    ],
    // Every request comes from this one address: the refusal paths are measured, not the limits.
    env: {
      GATEWAY_RATE_LIMIT_PER_PEER: '1000000',
      GATEWAY_RATE_LIMIT_PER_PEER_UNVERIFIED: '1000000',
      GATEWAY_RATE_LIMIT_PER_ADDRESS: '1000000',
    },
  });
  try {
    progress('starting two nodes');
    await network.startAll();
    const report = await measure(network);
    process.stdout.write(`${JSON.stringify({ ...report, machine: machineInfo() }, null, 2)}\n`);
    if (!Object.values(report.met).every(Boolean)) process.exitCode = 1;
  } finally {
    await network.stopAll();
    await removeNetwork(network, [FR, NG], progress);
  }
}

async function measure(network: LocalNetwork) {
  const [fr, ng] = await Promise.all([keysOf(network, FR), keysOf(network, NG)]);
  const inbound = `${network.url(NG)}${INBOUND_PATH}`;
  const gateway = network.pid(NG, 'gateway');
  if (gateway === undefined) throw new Error(`${NG}'s gateway is not running`);
  const cpu = (thread?: 'event-loop') =>
    processCpuMs(gateway, thread ? gateway : undefined) ?? Number.NaN;

  const payload = (): EnvelopePayload =>
    mlaEnvelope(FR, NG, {
      caseReference: `BENCH-HOSTILE-${uuidv7()}`,
      handling: { permittedPurpose: 'benchmark', confidential: false, noOnwardTransferTo: [] },
    });
  const seal = async (plaintext: Uint8Array, signingKey: PrivateKey, recipientKey: PublicKey) =>
    openpgp.encrypt({
      message: await openpgp.createMessage({ binary: plaintext }),
      signingKeys: signingKey,
      encryptionKeys: recipientKey,
      format: 'binary',
    });

  /** One POST on its own connection: a pooled one may be closed as idle as the next upload starts. */
  const send = (body: Uint8Array, sender = FR) =>
    new Promise<Answer>((resolve, reject) => {
      const request = httpRequest(
        inbound,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': ENVELOPE_MEDIA_TYPE,
            'content-length': String(body.length),
            [ROUTING_HEADERS.sender]: sender,
            [ROUTING_HEADERS.recipient]: NG,
            [ROUTING_HEADERS.messageId]: uuidv7(),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let code: string | undefined;
            try {
              code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
            } catch {
              code = undefined;
            }
            resolve({ status: response.statusCode ?? 0, code });
          });
        },
      );
      request.on('error', reject);
      request.end(Buffer.from(body));
    });
  const expectCode = (answer: Answer, expected: string) => {
    if (answer.code !== expected) {
      throw new Error(`expected ${expected}, got HTTP ${answer.status} ${answer.code ?? ''}`);
    }
  };

  /** curl times the probe in its own process, so that the uploads do not delay the probe itself. */
  const probe = () =>
    new Promise<number>((resolve, reject) =>
      execFile(
        'curl',
        [
          '-s',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code} %{time_total}',
          `${network.url(NG)}/health/live`,
        ],
        (error: Error | null, stdout: string) => {
          if (error) return reject(error);
          const [status, seconds] = stdout.trim().split(' ');
          if (status !== '200') return reject(new Error(`/health/live answered ${status}`));
          resolve(Number(seconds) * 1000);
        },
      ),
    );
  async function probeDuring(count: number, request: () => Promise<Answer>, expected: string) {
    const flood = Promise.all(Array.from({ length: count }, request));
    await sleep(300);
    const ms = await probe();
    for (const answer of await flood) expectCode(answer, expected);
    return round(ms, 1);
  }

  // The bomb: a genuine envelope to NG whose session key packet to NG is repeated 60,000 times.
  const sealed = await seal(
    new TextEncoder().encode(canonicalJson(payload())),
    fr.privateKey,
    ng.publicKey,
  );
  if (sealed[0] !== 0xc1) throw new Error('expected a new-format PKESK header, one-octet length');
  const toRecipient = sealed.subarray(0, 2 + sealed[1]);
  const rest = sealed.subarray(2 + sealed[1]);
  const bomb = new TextEncoder().encode(
    openpgp.armor(
      openpgp.enums.armor.message,
      new Uint8Array(Buffer.concat([...Array.from({ length: 60_000 }, () => toRecipient), rest])),
    ),
  );
  const sendBomb = (sender = FR) => send(bomb, sender);

  progress(`warming up on ${bomb.length}-byte bodies`);
  for (let i = 0; i < 3; i++) expectCode(await sendBomb(), ErrorCode.ENVELOPE_STRUCTURE_INVALID);

  // Gateway CPU per request less its idle CPU over the same time; the two kinds in turn, so that
  // whatever else loads the machine weighs on both.
  const idleFrom = Date.now();
  const idleStart = cpu();
  await sleep(2_000);
  const idlePerMs = (cpu() - idleStart) / (Date.now() - idleFrom);
  const cpuOf = async (request: () => Promise<Answer>, expected: string) => {
    const start = cpu();
    const from = Date.now();
    expectCode(await request(), expected);
    return cpu() - start - idlePerMs * (Date.now() - from);
  };
  progress(`measuring ${SENDS} bombs and ${SENDS} unknown-sender requests in turns`);
  let bombCpu = 0;
  let unknownSenderCpu = 0;
  for (let i = 0; i < SENDS; i++) {
    unknownSenderCpu += await cpuOf(() => sendBomb('BR-MJ-DRCI'), ErrorCode.UNKNOWN_SENDER);
    bombCpu += await cpuOf(() => sendBomb(), ErrorCode.ENVELOPE_STRUCTURE_INVALID);
  }
  progress(`probing /health/live during ${FLOOD} concurrent requests of each kind`);
  const livenessUnknownSender = await probeDuring(
    FLOOD,
    () => sendBomb('BR-MJ-DRCI'),
    ErrorCode.UNKNOWN_SENDER,
  );
  const livenessBombs = await probeDuring(
    FLOOD,
    () => sendBomb(),
    ErrorCode.ENVELOPE_STRUCTURE_INVALID,
  );

  // A well-formed 7 MB envelope signed by an impostor.
  const impostor = await generateAuthorityKeyPair({
    authorityId: FR,
    authorityName: 'impostor',
    passphrase: 'x',
  });
  const rogue = await unlockPrivateKey(impostor.privateKeyArmored, 'x');
  const forged = new TextEncoder().encode(
    openpgp.armor(
      openpgp.enums.armor.message,
      await seal(new Uint8Array(7_000_000).fill(0x78), rogue, ng.publicKey),
    ),
  );
  const sendForged = () => send(forged);
  for (let i = 0; i < 2; i++) expectCode(await sendForged(), ErrorCode.SIGNATURE_INVALID);
  progress(`measuring ${SENDS} forged envelopes`);
  const loopStart = cpu('event-loop');
  const processStart = cpu();
  for (let i = 0; i < SENDS; i++) expectCode(await sendForged(), ErrorCode.SIGNATURE_INVALID);
  const forgedEventLoopMs = (cpu('event-loop') - loopStart) / SENDS;
  const forgedProcessMs = (cpu() - processStart) / SENDS;
  const livenessForged = await probeDuring(FORGED_FLOOD, sendForged, ErrorCode.SIGNATURE_INVALID);

  const structureCheckAddsMs = (bombCpu - unknownSenderCpu) / SENDS;
  const livenessLimit = Math.max(TARGETS.livenessMs, 2 * livenessUnknownSender);
  return {
    sessionKeyBomb: {
      bytes: bomb.length,
      gatewayCpuMs: round(bombCpu / SENDS, 1),
      unknownSenderGatewayCpuMs: round(unknownSenderCpu / SENDS, 1),
      structureCheckAddsMs: round(structureCheckAddsMs, 1),
    },
    forgedEnvelope: {
      bytes: forged.length,
      eventLoopCpuMs: round(forgedEventLoopMs, 1),
      processCpuMs: round(forgedProcessMs, 1),
    },
    livenessMs: {
      duringUnknownSender: livenessUnknownSender,
      duringBombs: livenessBombs,
      duringForged: livenessForged,
      concurrent: { bombs: FLOOD, forged: FORGED_FLOOD },
    },
    targets: TARGETS,
    met: {
      structureCheckAddsMs: structureCheckAddsMs < TARGETS.structureCheckAddsMs,
      forgedEventLoopMs: forgedEventLoopMs < TARGETS.forgedEventLoopMs,
      livenessDuringBombs: livenessBombs < livenessLimit,
      livenessDuringForged: livenessForged < livenessLimit,
    },
  };
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
