import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type pg from 'pg';
import {
  generateAuthorityKeyPair,
  INBOUND_PATH,
  ENVELOPE_MEDIA_TYPE,
  ROUTING_HEADERS,
  sha256Hex,
  unlockPrivateKey,
  type EnvelopePayload,
  type PrivateKey,
  type PublicKey,
} from '#libs/envelope';
import type { EvidenceBundle } from '#libs/evidence';
import {
  freezeRequest,
  LocalNetwork,
  mlaEnvelope,
  mlaRequest,
  SAMPLE_HANDLING,
  sealThroughPolicy,
} from '#tools/local-network';
import type { MessageDetail, SubmissionAccepted } from '#libs/messaging';
import {
  api,
  as,
  cli,
  HoldingProxy,
  keysOf,
  nodeDatabase,
  signedInTokens,
  signIn,
  waitFor,
} from './support/network.js';

const FR = 'FR-MOJ-BEPI';
const NG = 'NG-MOJ-CA';
const NG_PROXY_PORT = 4213;

const draft = (overrides: Record<string, unknown> = {}) => ({
  recipients: [NG],
  procedure: 'mla',
  messageType: 'request',
  caseReference: 'FR-PNAT-2026-0147',
  handling: SAMPLE_HANDLING,
  body: mlaRequest(FR),
  ...overrides,
});

describe('gateway spine across real processes', () => {
  let network: LocalNetwork;
  let proxy: HoldingProxy;
  let frDb: pg.Pool;
  let ngDb: pg.Pool;
  let frKeys: { privateKey: PrivateKey; publicKey: PublicKey };
  let ngKeys: { privateKey: PrivateKey; publicKey: PublicKey };

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_spine',
      workDir: join(tmpdir(), 'gateway-e2e-spine'),
      nodes: [
        {
          authorityId: FR,
          state: 'FR',
          name: 'Bureau de l’entraide pénale internationale',
          kind: 'central-authority',
          procedures: ['mla', 'jit'],
          port: 4211,
        },
        // Peers reach the Nigerian node through a proxy that can hold requests in flight.
        {
          authorityId: NG,
          state: 'NG',
          name: 'Central Authority Unit',
          kind: 'central-authority',
          procedures: ['mla'],
          port: 4212,
          advertisedEndpoint: `http://127.0.0.1:${NG_PROXY_PORT}`,
        },
      ],
      env: {
        LOG_LEVEL: 'debug',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_JOB_STALLED_INTERVAL_MS: '1000',
        GATEWAY_RECONCILE_INTERVAL_MS: '2000',
      },
    });
    proxy = new HoldingProxy(NG_PROXY_PORT, network.url(NG));
    await proxy.start();
    await signIn(network);
    await network.startAll();
    frDb = nodeDatabase(network, FR);
    ngDb = nodeDatabase(network, NG);
    [frKeys, ngKeys] = await Promise.all([keysOf(network, FR), keysOf(network, NG)]);
  });

  afterAll(async () => {
    await network?.stopAll();
    await proxy?.stop();
    await frDb?.end();
    await ngDb?.end();
  });

  const send = async (overrides: Record<string, unknown> = {}) => {
    const { status, body } = await api<SubmissionAccepted>(`${network.url(FR)}/api/v1/messages`, {
      method: 'POST',
      body: JSON.stringify(draft(overrides)),
    });
    expect(status).toBe(202);
    expect(body.messages).toHaveLength(1);
    return { ...body.messages[0], requestId: body.requestId };
  };

  const statusOf = async (authorityId: string, messageId: string) =>
    (await api<MessageDetail>(`${network.url(authorityId)}/api/v1/messages/${messageId}`)).body;

  const waitDelivered = (messageId: string, timeoutMs = 60_000) =>
    waitFor(
      async () => {
        const message = await statusOf(FR, messageId);
        return message.status === 'delivered' ? message : undefined;
      },
      `delivery of ${messageId}`,
      timeoutMs,
    );

  const countRows = async (db: pg.Pool, table: string, where: string, values: unknown[]) =>
    Number(
      (await db.query<{ n: string }>(`select count(*) as n from ${table} where ${where}`, values))
        .rows[0].n,
    );

  it('exchanges a message and a signed receipt that attests the envelope as sent', async () => {
    const accepted = await send();
    const delivered = await waitDelivered(accepted.messageId);
    expect(delivered.receipt?.envelopeSha256).toBe(accepted.envelopeSha256);
    expect(delivered.evidences.map((e) => e.kind)).toEqual(['submission-acceptance', 'delivery']);

    const received = await statusOf(NG, accepted.messageId);
    expect(received).toMatchObject({
      direction: 'inbound',
      status: 'received',
      sender: FR,
      recipient: NG,
    });
    expect(received.payload.body).toEqual(draft().body);

    const stored = await ngDb.query<{ armored: string; sha256: string }>(
      'select armored, sha256 from envelopes where message_id = $1',
      [accepted.messageId],
    );
    expect(sha256Hex(stored.rows[0].armored)).toBe(accepted.envelopeSha256);

    const read = await api<MessageDetail>(
      `${network.url(NG)}/api/v1/messages/${accepted.messageId}/read`,
      { method: 'POST' },
    );
    expect(read.body.status).toBe('read');
  });

  it('rejects bad drafts with a stable code and the field at fault', async () => {
    const unknown = await api<{ error: { code: string; details: Array<{ field: string }> } }>(
      `${network.url(FR)}/api/v1/messages`,
      {
        method: 'POST',
        body: JSON.stringify(draft({ recipients: ['DE-BMJ-BJ'] })),
      },
    );
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('UNKNOWN_RECIPIENT');

    const invalid = await api<{ error: { code: string; details: Array<{ field: string }> } }>(
      `${network.url(FR)}/api/v1/messages`,
      {
        method: 'POST',
        body: JSON.stringify({ ...draft(), handling: { confidential: 'yes' }, extra: 1 }),
      },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('VALIDATION_FAILED');
    const fields = invalid.body.error.details.map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(['extra', 'handling.confidential', 'handling.permittedPurpose']),
    );

    const notAccepted = await api<{ error: { code: string } }>(
      `${network.url(FR)}/api/v1/messages`,
      {
        method: 'POST',
        body: JSON.stringify(
          draft({ procedure: 'assets', messageType: 'freeze', body: freezeRequest(FR) }),
        ),
      },
    );
    expect(notAccepted.body.error.code).toBe('PROCEDURE_NOT_ACCEPTED');

    const malformed = await api<{ error: { code: string } }>(`${network.url(FR)}/api/v1/messages`, {
      method: 'POST',
      body: '{"recipient":',
    });
    expect(malformed.status).toBe(400);
    // Not JSON at all: refused before any schema is consulted.
    expect(malformed.body.error.code).toBe('BODY_MALFORMED');
  });

  describe('inbound envelopes', () => {
    const payloadFor = (overrides: Partial<EnvelopePayload> = {}): EnvelopePayload =>
      mlaEnvelope(FR, NG, overrides);

    const post = (
      payload: Pick<EnvelopePayload, 'sender' | 'recipient' | 'messageId'>,
      armored: string,
    ) =>
      api<{ error: { code: string } } | string>(`${network.url(NG)}${INBOUND_PATH}`, {
        method: 'POST',
        headers: {
          'content-type': ENVELOPE_MEDIA_TYPE,
          [ROUTING_HEADERS.sender]: payload.sender,
          [ROUTING_HEADERS.recipient]: payload.recipient,
          [ROUTING_HEADERS.messageId]: payload.messageId,
        },
        body: armored,
      });

    async function expectRejected(
      payload: EnvelopePayload,
      armored: string,
      status: number,
      code: string,
    ) {
      const answer = await post(payload, armored);
      expect({
        status: answer.status,
        code: (answer.body as { error: { code: string } }).error?.code,
      }).toEqual({ status, code });
      expect(await countRows(ngDb, 'messages', 'id = $1', [payload.messageId])).toBe(0);
      const audited = await ngDb.query<{ details: { code: string; envelopeSha256: string } }>(
        `select details from audit_log where event = 'message.rejected' and details->>'claimedMessageId' = $1`,
        [payload.messageId],
      );
      expect(audited.rows.map((r) => r.details.code)).toEqual([code]);
      expect(audited.rows[0].details.envelopeSha256).toBe(sha256Hex(armored));
    }

    it('rejects a tampered envelope', async () => {
      const payload = payloadFor();
      const armored = await sealThroughPolicy(payload, {
        signingKey: frKeys.privateKey,
        recipientKey: ngKeys.publicKey,
      });
      const lines = armored.split('\n');
      const i = Math.floor(lines.length / 2);
      lines[i] = lines[i].slice(0, 5) + (lines[i][5] === 'Q' ? 'R' : 'Q') + lines[i].slice(6);
      await expectRejected(payload, lines.join('\n'), 400, 'ENVELOPE_DECRYPTION_FAILED');
    });

    it('rejects an envelope signed by a key other than the sender’s directory key', async () => {
      const rogue = await generateAuthorityKeyPair({
        authorityId: FR,
        authorityName: 'impostor',
        passphrase: 'x',
      });
      const payload = payloadFor();
      const armored = await sealThroughPolicy(payload, {
        signingKey: await unlockPrivateKey(rogue.privateKeyArmored, 'x'),
        recipientKey: ngKeys.publicKey,
      });
      await expectRejected(payload, armored, 403, 'SIGNATURE_INVALID');
    });

    it('rejects an unknown sender', async () => {
      const payload = payloadFor({ sender: 'BR-MJ-DRCI' });
      const armored = await sealThroughPolicy(payload, {
        signingKey: frKeys.privateKey,
        recipientKey: ngKeys.publicKey,
      });
      await expectRejected(payload, armored, 403, 'UNKNOWN_SENDER');
    });

    it('rejects an envelope addressed to another authority', async () => {
      const payload = payloadFor({ recipient: FR });
      const armored = await sealThroughPolicy(payload, {
        signingKey: frKeys.privateKey,
        recipientKey: frKeys.publicKey,
      });
      await expectRejected(payload, armored, 422, 'WRONG_RECIPIENT');
    });

    it('rejects an envelope older than the replay window', async () => {
      const payload = payloadFor({ createdAt: new Date(Date.now() - 30 * 3600_000).toISOString() });
      const armored = await sealThroughPolicy(payload, {
        signingKey: frKeys.privateKey,
        recipientKey: ngKeys.publicKey,
      });
      await expectRejected(payload, armored, 422, 'ENVELOPE_EXPIRED');
    });

    it('rejects malformed OpenPGP and a missing routing header', async () => {
      await expectRejected(payloadFor(), 'not an envelope', 400, 'ENVELOPE_MALFORMED');
      const answer = await api<{ error: { code: string } }>(`${network.url(NG)}${INBOUND_PATH}`, {
        method: 'POST',
        headers: { 'content-type': ENVELOPE_MEDIA_TYPE },
        body: 'x',
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('ENVELOPE_ROUTING_MISSING');
    });

    it('stores a duplicate once and answers it with the same receipt', async () => {
      const payload = payloadFor();
      const armored = await sealThroughPolicy(payload, {
        signingKey: frKeys.privateKey,
        recipientKey: ngKeys.publicKey,
      });
      const [first, second] = await Promise.all([post(payload, armored), post(payload, armored)]);
      const third = await post(payload, armored);
      expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
      expect(second.body).toBe(first.body);
      expect(third.body).toBe(first.body);
      expect(await countRows(ngDb, 'messages', 'id = $1', [payload.messageId])).toBe(1);
      expect(
        await countRows(ngDb, 'audit_log', `event = 'message.duplicate' and message_id = $1`, [
          payload.messageId,
        ]),
      ).toBe(2);

      const other = await sealThroughPolicy(
        {
          ...payload,
          body: { ...mlaRequest(FR), purpose: 'a different content under the same id' },
        },
        { signingKey: frKeys.privateKey, recipientKey: ngKeys.publicKey },
      );
      const conflict = await post(payload, other);
      expect(conflict.status).toBe(409);
      expect((conflict.body as { error: { code: string } }).error.code).toBe('DUPLICATE_CONFLICT');
    });
  });

  it('delivers to a peer that is down at first once it comes up', async () => {
    await network.stop(NG, 'gateway');
    const accepted = await send();
    await waitFor(async () => {
      const message = await statusOf(FR, accepted.messageId);
      return message.attempts >= 2 && message.status === 'waiting-for-retry' ? message : undefined;
    }, 'failed attempts while the peer is down');
    network.start(NG, 'gateway');
    await network.waitReady(NG);
    const delivered = await waitDelivered(accepted.messageId);
    expect(delivered.attempts).toBeGreaterThanOrEqual(3);
    expect(
      await countRows(frDb, 'audit_log', `event = 'message.retried' and message_id = $1`, [
        accepted.messageId,
      ]),
    ).toBeGreaterThanOrEqual(2);
  });

  it('loses and duplicates nothing when a worker is killed mid-delivery', async () => {
    proxy.hold();
    const accepted = await send();
    await waitFor(async () => proxy.heldCount > 0, 'the delivery to be on the wire');
    expect((await statusOf(FR, accepted.messageId)).status).toBe('sending');
    await network.stop(FR, 'worker', 'SIGKILL');
    // The request the dead worker sent arrives late; the new worker's retry arrives too.
    proxy.release();
    network.start(FR, 'worker');
    const delivered = await waitDelivered(accepted.messageId, 120_000);
    expect(delivered.receipt?.envelopeSha256).toBe(accepted.envelopeSha256);
    expect(await countRows(ngDb, 'messages', 'id = $1', [accepted.messageId])).toBe(1);
    expect(await countRows(frDb, 'messages', 'id = $1', [accepted.messageId])).toBe(1);
    expect(await countRows(frDb, 'receipts', 'message_id = $1', [accepted.messageId])).toBe(1);
    expect(
      await countRows(ngDb, 'audit_log', `event = 'message.received' and message_id = $1`, [
        accepted.messageId,
      ]),
    ).toBe(1);
  });

  it('re-creates delivery jobs lost from Redis from PostgreSQL', async () => {
    await network.stop(FR, 'worker');
    const accepted = await send();
    const redis = new Redis(network.redisUrl);
    try {
      const keys = await redis.keys(`${network.prefix(FR)}:*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    network.start(FR, 'worker');
    await waitDelivered(accepted.messageId);
  });

  it('notifies officers live on their mailbox', async () => {
    const controller = new AbortController();
    const response = await fetch(`${network.url(FR)}/api/v1/mailbox/events`, {
      signal: controller.signal,
      headers: await as(network, FR, 'supervisor'),
    });
    const reader = response.body!.getReader();
    const accepted = await send();
    let text = '';
    try {
      await waitFor(async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        return text.includes(accepted.messageId) && text.includes('message.delivered');
      }, 'the delivered event');
    } finally {
      controller.abort();
    }
    expect(text).toContain('event: message.delivered');
  });

  it('exports evidence that GnuPG verifies offline', async () => {
    const accepted = await send();
    await waitDelivered(accepted.messageId);
    const { body: bundle } = await api<EvidenceBundle>(
      `${network.url(FR)}/api/v1/messages/${accepted.messageId}/evidence`,
    );
    expect(bundle.envelope.sha256).toBe(accepted.envelopeSha256);
    expect(bundle.keys.map((k) => k.authorityId).sort()).toEqual([FR, NG]);
    expect(bundle.audit.map((e) => e.event)).toEqual([
      'message.sent',
      'policy.decided',
      'message.delivered',
      'evidence.exported',
    ]);

    const out = mkdtempSync(join(tmpdir(), 'evidence-'));
    await cli(network, FR, ['evidence', accepted.messageId, '--out', out]);
    const home = mkdtempSync(join(tmpdir(), 'gnupg-'));
    const gpg = (args: string[]) =>
      execFileSync('gpg', ['--homedir', home, '--batch', '--status-fd', '1', ...args], {
        cwd: out,
        stdio: ['ignore', 'pipe', 'pipe'],
      }).toString();
    gpg(['--import', join(out, 'keys', `${FR}.asc`), join(out, 'keys', `${NG}.asc`)]);
    expect(gpg(['--verify', join(out, 'receipt.asc')])).toContain('GOODSIG');
    const attested = /"envelopeSha256":"([0-9a-f]{64})"/.exec(
      readFileSync(join(out, 'receipt.asc'), 'utf8'),
    )?.[1];
    expect(attested).toBe(sha256Hex(readFileSync(join(out, 'envelope.asc'), 'utf8')));
  });

  it('lets an officer explain, open, list and withdraw from the CLI, through the same checks', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'draft-')), 'draft.json');
    writeFileSync(file, JSON.stringify(draft({ caseReference: 'FR-PNAT-2026-0300' })));
    const explained = JSON.parse(
      (await cli(network, FR, ['explain', '--file', file])).stdout,
    ) as Array<{ recipient: string; outcome: string }>;
    expect(explained).toEqual([expect.objectContaining({ recipient: NG, outcome: 'allow' })]);
    expect(await countRows(frDb, 'requests', 'case_reference = $1', ['FR-PNAT-2026-0300'])).toBe(0);

    const opened = JSON.parse(
      (await cli(network, FR, ['cases', 'open', '--file', file])).stdout,
    ) as SubmissionAccepted;
    await waitDelivered(opened.messages[0].messageId);
    const listed = JSON.parse(
      (await cli(network, FR, ['cases', 'list', '--procedure', 'mla', '--state', 'delivered']))
        .stdout,
    ) as Array<{ id: string }>;
    expect(listed.map((r) => r.id)).toContain(opened.requestId);

    await cli(network, FR, [
      'cases',
      'withdraw',
      opened.requestId,
      '--reasons',
      'Proceedings discontinued',
    ]);
    await waitFor(async () => {
      const request = (
        await api<{ status: string }>(`${network.url(NG)}/api/v1/requests/${opened.requestId}`)
      ).body;
      return request.status === 'withdrawn';
    }, 'the withdrawal to reach NG');
  });

  it('verifies the audit chain and names the first modified row', async () => {
    const verified = await cli(network, FR, ['audit', 'verify']);
    const report = JSON.parse(verified.stdout) as { ok: boolean; entries: number };
    expect(report.ok).toBe(true);
    expect(report.entries).toBeGreaterThan(5);

    await expect(
      frDb.query(`update audit_log set actor = 'someone else' where seq = 3`),
    ).rejects.toThrow(/append-only/);
    // A database administrator bypassing the trigger is still caught by the chain.
    await frDb.query('alter table audit_log disable trigger audit_log_append_only');
    await frDb.query(
      `update audit_log set details = details || '{"tampered": true}' where seq = 3`,
    );
    await frDb.query('alter table audit_log enable trigger audit_log_append_only');
    const broken = await cli(network, FR, ['audit', 'verify']).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect((broken as { code: number }).code).toBe(3);
    expect(JSON.parse((broken as { stdout: string }).stdout)).toMatchObject({
      ok: false,
      firstBreak: { seq: '3', reason: 'entry-hash-mismatch' },
    });
  });

  it('never writes a secret to its logs', async () => {
    const logs = [FR, NG]
      .flatMap((id) =>
        (['gateway', 'worker'] as const).map((component) => network.logFile(id, component)),
      )
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    expect(logs.length).toBeGreaterThan(1000);
    for (const id of [FR, NG]) {
      const secrets = join(network.options.workDir, 'secrets');
      const passphrase = readFileSync(join(secrets, `${id}.passphrase`), 'utf8');
      const keyLines = readFileSync(join(secrets, `${id}.key.asc`), 'utf8')
        .split('\n')
        .filter((line) => line.length > 40);
      const registerSecret = readFileSync(network.environment(id).GATEWAY_REGISTER_SECRET_FILE);
      const dataKey = readFileSync(join(secrets, `${id}.data-key`));
      const tokenSecret = readFileSync(join(secrets, `${id}.token-secret`));
      for (const secret of [
        passphrase,
        ...keyLines,
        registerSecret.toString('base64'),
        registerSecret.toString('hex'),
        dataKey.toString('base64'),
        dataKey.toString('hex'),
        tokenSecret.toString('base64'),
        tokenSecret.toString('base64url'),
        tokenSecret.toString('hex'),
        // Every bearer token the run used: officers' API calls and the CLI's.
        ...signedInTokens(),
      ]) {
        expect(logs.includes(secret)).toBe(false);
      }
    }
  });
});
