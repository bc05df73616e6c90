import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { AuditTrail } from '#libs/audit';
import { MailboxEventLog, MailboxEventPattern, type MailboxEvent } from '#libs/bus';
import { SystemClock } from '#libs/node-config';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import { requestPayload } from '../../../test/support/message-payloads.js';
import { MessageRepository } from './message.repository.js';
import type { MessageStatus } from './message-status.js';

/*
 * The message rows a delivery attempt starts from, against a real PostgreSQL schema: a message and
 * its envelope are stored by one statement, and an attempt claims its message, with the envelope
 * and whether files follow, in one statement or not at all. A received message is written with its
 * receipt, evidence, mailbox event and audit entry by one statement too.
 */

const FR = 'FR-MOJ-BEPI';
const IT = 'IT-MOJ-DAG';
const HOUR = 3_600_000;

describe('message rows against PostgreSQL', () => {
  let database: FreshDatabase;
  let messages: MessageRepository;
  const now = new Date();

  beforeAll(async () => {
    database = await freshDatabase('message_rows');
    messages = new MessageRepository(database.db, database.cipher);
  });

  afterAll(() => database.close());

  const payloadOf = (id: string) =>
    requestPayload({
      messageId: id,
      requestId: id,
      sender: FR,
      recipient: IT,
      createdAt: now,
      caseReference: 'INT-ROWS-1',
    });

  async function stored(
    status: MessageStatus,
    options: { direction?: 'outbound' | 'inbound'; retryUntil?: Date | null } = {},
  ): Promise<string> {
    const id = uuidv7();
    const payload = payloadOf(id);
    await messages.transaction((trx) =>
      messages.insert(
        trx,
        {
          payload,
          direction: options.direction ?? 'outbound',
          status,
          correlationId: `corr-${id}`,
          retryUntil:
            options.retryUntil === undefined ? new Date(now.getTime() + HOUR) : options.retryUntil,
          now,
        },
        { armored: `armored ${id}`, sha256: 'a'.repeat(64) },
      ),
    );
    return id;
  }

  const rowsOf = (ids: string[]) =>
    database.db
      .selectFrom('messages')
      .select(['id', 'status', 'attempts', 'status_changed_at'])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();

  it('stores a message and its envelope together, or neither', async () => {
    const id = await stored('queued');
    expect(await messages.findEnvelope(id)).toEqual({
      armored: `armored ${id}`,
      sha256: 'a'.repeat(64),
    });

    // An envelope that cannot be stored leaves no message behind, even outside a transaction.
    const orphan = uuidv7();
    const insert = messages.insert(
      database.db,
      {
        payload: payloadOf(orphan),
        direction: 'outbound',
        status: 'queued',
        correlationId: 'corr-orphan',
        retryUntil: null,
        now,
      },
      { armored: 'armored', sha256: null as unknown as string },
    );
    await expect(insert).rejects.toMatchObject({ code: '23502' });
    expect(await messages.find(orphan)).toBeUndefined();

    // A second message under a stored id fails whole: no second envelope either.
    const again = messages.insert(
      database.db,
      {
        payload: payloadOf(id),
        direction: 'outbound',
        status: 'queued',
        correlationId: 'corr-again',
        retryUntil: null,
        now,
      },
      { armored: 'another', sha256: 'b'.repeat(64) },
    );
    await expect(again).rejects.toMatchObject({ code: '23505' });
    expect(await messages.findEnvelope(id)).toEqual({
      armored: `armored ${id}`,
      sha256: 'a'.repeat(64),
    });
  });

  it.each<MessageStatus>(['queued', 'sending', 'waiting-for-receipt', 'waiting-for-retry'])(
    'claims a message %s for an attempt, with its envelope, one attempt more',
    async (status) => {
      const id = await stored(status);
      const claim = await messages.claimForDelivery(id, now);
      expect(claim).toMatchObject({
        message: { id, status: 'sending', attempts: 1 },
        envelope: { armored: `armored ${id}`, sha256: 'a'.repeat(64) },
        hasFiles: false,
      });
      expect((await messages.require(id)).attempts).toBe(1);
    },
  );

  it('tells an attempt that files follow the envelope', async () => {
    const id = await stored('queued');
    await database.db
      .insertInto('message_attachments')
      .values({
        message_id: id,
        position: 0,
        direction: 'outbound',
        file_id: 'file-1',
        manifest: Buffer.from('sealed manifest'),
        category: 'document',
        size: '4',
        sha256: 'c'.repeat(64),
        chunk_count: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    expect((await messages.claimForDelivery(id, now))?.hasFiles).toBe(true);
  });

  it('claims nothing that an attempt may not start, and changes nothing of it', async () => {
    const cases = [
      await stored('delivered'),
      await stored('failed'),
      await stored('received', { direction: 'inbound', retryUntil: null }),
      // Past its retry window: the attempt closes it, under the row's lock.
      await stored('waiting-for-retry', { retryUntil: new Date(now.getTime() - 1) }),
      uuidv7(),
    ];
    const before = await rowsOf(cases);

    for (const id of cases) expect(await messages.claimForDelivery(id, now)).toBeUndefined();

    const after = await rowsOf(cases);
    expect(after).toEqual(before);
  });

  it('claims a message inside its window up to its last instant', async () => {
    const id = await stored('waiting-for-retry', { retryUntil: now });
    expect((await messages.claimForDelivery(id, now))?.message.status).toBe('sending');
  });
  it('writes a message with its receipt, evidence, mailbox event and audit entry together, or none', async () => {
    const audit = new AuditTrail(database.db, new SystemClock(), database.cipher);
    const eventLog = new MailboxEventLog(database.db);
    /** Rows of the message in messages, envelopes, receipts, evidences, audit_log, mailbox_events. */
    const rowsOf = async (id: string) => {
      const { rows } = await sql<{ n: number[] }>`select array[
        (select count(*) from messages where id = ${id}),
        (select count(*) from envelopes where message_id = ${id}),
        (select count(*) from receipts where message_id = ${id}),
        (select count(*) from evidences where message_id = ${id}),
        (select count(*) from audit_log where message_id = ${id}),
        (select count(*) from mailbox_events where event->>'messageId' = ${id}::text)
      ]::int[] as n`.execute(database.db);
      return rows[0].n;
    };
    const change = (id: string, pattern: string) => {
      const event = {
        pattern,
        authorityId: IT,
        messageId: id,
        status: 'received',
        counterpart: FR,
        procedure: 'mla',
        caseReference: 'INT-ROWS-1',
        occurredAt: now.toISOString(),
        correlationId: null,
      } as MailboxEvent;
      return audit.recordAll(
        [{ event: 'message.received', actor: FR, messageId: id, details: {} }],
        // Outside a transaction: the statement alone makes it all or nothing.
        database.db,
        [
          // Before the message it refers to: foreign keys hold at the statement's end.
          messages.evidenceInsertOf(id, 'delivery', now, { at: 'first' }),
          ...messages.insertsOf(
            {
              payload: payloadOf(id),
              direction: 'inbound',
              status: 'received',
              correlationId: `corr-${id}`,
              retryUntil: null,
              now,
            },
            { armored: `armored ${id}`, sha256: 'c'.repeat(64) },
          ),
          messages.receiptInsertOf(
            id,
            {
              armored: 'receipt',
              envelopeSha256: 'c'.repeat(64),
              receivedAt: now.toISOString(),
              signerFingerprint: 'F'.repeat(40),
            },
            now,
          ),
          eventLog.insertOf(event),
        ],
      );
    };

    const id = uuidv7();
    await change(id, MailboxEventPattern.received);
    expect(await rowsOf(id)).toEqual([1, 1, 1, 1, 1, 1]);

    // A mailbox event that cannot be stored (no pattern) leaves none of the other rows.
    const refused = uuidv7();
    await expect(change(refused, null as unknown as string)).rejects.toMatchObject({
      code: '23502',
    });
    expect(await rowsOf(refused)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('moves a message to delivered with its receipt in one statement, judged by the rows it moved', async () => {
    const audit = new AuditTrail(database.db, new SystemClock(), database.cipher);
    const deliver = (id: string) =>
      messages.transaction(async (trx) => {
        const moved = await audit.recordAll(
          [{ event: 'message.delivered', actor: FR, messageId: id, details: {} }],
          trx,
          [
            messages.receiptInsertOf(
              id,
              {
                armored: 'receipt',
                envelopeSha256: 'a'.repeat(64),
                receivedAt: now.toISOString(),
                signerFingerprint: 'F'.repeat(40),
              },
              now,
            ),
          ],
          messages.transitionOf(id, 'delivered', now, { lastError: null }),
        );
        if (moved === 0n) await messages.transitionRefused(trx, id, 'delivered');
        return moved;
      });
    const receiptsOf = async (id: string) =>
      (await messages.findReceipt(id)) === undefined ? 0 : 1;

    // The receipt in the answer to the envelope, or after the files' chunks.
    for (const status of ['sending', 'waiting-for-receipt'] as const) {
      const waiting = await stored(status);
      await expect(deliver(waiting)).resolves.toBe(1n);
      expect((await rowsOf([waiting]))[0].status).toBe('delivered');
      expect(await receiptsOf(waiting)).toBe(1);
    }

    // A status that does not lead to delivered moves nothing, and the receipt goes with it.
    const queued = await stored('queued');
    await expect(deliver(queued)).rejects.toMatchObject({
      code: 'INVALID_STATUS_TRANSITION',
    });
    expect((await rowsOf([queued]))[0].status).toBe('queued');
    expect(await receiptsOf(queued)).toBe(0);
    // No message: its receipt has nothing to refer to.
    await expect(deliver(uuidv7())).rejects.toMatchObject({ code: '23503' });
  });
});
