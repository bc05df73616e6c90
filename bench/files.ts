import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import {
  createWriteStream,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { readPublicKey, unlockPrivateKey, type PrivateKey, type PublicKey } from '#libs/envelope';
import {
  chunkFileName,
  EncryptedFileReader,
  FileAssembler,
  sealFile,
  SealWorkerPool,
  type FileManifest,
} from '#libs/files';
import { accountName, LocalNetwork, type NodeSpec } from '#tools/local-network';
import { readDataKeys } from '#libs/persistence';
import { machineInfo, progressOf, round } from './support.js';

/*
 * Evidence files end to end, in bounded memory: a file uploaded through the real tus endpoint of a
 * real gateway process (encrypted at rest as it arrives), sealed for a recipient in OpenPGP chunks,
 * the chunks opened again into a file at rest, digests compared; GnuPG signs and encrypts the same
 * plaintext to the same key in the same run. Memory is the resident set of each party during its
 * phase (the gateway's from /proc, this process's own).
 */

const progress = progressOf('files');
const SENDER = 'FR-MOJ-BEPI';
const RECIPIENT = 'NG-MOJ-CA';
const PATCH_BYTES = 256 * 1024 * 1024;
const PIECE = 4 * 1024 * 1024;

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

function parseSize(text: string): number {
  const match = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!match) throw new Error(`--size must look like 256MiB or 2GiB, not ${text}`);
  const unit = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[
    (match[2] ?? 'B').toLowerCase() as 'b'
  ];
  return Number(match[1]) * unit;
}

/** Deterministic pseudo-random content (AES-CTR key stream), produced piece by piece. */
function* content(size: number): Generator<Buffer> {
  const cipher = createCipheriv(
    'aes-256-ctr',
    createHash('sha256').update('bench').digest(),
    Buffer.alloc(16),
  );
  const zeros = Buffer.alloc(PIECE);
  for (let at = 0; at < size; at += PIECE)
    yield cipher.update(zeros.subarray(0, Math.min(PIECE, size - at)));
}

/** Samples a resident set size (MiB) while a phase runs: the highest and the first. */
class RssSampler {
  private peak = 0;
  private readonly first: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly read: () => number) {
    this.first = read();
    this.peak = this.first;
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, this.read())), 50);
  }

  stop(): { peakMiB: number; growthMiB: number } {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, this.read());
    return {
      peakMiB: round(this.peak / 1024 ** 2, 1),
      growthMiB: round((this.peak - this.first) / 1024 ** 2, 1),
    };
  }
}

function rssOfPid(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function upload(base: string, token: string, size: number): Promise<string> {
  const metadata = [
    ['filename', 'bench.bin'],
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
  const source = content(size);
  let offset = 0;
  let pending: Buffer | undefined;
  // Several PATCH requests, as a client resuming after each would send them.
  while (offset < size) {
    const length = Math.min(PATCH_BYTES, size - offset);
    let left = length;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (left === 0) return controller.close();
        const piece: Buffer = pending ?? (source.next().value as Buffer);
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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { size: { type: 'string', default: '256MiB' } } });
  const size = parseSize(values.size);
  const workDir = join(tmpdir(), `bench-files-${process.pid}`);
  const network = await LocalNetwork.create({
    name: 'bench_files',
    workDir,
    nodes: NODES,
    env: {
      LOG_LEVEL: 'warn',
      GATEWAY_FILES_MAX_BYTES: String(Math.max(size, 4 * 1024 ** 3)),
      GATEWAY_FILES_MIN_FREE_BYTES: '0',
    },
  });
  try {
    const gateway = network.start(SENDER, 'gateway');
    await network.waitReady(SENDER);
    const token = await network.token(SENDER, accountName(SENDER, 'central-authority-officer'));
    const expected = createHash('sha256');
    for (const piece of content(size)) expected.update(piece);
    const plaintextSha256 = expected.digest('hex');

    progress(`uploading ${size} bytes through tus`);
    const gatewayRss = new RssSampler(() => rssOfPid(gateway.pid!));
    let started = performance.now();
    const id = await upload(network.url(SENDER), token, size);
    const uploadSeconds = (performance.now() - started) / 1000;
    const gatewayMemory = gatewayRss.stop();
    const described = (await (
      await fetch(`${network.url(SENDER)}/api/v1/uploads/${id}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { sha256: string; state: string };

    const env = network.environment(SENDER);
    const keys = readDataKeys(env);
    const secrets = join(workDir, 'secrets');
    const senderKey: PrivateKey = await unlockPrivateKey(
      readFileSync(join(secrets, `${SENDER}.key.asc`), 'utf8'),
      readFileSync(join(secrets, `${SENDER}.passphrase`), 'utf8'),
    );
    const recipientKey: PublicKey = await readPublicKey(
      readFileSync(join(workDir, 'directory', 'keys', `${RECIPIENT}.asc`), 'utf8'),
    );
    const recipientPrivate = await unlockPrivateKey(
      readFileSync(join(secrets, `${RECIPIENT}.key.asc`), 'utf8'),
      readFileSync(join(secrets, `${RECIPIENT}.passphrase`), 'utf8'),
    );
    const stored = join(env.GATEWAY_FILES_DIR, network.schema(SENDER), `${id}.tipf`);

    progress('sealing');
    const pool = new SealWorkerPool();
    const sealed = join(workDir, 'sealed');
    // Threads started and warmed up before memory is sampled: their base is not the file's cost.
    const warmup = {
      size: 1,
      readInto: async (_at: number, target: Uint8Array): Promise<void> => {
        target.fill(1);
      },
    };
    await sealFile(
      warmup,
      {
        fileId: 'warmup',
        name: 'w',
        mediaType: 'application/octet-stream',
        category: 'other',
        sha256: '0'.repeat(64),
      },
      { signingKey: senderKey, recipientKey },
      { outDir: join(workDir, 'warmup'), pool },
    );
    const reader = await EncryptedFileReader.open(stored, id, keys);
    const sealRss = new RssSampler(() => process.memoryUsage.rss());
    started = performance.now();
    const manifest: FileManifest = await sealFile(
      reader,
      {
        fileId: id,
        name: 'bench.bin',
        mediaType: 'application/octet-stream',
        category: 'evidence-item',
        sha256: described.sha256,
      },
      { signingKey: senderKey, recipientKey },
      { outDir: sealed, pool },
    );
    const sealSeconds = (performance.now() - started) / 1000;
    const sealMemory = sealRss.stop();
    await reader.close();
    await pool.close();

    progress('opening');
    const openRss = new RssSampler(() => process.memoryUsage.rss());
    started = performance.now();
    const assembler = await FileAssembler.begin(
      manifest,
      {
        decryptionKeys: [recipientPrivate],
        sender: {
          id: SENDER,
          publicKeys: [senderKey.toPublic()],
          signatureRefusal: () => undefined,
        },
      },
      { path: join(workDir, 'received.tipf'), fileId: `received-${id}`, keys },
    );
    for (let index = 0; index < manifest.chunks.length; index++) {
      await assembler.openChunkFile(index, join(sealed, chunkFileName(index)));
    }
    const opened = await assembler.finish();
    const openSeconds = (performance.now() - started) / 1000;
    const openMemory = openRss.stop();
    rmSync(sealed, { recursive: true, force: true });

    progress('GnuPG on the same plaintext');
    const home = join(workDir, 'gnupg');
    mkdirSync(home, { mode: 0o700 });
    const gpg = (args: string[]) =>
      spawnSync('gpg', ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', ...args], {
        encoding: 'utf8',
      });
    writeFileSync(join(home, 'sender.asc'), readFileSync(join(secrets, `${SENDER}.key.asc`)));
    writeFileSync(
      join(home, 'recipient.asc'),
      readFileSync(join(workDir, 'directory', 'keys', `${RECIPIENT}.asc`)),
    );
    gpg([
      '--passphrase',
      readFileSync(join(secrets, `${SENDER}.passphrase`), 'utf8'),
      '--import',
      join(home, 'sender.asc'),
    ]);
    gpg(['--import', join(home, 'recipient.asc')]);
    const plain = join(workDir, 'plain.bin');
    await new Promise<void>((resolve, reject) =>
      Readable.from(content(size))
        .pipe(createWriteStream(plain))
        .on('finish', resolve)
        .on('error', reject),
    );
    started = performance.now();
    const run = gpg([
      '--passphrase',
      readFileSync(join(secrets, `${SENDER}.passphrase`), 'utf8'),
      '--trust-model',
      'always',
      '-z',
      '0',
      '--sign',
      '--encrypt',
      '-u',
      senderKey.getFingerprint(),
      '-r',
      recipientKey.getFingerprint(),
      '-o',
      join(workDir, 'gpg.out'),
      plain,
    ]);
    const gnupgSeconds = (performance.now() - started) / 1000;
    if (run.status !== 0) throw new Error(`gpg failed: ${run.stderr}`);
    const gnupgBytes = statSync(join(workDir, 'gpg.out')).size;

    const MB = size / 1e6;
    process.stdout.write(
      `${JSON.stringify(
        {
          fileBytes: size,
          chunks: manifest.chunks.length,
          uploadMBps: round(MB / uploadSeconds),
          sealMBps: round(MB / sealSeconds),
          gnupgSealMBps: round(MB / gnupgSeconds),
          sealVsGnupg: round(gnupgSeconds / sealSeconds),
          openMBps: round(MB / openSeconds),
          peakRssMiB: {
            gateway: gatewayMemory.peakMiB,
            seal: sealMemory.peakMiB,
            open: openMemory.peakMiB,
          },
          rssGrowthMiB: {
            gateway: gatewayMemory.growthMiB,
            seal: sealMemory.growthMiB,
            open: openMemory.growthMiB,
          },
          sha256Match:
            described.state === 'complete' &&
            described.sha256 === plaintextSha256 &&
            manifest.sha256 === plaintextSha256 &&
            opened.sha256 === plaintextSha256,
          gnupgOutputBytes: gnupgBytes,
          machine: machineInfo(),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    await network.stopAll();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
