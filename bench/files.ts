import { execFileSync, spawnSync } from 'node:child_process';
import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import type { SubmissionAccepted } from '#libs/messaging';
import { accountName, LocalNetwork, mlaRequest, type NodeSpec } from '#tools/local-network';
import { nodeDatabase } from '../test/support/network.js';
import { processCpuMs } from './cost-meter.js';
import { machineInfo, progressOf, removeNetwork, round, sleep } from './support.js';

/*
 * Evidence files between two nodes, in bounded memory: one file uploaded through the sender's tus
 * endpoint (encrypted at rest as it arrives), submitted with an MLA request to the recipient (the
 * sender's gateway seals it in OpenPGP chunks), delivered chunk by chunk by the sender's worker to
 * the recipient's gateway (which opens each chunk into the file at rest), then downloaded decrypted
 * from the recipient's gateway by its officer, streamed and hashed on the fly. The resident set of
 * the four processes that touch the file (each node's gateway and worker) is sampled from /proc for
 * the whole run. GnuPG signs and encrypts the same plaintext to the same key in the same run.
 * Prints one JSON document with the figures, its targets and whether each was met (exit code 1 if
 * not); drops its schemas, Redis keys, work folder and temporary files at the end.
 */

const progress = progressOf('files');
const SENDER = 'FR-MOJ-BEPI';
const RECIPIENT = 'NG-MOJ-CA';
const PATCH_BYTES = 256 * 1024 * 1024;
const PIECE = 4 * 1024 * 1024;
const SAMPLE_MS = 50;
const TARGETS = {
  /** Every process's peak RSS minus its RSS just before the upload, MiB. */
  rssGrowthMiB: 128,
  /** With --compare: each process's growth within this fraction of the other size's. */
  rssGrowthSameWithin: 0.1,
  /** The sender node's sealing throughput over GnuPG's (sign+encrypt, -z 0). */
  sealVsGnupg: 1.5,
  /** Upload to download verified, over GnuPG's sealing throughput. */
  endToEndVsGnupg: 0.5,
};

const NODES: NodeSpec[] = [
  {
    authorityId: SENDER,
    state: 'FR',
    name: 'Ministère de la Justice, Bureau de l’entraide pénale internationale',
    kind: 'central-authority',
    procedures: ['mla'],
    port: 4311,
  },
  {
    authorityId: RECIPIENT,
    state: 'NG',
    name: 'Federal Ministry of Justice, Central Authority Unit',
    kind: 'central-authority',
    procedures: ['mla'],
    port: 4312,
  },
];

type ProcessName = 'senderGateway' | 'senderWorker' | 'receiverGateway' | 'receiverWorker';
type PerProcess = Record<ProcessName, number>;

function parseSize(text: string): number {
  const match = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!match) throw new Error(`--size must look like 256MiB or 2GiB, not ${text}`);
  const unit = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[
    (match[2] ?? 'B').toLowerCase() as 'b'
  ];
  return Number(match[1]) * unit;
}

/** Deterministic pseudo-random content (AES-CTR key stream), produced piece by piece. */
function* content(size: number, seed = 'bench'): Generator<Buffer> {
  const cipher = createCipheriv(
    'aes-256-ctr',
    createHash('sha256').update(seed).digest(),
    Buffer.alloc(16),
  );
  const zeros = Buffer.alloc(PIECE);
  for (let at = 0; at < size; at += PIECE)
    yield cipher.update(zeros.subarray(0, Math.min(PIECE, size - at)));
}

function rssOfPid(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** The system (kernel) part of a process's CPU so far, ms: copies over loopback, disk writes. */
function systemCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

const MiB = (bytes: number) => round(bytes / 1024 ** 2, 1);

type Phase = 'upload' | 'submit' | 'delivery' | 'download';

/**
 * Samples the resident set of several processes every 50 ms: the highest since `baseline()`, and
 * what each held at that moment; and, phase by phase, each process's highest and its CPU time.
 */
class RssSampler {
  private readonly peak = new Map<ProcessName, number>();
  private readonly base = new Map<ProcessName, number>();
  private readonly phases = new Map<
    Phase,
    {
      peak: Map<ProcessName, number>;
      cpuAtStart: Map<ProcessName, number>;
      systemAtStart: Map<ProcessName, number>;
      cpuMs?: PerProcess;
      systemCpuMs?: PerProcess;
    }
  >();
  private current?: Phase;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: Record<ProcessName, number>) {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  private get entries(): Array<[ProcessName, number]> {
    return Object.entries(this.pids) as Array<[ProcessName, number]>;
  }

  private sample(): void {
    const phase = this.current && this.phases.get(this.current);
    for (const [name, pid] of this.entries) {
      const rss = rssOfPid(pid);
      // A process that exited reads 0: the run fails on its own then.
      if (rss === 0) continue;
      this.peak.set(name, Math.max(this.peak.get(name) ?? 0, rss));
      phase?.peak.set(name, Math.max(phase.peak.get(name) ?? 0, rss));
    }
  }

  /** Just before the upload: peaks start again from here. */
  baseline(): void {
    for (const [name, pid] of this.entries) {
      const rss = rssOfPid(pid);
      this.base.set(name, rss);
      this.peak.set(name, rss);
    }
  }

  /** Ends the phase under way (if any) and starts the next one. */
  phase(next?: Phase): void {
    this.sample();
    const ending = this.current && this.phases.get(this.current);
    if (ending) {
      ending.cpuMs = Object.fromEntries(
        this.entries.map(([name, pid]) => [
          name,
          Math.round((processCpuMs(pid) ?? Number.NaN) - ending.cpuAtStart.get(name)!),
        ]),
      ) as PerProcess;
      ending.systemCpuMs = Object.fromEntries(
        this.entries.map(([name, pid]) => [
          name,
          Math.round(systemCpuMs(pid) - ending.systemAtStart.get(name)!),
        ]),
      ) as PerProcess;
    }
    this.current = next;
    if (next) {
      this.phases.set(next, {
        peak: new Map(),
        cpuAtStart: new Map(this.entries.map(([name, pid]) => [name, processCpuMs(pid) ?? 0])),
        systemAtStart: new Map(this.entries.map(([name, pid]) => [name, systemCpuMs(pid)])),
      });
      this.sample();
    }
  }

  stop() {
    this.phase();
    clearInterval(this.timer);
    const names = Object.keys(this.pids) as ProcessName[];
    const of = (value: (name: ProcessName) => number) =>
      Object.fromEntries(names.map((name) => [name, MiB(value(name))])) as PerProcess;
    return {
      peakRssMiB: of((name) => this.peak.get(name)!),
      baselineRssMiB: of((name) => this.base.get(name)!),
      rssGrowthMiB: of((name) => this.peak.get(name)! - this.base.get(name)!),
      phases: Object.fromEntries(
        [...this.phases].map(([phase, { peak, cpuMs, systemCpuMs }]) => [
          phase,
          {
            rssGrowthMiB: of((name) => (peak.get(name) ?? 0) - this.base.get(name)!),
            cpuMs,
            systemCpuMs,
          },
        ]),
      ),
    };
  }
}

/** A tus upload in several PATCH requests, as a client resuming after each would send them. */
async function upload(
  base: string,
  token: string,
  size: number,
  seed: string,
  hash?: Hash,
): Promise<string> {
  const metadata = [
    ['filename', `${seed}.bin`],
    ['filetype', 'application/octet-stream'],
    ['category', 'evidence-item'],
  ]
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
  const created = await fetch(`${base}/api/v1/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(size),
      'upload-metadata': metadata,
    },
  });
  if (created.status !== 201)
    throw new Error(`upload refused: ${created.status} ${await created.text()}`);
  const location = created.headers.get('location')!;
  const id = location.split('/').pop()!;
  const source = content(size, seed);
  let offset = 0;
  let pending: Buffer | undefined;
  while (offset < size) {
    const length = Math.min(PATCH_BYTES, size - offset);
    let left = length;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (left === 0) return controller.close();
        let piece = pending;
        if (!piece) {
          piece = source.next().value as Buffer;
          hash?.update(piece);
        }
        const take = piece.subarray(0, Math.min(left, piece.length));
        pending = take.length < piece.length ? piece.subarray(take.length) : undefined;
        left -= take.length;
        controller.enqueue(take);
      },
    });
    const patched = await fetch(`${base}${location}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${token}`,
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(length),
      },
      body,
      duplex: 'half',
    } as RequestInit);
    if (patched.status !== 204)
      throw new Error(`PATCH refused: ${patched.status} ${await patched.text()}`);
    offset = Number(patched.headers.get('upload-offset'));
  }
  return id;
}

interface Nodes {
  network: LocalNetwork;
  db: Record<string, pg.Pool>;
  senderToken: string;
  recipientToken: string;
}

/** Submits an MLA request carrying the upload to the recipient: the message id, and how long the call took. */
async function submit(
  { network, senderToken }: Nodes,
  uploadId: string,
  caseReference: string,
): Promise<{ messageId: string; seconds: number }> {
  const started = performance.now();
  const response = await fetch(`${network.url(SENDER)}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${senderToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      procedure: 'mla',
      messageType: 'request',
      recipients: [RECIPIENT],
      caseReference,
      handling: {
        permittedPurpose: 'Criminal proceedings FR-PNAT-2026-0400 (trafficking in persons)',
        confidential: false,
        noOnwardTransferTo: [],
      },
      body: mlaRequest(SENDER),
      attachments: [{ uploadId, category: 'evidence-item' }],
    }),
  });
  const seconds = (performance.now() - started) / 1000;
  const answer = (await response.json()) as SubmissionAccepted;
  if (response.status !== 202 || !answer.messages?.[0]?.messageId)
    throw new Error(`submission refused: ${response.status} ${JSON.stringify(answer)}`);
  return { messageId: answer.messages[0].messageId, seconds };
}

/** Waits for the sender's status `delivered` and the recipient's file with all its chunks. */
async function delivered(
  { db }: Nodes,
  messageId: string,
  timeoutMs: number,
): Promise<{ attempts: number; receivedSha256: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const sent = (
      await db[SENDER].query<{ status: string; attempts: number; last_error: string | null }>(
        'select status, attempts, last_error from messages where id = $1',
        [messageId],
      )
    ).rows[0];
    if (sent?.status === 'failed') throw new Error(`delivery failed: ${sent.last_error}`);
    if (sent?.status === 'delivered') {
      const file = (
        await db[RECIPIENT].query<{ received_sha256: string | null }>(
          `select received_sha256 from message_attachments
            where message_id = $1 and direction = 'inbound' and chunks_done = chunk_count`,
          [messageId],
        )
      ).rows[0];
      if (file?.received_sha256) {
        return { attempts: sent.attempts, receivedSha256: file.received_sha256 };
      }
    }
    if (Date.now() > deadline) {
      throw new Error(`not delivered after ${timeoutMs} ms: ${JSON.stringify(sent)}`);
    }
    await sleep(200);
  }
}

/** The decrypted file from the recipient's gateway, as its officer reads it: streamed, hashed. */
async function download(
  { network, recipientToken }: Nodes,
  messageId: string,
): Promise<{ bytes: number; sha256: string }> {
  const response = await fetch(
    `${network.url(RECIPIENT)}/api/v1/messages/${messageId}/attachments/0`,
    { headers: { authorization: `Bearer ${recipientToken}` } },
  );
  if (response.status !== 200 || !response.body)
    throw new Error(`download refused: ${response.status} ${await response.text()}`);
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(piece);
    bytes += piece.byteLength;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * The sender node's sealing time: from the outbound attachment's `created_at` (the submission's
 * clock, read just before sealing starts) to the last sealed chunk written under the files folder.
 */
async function nodeSealSeconds(nodes: Nodes, messageId: string): Promise<number> {
  const { network, db } = nodes;
  const row = (
    await db[SENDER].query<{ created_at: Date }>(
      `select created_at from message_attachments where message_id = $1 and direction = 'outbound'`,
      [messageId],
    )
  ).rows[0];
  const folder = join(
    network.options.workDir,
    'files',
    network.schema(SENDER),
    'outbound',
    messageId,
    '0',
  );
  const lastWritten = Math.max(
    ...readdirSync(folder)
      .filter((name) => name.endsWith('.pgp'))
      .map((name) => statSync(join(folder, name)).mtimeMs),
  );
  return (lastWritten - row.created_at.getTime()) / 1000;
}

/** GnuPG signs and encrypts `plain.bin` (no compression) with the sender's key to the recipient's. */
function gnupgSeal(workDir: string): { seconds: number; outputBytes: number } {
  const home = join(workDir, 'gnupg');
  mkdirSync(home, { mode: 0o700 });
  const secrets = join(workDir, 'secrets');
  const gpg = (args: string[]) =>
    spawnSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', ...args], {
      encoding: 'utf8',
    });
  const passphrase = ['--passphrase-file', join(secrets, `${SENDER}.passphrase`)];
  const senderKey = join(secrets, `${SENDER}.key.asc`);
  const recipientKey = join(workDir, 'directory', 'keys', `${RECIPIENT}.asc`);
  const fingerprint = (file: string) => {
    const shown = gpg(['--with-colons', '--import-options', 'show-only', '--import', file]);
    const found = /^fpr:+([0-9A-F]+):/m.exec(shown.stdout);
    if (!found) throw new Error(`gpg shows no fingerprint for ${file}: ${shown.stderr}`);
    return found[1];
  };
  for (const key of [senderKey, recipientKey]) {
    const imported = gpg([...passphrase, '--import', key]);
    if (imported.status !== 0) throw new Error(`gpg --import failed: ${imported.stderr}`);
  }
  const plain = join(workDir, 'plain.bin');
  const out = join(workDir, 'gpg.out');
  const signer = fingerprint(senderKey);
  const recipient = fingerprint(recipientKey);
  const started = performance.now();
  const run = gpg([
    ...passphrase,
    '--trust-model',
    'always',
    '-z',
    '0',
    '--sign',
    '--encrypt',
    '-u',
    signer,
    '-r',
    recipient,
    '-o',
    out,
    plain,
  ]);
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0) throw new Error(`gpg failed: ${run.stderr}`);
  const outputBytes = statSync(out).size;
  rmSync(out, { force: true });
  rmSync(plain, { force: true });
  // The agent gpg started for this home would otherwise outlive the run.
  spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
  rmSync(home, { recursive: true, force: true, maxRetries: 3 });
  return { seconds, outputBytes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '256MiB' },
      compare: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const size = parseSize(values.size);
  const compared = values.compare
    ? (JSON.parse(readFileSync(values.compare, 'utf8')) as {
        fileBytes: number;
        rssGrowthMiB: PerProcess;
      })
    : undefined;
  const workDir = join(tmpdir(), `bench-files-${process.pid}`);
  const network = await LocalNetwork.create({
    name: 'bench_files',
    workDir,
    nodes: NODES,
    env: {
      LOG_LEVEL: 'warn',
      GATEWAY_FILES_MAX_BYTES: String(Math.max(size, 4 * 1024 ** 3)),
      GATEWAY_FILES_MIN_FREE_BYTES: '0',
      // A retried delivery should not wait minutes: its attempts are reported.
      GATEWAY_RETRY_BASE_DELAY_MS: '1000',
      GATEWAY_RETRY_MAX_DELAY_MS: '5000',
      // Each node process writes a CPU profile there as it exits (open in Chrome's DevTools).
      ...(values.profile && {
        NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${values.profile}`,
      }),
    },
  });
  const db: Record<string, pg.Pool> = {};
  try {
    progress('starting two nodes');
    await network.startAll();
    for (const id of [SENDER, RECIPIENT]) db[id] = nodeDatabase(network, id);
    const nodes: Nodes = {
      network,
      db,
      senderToken: await network.token(SENDER, accountName(SENDER, 'central-authority-officer')),
      recipientToken: await network.token(
        RECIPIENT,
        accountName(RECIPIENT, 'central-authority-officer'),
      ),
    };
    const pidOf = (id: string, component: 'gateway' | 'worker') => {
      const pid = network.pid(id, component);
      if (pid === undefined) throw new Error(`${id}'s ${component} is not running`);
      return pid;
    };
    const sampler = new RssSampler({
      senderGateway: pidOf(SENDER, 'gateway'),
      senderWorker: pidOf(SENDER, 'worker'),
      receiverGateway: pidOf(RECIPIENT, 'gateway'),
      receiverWorker: pidOf(RECIPIENT, 'worker'),
    });
    let memory;
    let run;
    try {
      // A 1 MiB file first, the same way: the sealing and decryption threads are started and the
      // code paths loaded before the baseline, so that growth is what the large file costs.
      progress('warming up with a 1 MiB file');
      const warmup = await upload(network.url(SENDER), nodes.senderToken, 1024 ** 2, 'warmup');
      const warm = await submit(nodes, warmup, 'FR-BENCH-FILES-WARMUP');
      await delivered(nodes, warm.messageId, 120_000);
      await download(nodes, warm.messageId);
      await sleep(1_000);

      sampler.baseline();
      sampler.phase('upload');
      progress(`uploading ${size} bytes through the sender's tus endpoint`);
      const started = performance.now();
      const expected = createHash('sha256');
      const uploadId = await upload(
        network.url(SENDER),
        nodes.senderToken,
        size,
        'bench',
        expected,
      );
      const uploaded = performance.now();
      sampler.phase('submit');
      progress('submitting the request that carries it (the sender seals it)');
      const sent = await submit(nodes, uploadId, 'FR-BENCH-FILES-1');
      const submitted = performance.now();
      sampler.phase('delivery');
      const sealSeconds = await nodeSealSeconds(nodes, sent.messageId);
      progress('waiting for delivery with all chunks');
      // At least 1 MB/s, or the delivery is reported as not done.
      const arrival = await delivered(nodes, sent.messageId, 120_000 + size / 1_000);
      const deliveredAt = performance.now();
      sampler.phase('download');
      progress('downloading from the recipient');
      const received = await download(nodes, sent.messageId);
      const finished = performance.now();
      memory = sampler.stop();
      const plaintextSha256 = expected.digest('hex');
      run = {
        uploadSeconds: (uploaded - started) / 1000,
        submitSeconds: sent.seconds,
        sealSeconds,
        deliverySeconds: (deliveredAt - submitted) / 1000,
        downloadSeconds: (finished - deliveredAt) / 1000,
        endToEndSeconds: (finished - started) / 1000,
        attempts: arrival.attempts,
        sha256Match:
          received.bytes === size &&
          received.sha256 === plaintextSha256 &&
          arrival.receivedSha256 === plaintextSha256,
      };
    } finally {
      if (!memory) sampler.stop();
    }

    progress('GnuPG on the same plaintext');
    await new Promise<void>((resolve, reject) =>
      Readable.from(content(size))
        .pipe(createWriteStream(join(workDir, 'plain.bin')))
        .on('finish', resolve)
        .on('error', reject),
    );
    const gnupg = gnupgSeal(workDir);

    const MB = size / 1e6;
    const sealMBps = round(MB / run.sealSeconds);
    const gnupgSealMBps = round(MB / gnupg.seconds);
    const endToEndMBps = round(MB / run.endToEndSeconds);
    const names = Object.keys(memory.rssGrowthMiB) as ProcessName[];
    const sameGrowth =
      compared &&
      Object.fromEntries(
        names.map((name) => {
          const [a, b] = [memory.rssGrowthMiB[name], compared.rssGrowthMiB[name]];
          return [name, Math.abs(a - b) <= TARGETS.rssGrowthSameWithin * Math.max(a, b)];
        }),
      );
    const met = {
      rssGrowthMiB: names.every((name) => memory.rssGrowthMiB[name] <= TARGETS.rssGrowthMiB),
      ...(sameGrowth && { rssGrowthSameAsCompared: Object.values(sameGrowth).every(Boolean) }),
      sealVsGnupg: sealMBps >= TARGETS.sealVsGnupg * gnupgSealMBps,
      endToEndVsGnupg: endToEndMBps >= TARGETS.endToEndVsGnupg * gnupgSealMBps,
      sha256Match: run.sha256Match,
    };
    const report = {
      fileBytes: size,
      sealMBps,
      sealMeasuredOn:
        "the sender's gateway: from the outbound attachment's created_at to its last sealed chunk's mtime",
      submitMBps: round(MB / run.submitSeconds),
      gnupgSealMBps,
      sealVsGnupg: round(sealMBps / gnupgSealMBps),
      endToEndMBps,
      endToEndVsGnupg: round(endToEndMBps / gnupgSealMBps),
      uploadMBps: round(MB / run.uploadSeconds),
      deliveryMBps: round(MB / run.deliverySeconds),
      downloadMBps: round(MB / run.downloadSeconds),
      seconds: {
        upload: round(run.uploadSeconds),
        submit: round(run.submitSeconds),
        seal: round(run.sealSeconds),
        delivery: round(run.deliverySeconds),
        download: round(run.downloadSeconds),
        endToEnd: round(run.endToEndSeconds),
        gnupgSeal: round(gnupg.seconds),
      },
      deliveryAttempts: run.attempts,
      peakRssMiB: memory.peakRssMiB,
      rssGrowthMiB: memory.rssGrowthMiB,
      baselineRssMiB: memory.baselineRssMiB,
      // Where memory and CPU go: each phase's highest RSS over the baseline, its CPU time and the
      // kernel's part of it.
      phases: memory.phases,
      ...(compared && {
        comparedWith: { fileBytes: compared.fileBytes, rssGrowthMiB: compared.rssGrowthMiB },
      }),
      sha256Match: run.sha256Match,
      gnupgOutputBytes: gnupg.outputBytes,
      targets: TARGETS,
      met,
      machine: machineInfo(),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (!Object.values(met).every(Boolean)) process.exitCode = 1;
  } finally {
    await Promise.all(Object.values(db).map((pool) => pool.end()));
    await network.stopAll();
    await removeNetwork(network, [SENDER, RECIPIENT], progress);
    // Again, should a process have written there while it was being removed.
    rmSync(workDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
