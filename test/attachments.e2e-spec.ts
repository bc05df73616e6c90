import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { chunkPath, ROUTING_HEADERS } from '#libs/envelope';
import { accountName, LocalNetwork, mlaRequest } from '#tools/local-network';
import type { SubmissionAccepted } from '#libs/messaging';
import { tusUpload } from './support/files.js';
import { minimalPdf } from './support/pdf.js';
import { api, auditorsTrail, cli, nodeDatabase, signIn, waitFor } from './support/network.js';

/*
 * Evidence files travelling with messages between real nodes (issue 12): uploaded with tus,
 * screened by the safeguards (W-6 on a file's text), sealed per recipient in chunks GnuPG reads,
 * delivered chunk by chunk with acknowledgements, resumed after the receiving gateway is cut off,
 * refused chunk by chunk when they are not what the signed manifest lists, and downloaded by the
 * recipient with Range.
 */

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const ALL = ['mla', 'jit', 'nationality-verification', 'assets'] as const;
const CHUNK_BYTES = 16 * 1024;

interface ApiError {
  error: { code: string; message: string; details: Array<Record<string, unknown>> };
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('attachments: files sent with messages, chunk by chunk', () => {
  let network: LocalNetwork;
  const db: Record<string, pg.Pool> = {};
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_attachments',
      workDir: join(tmpdir(), 'gateway-e2e-attachments'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'BEPI',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4321,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'FMoJ',
          kind: 'central-authority',
          procedures: [...ALL],
          port: 4322,
          extraGatewayPorts: [4323],
        },
      ],
      env: {
        LOG_LEVEL: 'info',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '1000',
        GATEWAY_FILES_CHUNK_BYTES: String(CHUNK_BYTES),
      },
    });
    await signIn(network);
    await network.startAll();
    for (const id of [FR, NG]) {
      db[id] = nodeDatabase(network, id);
      tokens[id] = await network.token(id, accountName(id, 'supervisor'));
    }
  });

  afterAll(async () => {
    await network?.stopAll();
    await Promise.all(Object.values(db).map((pool) => pool.end()));
  });

  /** A tus upload in one PATCH, as the node's supervisor: the upload id. */
  const upload = (
    from: string,
    content: Uint8Array,
    meta: { filename: string; filetype: string; category: string },
  ) => tusUpload(network.url(from), content, meta);

  const draft = (caseReference: string, attachments: object[]) => ({
    procedure: 'mla',
    messageType: 'request',
    recipients: [NG],
    caseReference,
    handling: {
      permittedPurpose: 'Criminal proceedings FR-PNAT-2026-0400 (trafficking in persons)',
      confidential: false,
      noOnwardTransferTo: [],
    },
    body: mlaRequest(FR),
    attachments,
  });

  const submit = (body: object) =>
    api<SubmissionAccepted & ApiError>(`${network.url(FR)}/api/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(body),
    });

  const statusOf = async (authorityId: string, messageId: string) =>
    (
      await db[authorityId].query<{ status: string }>('select status from messages where id = $1', [
        messageId,
      ])
    ).rows[0]?.status;

  const download = async (messageId: string, position: number, range?: string) => {
    const response = await fetch(
      `${network.url(NG)}/api/v1/messages/${messageId}/attachments/${position}`,
      {
        headers: {
          authorization: `Bearer ${tokens[NG]}`,
          ...(range ? { range } : {}),
        },
      },
    );
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };

  const audited = async (authorityId: string, event: string, messageId?: string) =>
    (
      await db[authorityId].query<{ details: Record<string, unknown> }>(
        `select details from audit_log where event = $1 ${messageId ? 'and message_id = $2' : ''} order by id`,
        messageId ? [event, messageId] : [event],
      )
    ).rows.map((row) => row.details);

  const chunkFile = (messageId: string, position: number, index: number) =>
    join(
      network.options.workDir,
      'files',
      network.schema(FR),
      'outbound',
      messageId,
      String(position),
      `chunk-${String(index).padStart(6, '0')}.pgp`,
    );

  it('sends an uploaded file FR→NG: the receipt names it, NG downloads it whole and by range, a chunk decrypts with GnuPG', async () => {
    const content = randomBytes(5 * CHUNK_BYTES + 1234);
    const uploadId = await upload(FR, content, {
      filename: 'ledger-scan.bin',
      filetype: 'application/octet-stream',
      category: 'evidence-item',
    });
    const sent = await submit(draft('FR-FILES-2026-1', [{ uploadId }]));
    expect(sent.status).toBe(202);
    const messageId = sent.body.messages[0].messageId;
    await waitFor(
      async () => (await statusOf(FR, messageId)) === 'delivered',
      'delivery with its file',
    );

    // The upload is bound to the message; the receipt names the file's digest as received.
    const { rows: uploads } = await db[FR].query<{ state: string; message_id: string }>(
      'select state, message_id from uploads where id = $1',
      [uploadId],
    );
    expect(uploads[0]).toEqual({ state: 'attached', message_id: messageId });
    const { rows: receipts } = await db[FR].query<{ armored: string }>(
      'select armored from receipts where message_id = $1',
      [messageId],
    );
    expect(receipts[0].armored).toContain(`"sha256":"${sha256(content)}"`);

    const whole = await download(messageId, 0);
    expect(whole.status).toBe(200);
    expect(sha256(whole.bytes)).toBe(sha256(content));
    const part = await download(messageId, 0, 'bytes=20000-20999');
    expect(part.status).toBe(206);
    expect(part.bytes.equals(content.subarray(20000, 21000))).toBe(true);
    const retrievals = await audited(NG, 'file.retrieved', messageId);
    expect(retrievals.map((d) => d.range)).toEqual([`0-${content.length - 1}`, '20000-20999']);

    // GnuPG opens a chunk with the recipient's key alone: signature and integrity check good.
    const home = mkdtempSync(join(tmpdir(), 'gnupg-attachments-'));
    const secrets = join(network.options.workDir, 'secrets');
    const gpg = (args: string[]) =>
      execFileSync(
        'gpg',
        [
          '--homedir',
          home,
          '--batch',
          '--pinentry-mode',
          'loopback',
          '--passphrase-file',
          join(secrets, `${NG}.passphrase`),
          ...args,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    gpg(['--import', join(secrets, `${NG}.key.asc`)]);
    gpg(['--import', join(network.options.workDir, 'directory', 'keys', `${FR}.asc`)]);
    const status = join(home, 'status');
    const out = join(home, 'chunk-1.bin');
    gpg(['--status-file', status, '--output', out, '--decrypt', chunkFile(messageId, 0, 1)]);
    expect(readFileSync(status, 'utf8')).toMatch(/GOODSIG[\s\S]*GOODMDC|GOODMDC[\s\S]*GOODSIG/);
    expect(readFileSync(out).equals(content.subarray(CHUNK_BYTES, 2 * CHUNK_BYTES))).toBe(true);

    // The evidence bundles: the manifest and every sealed chunk, as sent (FR) and as received (NG).
    for (const id of [FR, NG]) {
      const bundle = mkdtempSync(join(tmpdir(), `evidence-${id}-`));
      await cli(network, id, ['evidence', messageId, '--out', bundle]);
      const manifest = JSON.parse(
        readFileSync(join(bundle, 'attachments', '0', 'manifest.json'), 'utf8'),
      ) as { sha256: string; chunks: Array<{ bytes: number; sha256: string }> };
      expect(manifest.sha256).toBe(sha256(content));
      expect(manifest.chunks).toHaveLength(6);
      const chunks = manifest.chunks.map((_, index) =>
        readFileSync(
          join(bundle, 'attachments', '0', `chunk-${String(index).padStart(6, '0')}.pgp`),
        ),
      );
      expect(chunks.map((chunk) => sha256(chunk))).toEqual(manifest.chunks.map((c) => c.sha256));
      const listed = JSON.parse(readFileSync(join(bundle, 'bundle.json'), 'utf8')) as {
        attachments: Array<{ chunks: Array<{ file: string; held: boolean }> }>;
      };
      expect(listed.attachments[0].chunks.every((c) => c.held)).toBe(true);
      if (id === NG) {
        // As received: the same bytes as sent, and GnuPG opens them with NG's key alone.
        expect(chunks[1].equals(readFileSync(chunkFile(messageId, 0, 1)))).toBe(true);
        const received = join(home, 'received-chunk-0.bin');
        gpg([
          '--status-file',
          status,
          '--output',
          received,
          '--decrypt',
          join(bundle, 'attachments', '0', 'chunk-000000.pgp'),
        ]);
        expect(readFileSync(status, 'utf8')).toMatch(/GOODSIG[\s\S]*GOODMDC|GOODMDC[\s\S]*GOODSIG/);
        expect(readFileSync(received).equals(content.subarray(0, CHUNK_BYTES))).toBe(true);
      }
    }
  });

  it('holds a text file and a PDF naming asylum terms for W-6, naming the attachment; the file waits with the draft, bound to no message', async () => {
    const text = Buffer.from(
      'Witness statement. She told the officers she had applied for asylum in France in 2025.\n',
    );
    const textId = await upload(FR, text, {
      filename: 'statement.txt',
      filetype: 'text/plain; charset=utf-8',
      category: 'evidence-item',
    });
    const pdfId = await upload(FR, minimalPdf(["Objet : demande d'asile", 'Réfugiée (Syrie)']), {
      filename: 'courrier.pdf',
      filetype: 'application/pdf',
      category: 'evidence-item',
    });
    for (const uploadId of [textId, pdfId]) {
      const refused = await submit(draft(`FR-FILES-2026-W6-${uploadId.slice(-4)}`, [{ uploadId }]));
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('POLICY_ACKNOWLEDGEMENT_REQUIRED');
      expect(refused.body.error.details.map((d) => d.rule)).toContain('W-6');
      // The refusal names the file by its position, for the sender's form (never by its name).
      expect(refused.body.error.details.find((d) => d.rule === 'W-6')).toMatchObject({
        attachments: [0],
      });
      // The draft waits for a supervisor (refused only for a warning), and its file with it.
      const { rows } = await db[FR].query<{
        state: string;
        held_for: string | null;
        message_id: string | null;
      }>('select state, held_for, message_id from uploads where id = $1', [uploadId]);
      expect(rows[0]).toEqual({
        state: 'held',
        held_for: refused.body.error.details[0].supervisedSubmissionId,
        message_id: null,
      });
    }
    // The decision explained names the attachment, for the sender's auditors: in each entry's
    // sealed annex, which the chained details only digest (README, Retention).
    const refusals = await audited(FR, 'policy.refused');
    expect(JSON.stringify(refusals.slice(-2))).not.toContain('statement.txt');
    const trail = await auditorsTrail(network, FR, 'policy.refused');
    const explained = JSON.stringify(trail.slice(-2).map((entry) => entry.annex));
    expect(explained).toContain('attachments[0] \\"statement.txt\\"');
    expect(explained).toContain('attachments[0] \\"courrier.pdf\\"');

    // The refused drafts hold their files: the preview names a new copy.
    const copyId = await upload(FR, text, {
      filename: 'statement.txt',
      filetype: 'text/plain; charset=utf-8',
      category: 'evidence-item',
    });
    const preview = await api<Array<{ outcome: string; rules: Array<{ rule: string }> }>>(
      `${network.url(FR)}/api/v1/policy/explain`,
      {
        method: 'POST',
        body: JSON.stringify(draft('FR-FILES-2026-W6-P', [{ uploadId: copyId }])),
      },
    );
    expect(preview.status).toBe(200);
    expect(preview.body[0].outcome).toBe('warn');
    expect(preview.body[0].rules.map((r) => r.rule)).toContain('W-6');
    expect(preview.body[0].rules.find((r) => r.rule === 'W-6')).toMatchObject({
      attachments: [0],
    });
  });

  it('refuses chunks that are not the manifest’s, in order, replayed or for no message, each audited, nothing half-stored; takes chunks sent ahead in their turn, across gateway processes', async () => {
    await network.stop(FR, 'worker');
    const content = randomBytes(4 * CHUNK_BYTES);
    const uploadId = await upload(FR, content, {
      filename: 'photos.bin',
      filetype: 'application/octet-stream',
      category: 'evidence-item',
    });
    const sent = await submit(draft('FR-FILES-2026-3', [{ uploadId }]));
    expect(sent.status).toBe(202);
    const messageId = sent.body.messages[0].messageId;
    const routing = { [ROUTING_HEADERS.sender]: FR, [ROUTING_HEADERS.recipient]: NG };
    const put = (index: number, body: Uint8Array, id = messageId, headers = routing, gateway = 0) =>
      api<ApiError & { next: unknown }>(`${network.url(NG, gateway)}${chunkPath(id, 0, index)}`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/octet-stream' },
        body: body as BodyInit,
      });
    const chunk0 = readFileSync(chunkFile(messageId, 0, 0));

    // No such message at NG yet: refused before anything is read or decrypted.
    const unknown = await put(0, chunk0);
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'CHUNK_MESSAGE_UNKNOWN']);

    // The test plays FR's transport: the stored envelope first, as the worker would post it.
    const { rows } = await db[FR].query<{ armored: string }>(
      'select armored from envelopes where message_id = $1',
      [messageId],
    );
    const posted = await api<{ next: unknown }>(`${network.url(NG)}/inbound/v1/envelopes`, {
      method: 'POST',
      headers: {
        ...routing,
        [ROUTING_HEADERS.messageId]: messageId,
        'content-type': 'application/pgp-encrypted',
      },
      body: rows[0].armored,
    });
    expect(posted.status).toBe(202);
    expect(posted.body.next).toEqual({ attachment: 0, chunk: 0 });

    const forged = await put(0, chunk0, messageId, {
      ...routing,
      [ROUTING_HEADERS.sender]: 'IT-MOJ-DAG',
    });
    expect([forged.status, forged.body.error.code]).toEqual([404, 'CHUNK_MESSAGE_UNKNOWN']);
    const ahead = await put(1, readFileSync(chunkFile(messageId, 0, 1)));
    expect([ahead.status, ahead.body.error.code]).toEqual([409, 'CHUNK_OUT_OF_ORDER']);
    const altered = Buffer.from(chunk0);
    altered[altered.length - 5] ^= 1;
    const mismatch = await put(0, altered);
    expect([mismatch.status, mismatch.body.error.code]).toEqual([422, 'CHUNK_DIGEST_MISMATCH']);
    // NG keeps each sealed chunk as received, once verified; nothing of a refused one.
    const kept = join(
      network.options.workDir,
      'files',
      network.schema(NG),
      'inbound',
      messageId,
      '0',
      'chunk-000000.pgp',
    );
    expect(existsSync(kept)).toBe(false);
    const good = await put(0, chunk0);
    expect(good.status).toBe(200);
    expect(good.body.next).toEqual({ attachment: 0, chunk: 1 });
    expect(readFileSync(kept).equals(chunk0)).toBe(true);
    // A sender keeps several chunks on their way, and a node may run several gateway processes.
    // Chunk 3 goes to NG's second gateway, chunk 2 to its first, both before chunk 1: each is
    // spooled, waits for the one before it (in hand in the same process, or recorded by the
    // other), and is opened in its turn; the last answer carries the receipt.
    // Spools a stopped process left behind: one of this file, one of another an hour old. The
    // starting gateway removes the old one, the completed file its own.
    const inbound = join(network.options.workDir, 'files', network.schema(NG), 'inbound');
    const leftovers = [`${messageId}-0.1.left.part`, `${randomUUID()}-0.0.left.part`];
    for (const name of leftovers) writeFileSync(join(inbound, name), 'cut short');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(inbound, leftovers[1]), anHourAgo, anHourAgo);
    network.start(NG, 'gateway', 1);
    await network.waitReady(NG, undefined, 1);
    expect(readdirSync(inbound).filter((name) => name.endsWith('.part'))).toEqual([leftovers[0]]);
    const last = put(3, readFileSync(chunkFile(messageId, 0, 3)), messageId, routing, 1);
    await sleep(100);
    const third = put(2, readFileSync(chunkFile(messageId, 0, 2)));
    await sleep(100);
    const second = await put(1, readFileSync(chunkFile(messageId, 0, 1)));
    expect([second.status, second.body.next]).toEqual([200, { attachment: 0, chunk: 2 }]);
    const thirdAnswer = await third;
    expect([thirdAnswer.status, thirdAnswer.body.next]).toEqual([200, { attachment: 0, chunk: 3 }]);
    const lastAnswer = await last;
    expect([lastAnswer.status, lastAnswer.body.next]).toEqual([200, null]);
    expect(typeof (lastAnswer.body as { receipt?: unknown }).receipt).toBe('string');
    await network.stop(NG, 'gateway', 'SIGTERM', 1);
    expect(readdirSync(inbound).filter((name) => name.endsWith('.part'))).toEqual([]);
    const replayed = await put(0, chunk0);
    expect([replayed.status, replayed.body.error.code]).toEqual([409, 'CHUNK_REPLAYED']);

    const codes = (await audited(NG, 'file.chunk-rejected', messageId)).map((d) => d.code);
    // (Chunks for no known message are audited aggregated, as anonymous refusals are.)
    expect(codes).toEqual(['CHUNK_OUT_OF_ORDER', 'CHUNK_DIGEST_MISMATCH', 'CHUNK_REPLAYED']);
    const { rows: progress } = await db[NG].query<{ chunks_done: number }>(
      'select chunks_done from message_attachments where message_id = $1',
      [messageId],
    );
    expect(progress[0].chunks_done).toBe(4);

    // The worker comes back, learns from NG that every chunk is in, and has the receipt: delivered once.
    network.start(FR, 'worker');
    await waitFor(async () => (await statusOf(FR, messageId)) === 'delivered', 'resumed delivery');
    expect(sha256((await download(messageId, 0)).bytes)).toBe(sha256(content));
  });

  it('resumes a transfer cut off mid-way (receiving gateway killed) at the first unacknowledged chunk, and delivers once', async () => {
    const content = randomBytes(160 * CHUNK_BYTES + 99);
    const uploadId = await upload(FR, content, {
      filename: 'phone-dump.bin',
      filetype: 'application/octet-stream',
      category: 'evidence-item',
    });
    const sent = await submit(draft('FR-FILES-2026-4', [{ uploadId }]));
    expect(sent.status).toBe(202);
    const messageId = sent.body.messages[0].messageId;
    const done = async () =>
      (
        await db[NG].query<{ chunks_done: number }>(
          'select chunks_done from message_attachments where message_id = $1',
          [messageId],
        )
      ).rows[0]?.chunks_done ?? 0;
    await waitFor(async () => (await done()) >= 10, 'some chunks in');
    await network.stop(NG, 'gateway', 'SIGKILL');
    const cutAt = await done();
    expect(cutAt).toBeLessThan(161);
    expect(await statusOf(FR, messageId)).not.toBe('delivered');

    network.start(NG, 'gateway');
    await network.waitReady(NG);
    await waitFor(
      async () => (await statusOf(FR, messageId)) === 'delivered',
      'delivery after the cut',
      120_000,
    );
    expect(sha256((await download(messageId, 0)).bytes)).toBe(sha256(content));
    // Once: one message, one receipt, one file received; no chunk stored twice.
    const count = async (sql: string) =>
      (await db[NG].query<{ n: number }>(sql, [messageId])).rows[0].n;
    expect(await count('select count(*)::int as n from messages where id = $1')).toBe(1);
    expect(await count('select count(*)::int as n from receipts where message_id = $1')).toBe(1);
    expect((await audited(NG, 'file.received', messageId)).length).toBe(1);
    const chunks = (await audited(NG, 'file.chunk-received', messageId)).map((d) => d.chunk);
    expect(new Set(chunks).size).toBe(chunks.length);
    expect(Math.max(...(chunks as number[]))).toBe(160);
  });
});
