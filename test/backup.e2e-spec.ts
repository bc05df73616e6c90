import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { RequestDetail } from '#libs/cases';
import { generateAuthorityKeyPair } from '#libs/envelope';
import type { MessageDetail, SubmissionAccepted } from '#libs/messaging';
import { LocalNetwork, MLA_ANSWERS, mlaRequest, SAMPLE_HANDLING } from '#tools/local-network';
import { api, cli, nodeDatabase, signIn, waitFor } from './support/network.js';

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';

/**
 * Backup and restore of a node across two real nodes (README, "Backup and restore"): FR is backed
 * up with a delivery pending (NG down) and a deadline running, its schema, Redis keys and key
 * files are destroyed, and `restore` rebuilds it. The started node re-enqueues the delivery and
 * re-arms the deadline timers from PostgreSQL alone; both sides count one delivery.
 */
describe('backup and restore of a node across real processes', () => {
  let network: LocalNetwork;
  let frDb: pg.Pool;
  let ngDb: pg.Pool;
  let redis: Redis;
  let work: string;

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_backup',
      workDir: join(tmpdir(), 'gateway-e2e-backup'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4381,
        },
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4382,
        },
      ],
      env: {
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '2000',
        // Every timer of the four-month MLA deadline in Redis: their re-arming is visible.
        GATEWAY_DEADLINE_HORIZON_MS: String(400 * 86_400_000),
        GATEWAY_DEADLINE_FEED_INTERVAL_MS: '1000',
      },
    });
    work = network.options.workDir;
    await signIn(network);
    await network.startAll();
    frDb = nodeDatabase(network, FR);
    ngDb = nodeDatabase(network, NG);
    redis = new Redis(network.redisUrl, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await network?.stopAll();
    await frDb?.end();
    await ngDb?.end();
    redis?.disconnect();
  });

  const open = async (): Promise<SubmissionAccepted> => {
    const { status, body } = await api<SubmissionAccepted>(`${network.url(FR)}/api/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({
        recipients: [NG],
        procedure: 'mla',
        messageType: 'request',
        caseReference: `FR-PNAT-2026-${Math.floor(Math.random() * 1e6)}`,
        handling: SAMPLE_HANDLING,
        body: mlaRequest(FR),
      }),
    });
    expect(status).toBe(202);
    return body;
  };

  const acknowledge = async (requestId: string): Promise<string> => {
    const { status, body } = await api<SubmissionAccepted>(
      `${network.url(NG)}/api/v1/requests/${requestId}/messages`,
      {
        method: 'POST',
        body: JSON.stringify({
          messageType: 'acknowledgement',
          body: MLA_ANSWERS.acknowledgement('NG-CA-2026-77'),
        }),
      },
    );
    expect(status).toBe(202);
    return body.messages[0].messageId;
  };

  const statusOf = async (node: string, messageId: string) =>
    (await api<MessageDetail>(`${network.url(node)}/api/v1/messages/${messageId}`)).body.status;

  const delivered = (node: string, messageId: string) =>
    waitFor(
      async () => (await statusOf(node, messageId)) === 'delivered',
      `delivery of ${messageId} from ${node}`,
    );

  const count = async (db: pg.Pool, sql: string, messageId: string) =>
    Number((await db.query<{ n: string }>(sql, [messageId])).rows[0].n);
  const audited = (db: pg.Pool, event: string, messageId: string) =>
    count(
      db,
      `select count(*) as n from audit_log where event = '${event}' and message_id = $1`,
      messageId,
    );

  /** FR's deadlines of a request, without the time left (it runs on). */
  const deadlinesOf = async (requestId: string) =>
    (
      await api<RequestDetail>(`${network.url(FR)}/api/v1/requests/${requestId}`)
    ).body.deadlines.map(({ remainingMs: _remaining, ...deadline }) => deadline);

  /** FR's deadline timers as PostgreSQL holds them, and the BullMQ job id of each open one. */
  const timersOf = async (requestId: string) =>
    (
      await frDb.query<{
        deadline_id: string;
        kind: string;
        rank: number;
        due_at: Date;
        fired_at: Date | null;
        version: string;
      }>(
        'select deadline_id, kind, rank, due_at, fired_at, version from deadline_timers where request_id = $1 order by deadline_id, kind, rank',
        [requestId],
      )
    ).rows;
  const timerJobs = async (requestId: string) =>
    (await timersOf(requestId))
      .filter((timer) => timer.fired_at === null)
      .map(
        (timer) =>
          `${network.prefix(FR)}:deadlines:${timer.kind}_${timer.deadline_id}_${timer.rank}_v${timer.version}`,
      );
  const allQueued = async (jobs: string[]) =>
    (await Promise.all(jobs.map((job) => redis.exists(job)))).every((exists) => exists === 1);

  const cliFailure = (args: string[]) =>
    cli(network, FR, args).then(
      () => undefined,
      (error: { stderr?: string }) =>
        JSON.parse(error.stderr?.trim().split('\n').pop() ?? '{}') as { code?: string },
    );

  it('rebuilds FR from its backup: the pending delivery arrives once, the deadline keeps its due date, messages flow', async () => {
    // A few messages both ways.
    const first = await open();
    await delivered(FR, first.messages[0].messageId);
    const answer = await acknowledge(first.requestId);
    await delivered(NG, answer);
    const second = await open();
    await delivered(FR, second.messages[0].messageId);

    const deadlinesBefore = await deadlinesOf(first.requestId);
    expect(deadlinesBefore.some((d) => d.status === 'running')).toBe(true);
    const timersBefore = await timersOf(first.requestId);
    const jobs = await timerJobs(first.requestId);
    expect(jobs.length).toBeGreaterThan(0);
    await waitFor(() => allQueued(jobs), 'the deadline timers in Redis');

    // NG down: FR's third request waits for a retry.
    await network.stop(NG, 'gateway');
    const pending = (await open()).messages[0].messageId;
    await waitFor(
      async () => (await statusOf(FR, pending)) === 'waiting-for-retry',
      'a failed attempt',
    );

    // The operator's key pair: the backup is encrypted to it.
    const operator = await generateAuthorityKeyPair({
      authorityId: 'FR-MOJ-OPS',
      authorityName: 'FR node operator',
      passphrase: 'operator passphrase',
    });
    const stranger = await generateAuthorityKeyPair({
      authorityId: 'FR-MOJ-OTH',
      authorityName: 'Another operator',
      passphrase: 'operator passphrase',
    });
    const files = {
      operatorKey: join(work, 'operator.asc'),
      operatorSecretKey: join(work, 'operator.key.asc'),
      strangerSecretKey: join(work, 'stranger.key.asc'),
      passphrase: join(work, 'operator.passphrase'),
      backup: join(work, 'fr.backup'),
    };
    writeFileSync(files.operatorKey, operator.publicKeyArmored);
    writeFileSync(files.operatorSecretKey, operator.privateKeyArmored, { mode: 0o600 });
    writeFileSync(files.strangerSecretKey, stranger.privateKeyArmored, { mode: 0o600 });
    writeFileSync(files.passphrase, 'operator passphrase\n', { mode: 0o600 });

    // Backed up while FR runs (one snapshot); then FR stops.
    let started = Date.now();
    const written = JSON.parse(
      (
        await cli(network, FR, [
          'backup',
          '--out',
          files.backup,
          '--operator-key',
          files.operatorKey,
        ])
      ).stdout,
    ) as { sha256: string; bytes: number; tables: Record<string, number> };
    const backupMs = Date.now() - started;
    const sha256 = createHash('sha256').update(readFileSync(files.backup)).digest('hex');
    expect(written.sha256).toBe(sha256);
    const backupAudit = await frDb.query<{ details: { sha256: string } }>(
      `select details from audit_log where event = 'backup.written'`,
    );
    expect(backupAudit.rows.map((row) => row.details.sha256)).toEqual([sha256]);
    await network.stop(FR, 'gateway');
    await network.stop(FR, 'worker');

    const restoreArgs = [
      'restore',
      '--from',
      files.backup,
      '--operator-secret-key',
      files.operatorSecretKey,
      '--passphrase-file',
      files.passphrase,
    ];
    // Over the node still there: refused, as with another operator's key.
    expect(await cliFailure(restoreArgs)).toMatchObject({ code: 'RESTORE_TARGET_NOT_EMPTY' });
    const refusals = await frDb.query<{ details: { sha256: string; code: string } }>(
      `select details from audit_log where event = 'node.restore-refused'`,
    );
    expect(refusals.rows.map((row) => row.details)).toEqual([
      { code: 'RESTORE_TARGET_NOT_EMPTY', schema: network.schema(FR), sha256 },
    ]);
    const strangerArgs = [...restoreArgs];
    strangerArgs[4] = files.strangerSecretKey;
    expect(await cliFailure(strangerArgs)).toMatchObject({ code: 'BACKUP_KEY_MISMATCH' });

    // FR destroyed: its schema, its Redis keys (its prefix only) and its key files.
    await frDb.query(`drop schema ${network.schema(FR)} cascade`);
    const keys = await redis.keys(`${network.prefix(FR)}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    const env = network.environment(FR);
    const secretFiles = [
      env.GATEWAY_PRIVATE_KEY_FILE,
      env.GATEWAY_DATA_KEY_FILE,
      env.GATEWAY_TOKEN_SECRET_FILE,
      env.GATEWAY_REGISTER_SECRET_FILE,
    ];
    const secrets = secretFiles.map((file) => readFileSync(file));
    secretFiles.forEach((file) => rmSync(file));
    expect(await redis.keys(`${network.prefix(NG)}:*`)).not.toHaveLength(0);

    started = Date.now();
    // No officer token: the token secret is among the files the restore brings back.
    const restored = JSON.parse((await network.cli(FR, restoreArgs)).stdout) as {
      sha256: string;
      tables: Record<string, number>;
    };
    const restoreMs = Date.now() - started;
    expect(restored.sha256).toBe(sha256);
    expect(restored.tables).toEqual(written.tables);
    expect(secretFiles.map((file) => readFileSync(file))).toEqual(secrets);

    network.start(FR, 'gateway');
    network.start(FR, 'worker');
    await network.waitReady(FR);
    const restoredAudit = await frDb.query<{ details: { sha256: string } }>(
      `select details from audit_log where event = 'node.restored'`,
    );
    expect(restoredAudit.rows.map((row) => row.details.sha256)).toEqual([sha256]);

    // Timers re-armed from PostgreSQL, unchanged; the deadline keeps its due date.
    await waitFor(() => allQueued(jobs), 'the deadline timers re-armed');
    expect(await timersOf(first.requestId)).toEqual(timersBefore);
    expect(await deadlinesOf(first.requestId)).toEqual(deadlinesBefore);

    // NG back: the pending delivery, re-enqueued by the reconciler, arrives exactly once.
    network.start(NG, 'gateway');
    await network.waitReady(NG);
    await delivered(FR, pending);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect({
      frReceipts: await count(
        frDb,
        'select count(*) as n from receipts where message_id = $1',
        pending,
      ),
      frDelivered: await audited(frDb, 'message.delivered', pending),
      ngMessages: await count(ngDb, 'select count(*) as n from messages where id = $1', pending),
      ngReceived: await audited(ngDb, 'message.received', pending),
      ngDuplicates: await audited(ngDb, 'message.duplicate', pending),
    }).toEqual({ frReceipts: 1, frDelivered: 1, ngMessages: 1, ngReceived: 1, ngDuplicates: 0 });

    // New messages both ways: FR signs and NG opens, NG seals to FR's restored key ring.
    const fourth = await open();
    await delivered(FR, fourth.messages[0].messageId);
    const reply = await acknowledge(fourth.requestId);
    await delivered(NG, reply);
    expect(await statusOf(FR, reply)).toBe('received');

    const verified = JSON.parse((await cli(network, FR, ['audit', 'verify'])).stdout) as {
      ok: boolean;
    };
    expect(verified.ok).toBe(true);
    process.stdout.write(
      `${JSON.stringify({ backup: { bytes: written.bytes, backupMs, restoreMs, tables: Object.keys(written.tables).length, rows: Object.values(written.tables).reduce((a, b) => a + b, 0) } })}\n`,
    );
  });
});
