import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { v7 as uuidv7 } from 'uuid';
import { OutOfScopeError } from '#libs/access';
import { AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import {
  DELIVERY_QUEUE,
  DeliveryQueue,
  MessageRepository,
  type DeliveryJobData,
  type MessageStatus,
} from '#libs/messaging';
import { Clock, type NodeConfig } from '#libs/node-config';
import { writeTogether } from '#libs/persistence';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import { requestPayload } from '../../../test/support/message-payloads.js';
import { DeliveryLogRepository } from './delivery-log.repository.js';
import { ListDeliveries } from './list-deliveries.use-case.js';
import { RetryDelivery } from './retry-delivery.use-case.js';

/*
 * "Retry delivery" and the delivery view against a real PostgreSQL schema and a real Redis queue:
 * parallel retries re-queue once and add one job, a message waiting out its backoff has its job
 * promoted, refusals carry their stable code and are audited.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const FR = 'FR-MOJ-BEPI';
const PNAT = 'FR-PNAT-PARIS';
const IT = 'IT-MOJ-DAG';
const HOUR = 3_600_000;

class TestClock extends Clock {
  at = new Date();
  now(): Date {
    return new Date(this.at);
  }
}

describe('retry delivery against PostgreSQL and Redis', () => {
  let database: FreshDatabase;
  let redis: Redis;
  let bull: Queue<DeliveryJobData>;
  let messages: MessageRepository;
  let audit: AuditTrail;
  let retry: RetryDelivery;
  let list: ListDeliveries;
  const clock = new TestClock();
  const config = {
    delivery: { retryWindowMs: 24 * HOUR, requestTimeoutMs: 30_000 },
    inbound: { replayWindowMs: 26 * HOUR, clockSkewMs: 300_000 },
  } as NodeConfig;
  const command = (messageId: string, authorityId = FR) => ({
    messageId,
    authorityId,
    actor: `fr.admin@${authorityId}`,
    correlationId: 'corr-1',
  });

  async function message(
    status: MessageStatus,
    options: { sender?: string; direction?: 'outbound' | 'inbound'; attempts?: number } = {},
  ): Promise<string> {
    const id = uuidv7();
    const now = clock.now();
    const payload = requestPayload({
      messageId: id,
      requestId: uuidv7(),
      sender: options.sender ?? FR,
      recipient: IT,
      createdAt: now,
      caseReference: 'FR-CASE-SECRET-1',
      body: { summaryOfFacts: 'never shown in the delivery view' },
    });
    await messages.transaction((trx) =>
      messages.insert(
        trx,
        {
          payload,
          direction: options.direction ?? 'outbound',
          status,
          correlationId: `corr-${id}`,
          retryUntil: new Date(now.getTime() + 4000),
          now,
        },
        { armored: 'armored', sha256: 'a'.repeat(64) },
      ),
    );
    await database.db
      .updateTable('messages')
      .set({ attempts: options.attempts ?? 3, last_error: 'peer unreachable: ECONNREFUSED' })
      .where('id', '=', id)
      .execute();
    return id;
  }

  const auditOf = async (messageId: string, event: string) =>
    database.db
      .selectFrom('audit_log')
      .select(['actor', 'details'])
      .where('message_id', '=', messageId)
      .where('event', '=', event)
      .execute();

  const refusal = async (run: Promise<unknown>) => {
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  };

  beforeAll(async () => {
    database = await freshDatabase('retry_delivery');
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    bull = new Queue(DELIVERY_QUEUE.name, {
      connection: redis,
      prefix: `{int_retry_delivery_${process.pid}}`,
    });
    await bull.waitUntilReady();
    messages = new MessageRepository(database.db, database.cipher);
    audit = new AuditTrail(database.db, clock, database.cipher);
    const queue = new DeliveryQueue(bull);
    const log = new DeliveryLogRepository(database.db);
    retry = new RetryDelivery(messages, log, queue, audit, clock, config);
    list = new ListDeliveries(log, queue);
  });

  afterAll(async () => {
    await bull?.obliterate({ force: true });
    await bull?.close();
    redis?.disconnect();
    await database?.close();
  });

  it('re-queues a failed message once under parallel retries, with one job and a fresh window', async () => {
    const id = await message('failed');
    await writeTogether(messages.db, [
      messages.evidenceInsertOf(id, 'non-delivery', clock.now(), {
        reason: 'peer answered 503 QUEUE_UNAVAILABLE',
      }),
    ]);
    await audit.record({
      event: 'message.retried',
      actor: FR,
      messageId: id,
      details: { reason: 'peer answered 503', peerStatus: 503, peerCode: 'QUEUE_UNAVAILABLE' },
    });
    const results = await Promise.all(Array.from({ length: 12 }, () => retry.execute(command(id))));
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'requeued')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already-pending')).toHaveLength(11);
    expect(results.find((r) => r.outcome === 'requeued')).toMatchObject({
      previousStatus: 'failed',
      job: 'added',
      retryUntil: new Date(clock.now().getTime() + 24 * HOUR).toISOString(),
    });

    const row = await messages.require(id);
    expect([row.status, row.attempts]).toEqual(['queued', 0]);
    const job = await bull.getJob(id);
    expect(await job?.getState()).toBe('waiting');
    expect(await bull.getJobCounts('waiting')).toMatchObject({ waiting: 1 });

    const entries = await auditOf(id, 'delivery.retry-requested');
    expect(entries).toHaveLength(1);
    expect(entries[0].actor).toBe(`fr.admin@${FR}`);
    expect(entries[0].details).toMatchObject({
      previousStatus: 'failed',
      previousAttempts: 3,
      recipient: IT,
      peerReason: { code: 'QUEUE_UNAVAILABLE', status: 503, permanent: false },
    });
    await bull.obliterate({ force: true });
  });

  it('promotes the delayed job of a message waiting out its backoff', async () => {
    const id = await message('waiting-for-retry');
    await bull.add('deliver', { messageId: id, correlationId: null }, { jobId: id, delay: HOUR });
    const result = await retry.execute(command(id));
    expect(result).toMatchObject({ outcome: 'requeued', job: 'promoted' });
    expect(await (await bull.getJob(id))?.getState()).toBe('waiting');
    await bull.obliterate({ force: true });
  });

  it('refuses, with a stable code and an audit entry, a delivered message and a too-old envelope', async () => {
    const delivered = await message('delivered');
    const error = await refusal(retry.execute(command(delivered)));
    expect(error.code).toBe(ErrorCode.DELIVERY_ALREADY_DELIVERED);
    expect(await auditOf(delivered, 'delivery.retry-refused')).toHaveLength(1);
    expect((await messages.require(delivered)).status).toBe('delivered');

    const old = await message('failed');
    clock.at = new Date(clock.at.getTime() + 26 * HOUR);
    try {
      expect((await refusal(retry.execute(command(old)))).code).toBe(
        ErrorCode.DELIVERY_RETRY_TOO_LATE,
      );
    } finally {
      clock.at = new Date(clock.at.getTime() - 26 * HOUR);
    }
    expect((await messages.require(old)).status).toBe('failed');
    expect(await bull.getJob(old)).toBeUndefined();
  });

  it('answers another authority’s message (a hub’s) as not found, and leaves it alone', async () => {
    const theirs = await message('failed', { sender: PNAT });
    const error = await refusal(retry.execute(command(theirs)));
    expect(error).toBeInstanceOf(OutOfScopeError);
    expect(error.code).toBe(ErrorCode.MESSAGE_NOT_FOUND);
    expect((await messages.require(theirs)).status).toBe('failed');
  });

  it('lists the authority’s undelivered outgoing messages, with the peer’s reason and no content', async () => {
    const failed = await message('failed');
    await writeTogether(messages.db, [
      messages.evidenceInsertOf(failed, 'non-delivery', clock.now(), {
        reason: 'peer answered 422 ENVELOPE_EXPIRED (permanent refusal: not retried)',
        permanent: true,
        peerStatus: 422,
        peerCode: 'ENVELOPE_EXPIRED',
      }),
    ]);
    const retrying = await message('waiting-for-retry');
    const nextAttemptAt = new Date(clock.now().getTime() + 5000).toISOString();
    await audit.record({
      event: 'message.retried',
      actor: FR,
      messageId: retrying,
      details: { reason: 'peer unreachable: ECONNREFUSED', nextAttemptAt },
    });
    await message('delivered');
    await message('received', { direction: 'inbound' });
    await message('failed', { sender: PNAT });

    const all = await list.execute({ authorityId: FR, limit: 500 });
    const ids = all.items.map((item) => item.messageId);
    expect(ids).toContain(failed);
    expect(ids).toContain(retrying);
    expect(all.items.every((item) => item.state !== undefined && item.status !== 'delivered')).toBe(
      true,
    );
    expect(JSON.stringify(all)).not.toMatch(/FR-CASE-SECRET|summaryOfFacts/);
    expect(all.items.find((i) => i.messageId === failed)?.peerReason).toMatchObject({
      code: 'ENVELOPE_EXPIRED',
      status: 422,
      permanent: true,
    });
    expect(all.items.find((i) => i.messageId === retrying)).toMatchObject({
      state: 'retrying',
      nextAttemptAt,
      peerReason: { code: null, message: 'peer unreachable: ECONNREFUSED' },
    });
    expect(all.queue).toEqual({ waiting: 0, delayed: 0, active: 0, failed: 0 });
    // Another authority of the node (a hub) sees only its own.
    const theirs = await list.execute({ authorityId: PNAT, limit: 500 });
    expect(theirs.items.every((item) => !ids.includes(item.messageId))).toBe(true);

    const retryingOnly = await list.execute({ authorityId: FR, state: 'retrying', limit: 500 });
    expect(retryingOnly.items.every((item) => item.state === 'retrying')).toBe(true);
    const page = await list.execute({ authorityId: FR, limit: 1 });
    expect(page.next).toBe(page.items[0].messageId);
    const nextPage = await list.execute({ authorityId: FR, limit: 1, after: page.next! });
    expect(nextPage.items[0].messageId < page.items[0].messageId).toBe(true);
  });
});
