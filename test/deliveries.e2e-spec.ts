import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { ENVELOPE_MEDIA_TYPE, INBOUND_PATH, ROUTING_HEADERS } from '#libs/envelope';
import type { DeliveryLog, RetryDeliveryResult } from '#libs/delivery';
import type { SubmissionAccepted } from '#libs/messaging';
import {
  accountName,
  centralAuthority,
  LocalNetwork,
  mlaRequest,
  SAMPLE_HANDLING,
} from '#tools/local-network';
import { api, as, nodeDatabase, signIn, waitFor } from './support/network.js';

/*
 * The delivery view and "retry delivery" across real processes (issue 13): FR sends two requests
 * to IT while IT's node is down; their short retry window closes and both fail. FR's
 * administrator lists them with the peer's reason, IT comes up, one is retried alone and the other
 * by two parallel retries: each is delivered exactly once, with a receipt, and the audit trail
 * holds one retry each.
 */

const FR = 'FR-MOJ-BEPI';
const IT = 'IT-MOJ-DAG';
const CASE_REFERENCE = 'FR-DELIVERY-2026-0013';

type ApiError = { error: { code: string; details: Array<Record<string, unknown>> } };

describe('the delivery view and retry delivery across two nodes', () => {
  let network: LocalNetwork;
  let frDb: pg.Pool;
  let itDb: pg.Pool | undefined;
  const sent: string[] = [];

  beforeAll(async () => {
    network = await LocalNetwork.create({
      name: 'e2e_deliveries',
      workDir: join(tmpdir(), 'gateway-e2e-deliveries'),
      nodes: [centralAuthority(FR, 'BEPI', 4361), centralAuthority(IT, 'DAG', 4362)],
      env: {
        LOG_LEVEL: 'warn',
        GATEWAY_RETRY_WINDOW_MS: '4000',
        GATEWAY_RETRY_BASE_DELAY_MS: '200',
        GATEWAY_RETRY_MAX_DELAY_MS: '1000',
        GATEWAY_DELIVERY_TIMEOUT_MS: '2000',
      },
    });
    await signIn(network);
    // IT's node is in the directory but not started yet: what FR sends it cannot be delivered.
    network.start(FR, 'gateway');
    network.start(FR, 'worker');
    await network.waitReady(FR);
    frDb = nodeDatabase(network, FR);
  });

  afterAll(async () => {
    await frDb?.end();
    await itDb?.end();
    await network?.stopAll();
  });

  const deliveries = async (
    query: string,
    role: 'administrator' | 'supervisor' = 'administrator',
  ) =>
    api<DeliveryLog & ApiError>(`${network.url(FR)}/api/v1/deliveries${query}`, {
      headers: await as(network, FR, role),
    });

  const retry = async (messageId: string, role: 'administrator' | 'supervisor' = 'administrator') =>
    api<RetryDeliveryResult & ApiError>(`${network.url(FR)}/api/v1/deliveries/${messageId}/retry`, {
      method: 'POST',
      headers: await as(network, FR, role),
    });

  const statusOf = async (messageId: string) =>
    (await frDb.query<{ status: string }>('select status from messages where id = $1', [messageId]))
      .rows[0]?.status;

  const count = async (db: pg.Pool, sql: string, values: unknown[]) =>
    (await db.query<{ n: number }>(`select count(*)::int as n from ${sql}`, values)).rows[0].n;

  it('lists the messages that failed while the peer was down, with its reason, and no case content', async () => {
    for (let i = 0; i < 2; i++) {
      const answer = await api<SubmissionAccepted>(`${network.url(FR)}/api/v1/messages`, {
        method: 'POST',
        body: JSON.stringify({
          procedure: 'mla',
          messageType: 'request',
          recipients: [IT],
          caseReference: `${CASE_REFERENCE}-${i}`,
          handling: SAMPLE_HANDLING,
          body: mlaRequest(FR),
        }),
      });
      expect(answer.status).toBe(202);
      sent.push(answer.body.messages[0].messageId);
    }
    await waitFor(
      async () =>
        (await Promise.all(sent.map(statusOf))).every((status) => status === 'failed') || undefined,
      'both messages failed once the retry window closed',
      30_000,
    );

    const failed = await deliveries('?status=failed');
    expect(failed.status).toBe(200);
    const items = failed.body.items.filter((item) => sent.includes(item.messageId));
    expect(items.map((item) => item.messageId).sort()).toEqual([...sent].sort());
    for (const item of items) {
      expect(item).toMatchObject({
        messageType: 'request',
        procedure: 'mla',
        recipient: IT,
        status: 'failed',
        state: 'failed',
        nextAttemptAt: null,
      });
      expect(item.attempts).toBeGreaterThanOrEqual(1);
      expect(item.lastAttemptAt).not.toBeNull();
      expect(item.peerReason?.message).toMatch(/peer unreachable/);
      expect(item.peerReason?.permanent).toBe(false);
    }
    // Routing facts only: no body, no persons, no case reference.
    const text = JSON.stringify(failed.body);
    expect(text).not.toContain(CASE_REFERENCE);
    expect(text).not.toContain('summaryOfFacts');
    expect(Object.keys(items[0]).sort()).not.toContain('payload');
    const queue = failed.body.queue;
    expect(Object.keys(queue ?? {}).sort()).toEqual(['active', 'delayed', 'failed', 'waiting']);
    expect(Object.values(queue ?? {}).every((n) => Number.isInteger(n) && n >= 0)).toBe(true);

    // Filters and pages: newest first, one at a time.
    expect((await deliveries(`?status=queued&counterpart=${IT}`)).body.items).toEqual([]);
    expect((await deliveries('?counterpart=NG-MOJ-CA')).body.items).toEqual([]);
    const first = await deliveries(`?counterpart=${IT}&limit=1`);
    expect(first.body.items.map((i) => i.messageId)).toEqual([sent[1]]);
    expect(first.body.next).toBe(sent[1]);
    const second = await deliveries(`?counterpart=${IT}&limit=1&after=${first.body.next}`);
    expect(second.body.items.map((i) => i.messageId)).toEqual([sent[0]]);
    expect((await deliveries('?status=lost')).body.error.code).toBe('VALIDATION_FAILED');

    // A supervisor may look, not retry.
    expect((await deliveries('', 'supervisor')).status).toBe(200);
    const refused = await retry(sent[0], 'supervisor');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'PERMISSION_DENIED']);
    expect(await statusOf(sent[0])).toBe('failed');
  });

  it('retries a failed message once the peer is back: delivered exactly once, with a receipt, audited', async () => {
    network.start(IT, 'gateway');
    network.start(IT, 'worker');
    await network.waitReady(IT);
    itDb = nodeDatabase(network, IT);
    const [messageId] = sent;

    const answer = await retry(messageId);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      outcome: 'requeued',
      messageId,
      previousStatus: 'failed',
      job: 'added',
    });
    await waitFor(async () => (await statusOf(messageId)) === 'delivered', 'the retried delivery');
    expect(await count(frDb, 'receipts where message_id = $1', [messageId])).toBe(1);
    expect(await count(itDb, 'messages where id = $1', [messageId])).toBe(1);
    expect(
      await count(itDb, `audit_log where event = 'message.received' and message_id = $1`, [
        messageId,
      ]),
    ).toBe(1);

    const { rows } = await frDb.query<{ actor: string; details: Record<string, unknown> }>(
      `select actor, details from audit_log where event = 'delivery.retry-requested' and message_id = $1`,
      [messageId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].actor).toBe(`${accountName(FR, 'administrator')}@${FR}`);
    expect(rows[0].details).toMatchObject({ recipient: IT, previousStatus: 'failed' });
    expect((rows[0].details.peerReason as { message: string }).message).toMatch(/peer unreachable/);

    // Delivered: a second retry is refused with a stable code, and the refusal is audited.
    const again = await retry(messageId);
    expect([again.status, again.body.error.code]).toEqual([409, 'DELIVERY_ALREADY_DELIVERED']);
    expect(
      await count(frDb, `audit_log where event = 'delivery.retry-refused' and message_id = $1`, [
        messageId,
      ]),
    ).toBe(1);

    // Were the envelope posted again, the receiver stores it once and answers the same receipt.
    const envelope = (
      await frDb.query<{ armored: string }>('select armored from envelopes where message_id = $1', [
        messageId,
      ])
    ).rows[0].armored;
    const repost = await api<string>(`${network.url(IT)}${INBOUND_PATH}`, {
      method: 'POST',
      headers: {
        'content-type': ENVELOPE_MEDIA_TYPE,
        [ROUTING_HEADERS.sender]: FR,
        [ROUTING_HEADERS.recipient]: IT,
        [ROUTING_HEADERS.messageId]: messageId,
      },
      body: envelope,
    });
    const receipt = (
      await frDb.query<{ armored: string }>('select armored from receipts where message_id = $1', [
        messageId,
      ])
    ).rows[0].armored;
    expect(repost.status).toBe(200);
    expect(repost.body).toBe(receipt);
    expect(await count(itDb, 'messages where id = $1', [messageId])).toBe(1);
  });

  it('enqueues one delivery for two parallel retries, and delivers once', async () => {
    const messageId = sent[1];
    expect(await statusOf(messageId)).toBe('failed');
    // Both on the wire together: the credential is made before either starts.
    const headers = await as(network, FR, 'administrator');
    const post = () =>
      api<RetryDeliveryResult>(`${network.url(FR)}/api/v1/deliveries/${messageId}/retry`, {
        method: 'POST',
        headers,
      });
    const answers = await Promise.all([post(), post()]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual(['already-pending', 'requeued']);
    await waitFor(async () => (await statusOf(messageId)) === 'delivered', 'the retried delivery');
    expect(
      await count(frDb, `audit_log where event = 'delivery.retry-requested' and message_id = $1`, [
        messageId,
      ]),
    ).toBe(1);
    expect(await count(frDb, 'receipts where message_id = $1', [messageId])).toBe(1);
    expect(await count(itDb!, 'messages where id = $1', [messageId])).toBe(1);
    expect(
      await count(itDb!, `audit_log where event = 'message.received' and message_id = $1`, [
        messageId,
      ]),
    ).toBe(1);
    // Delivered messages leave the view.
    const left = await deliveries(`?counterpart=${IT}`);
    expect(left.body.items.filter((item) => sent.includes(item.messageId))).toEqual([]);
  });
});
