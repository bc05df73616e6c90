import { v7 as uuidv7 } from 'uuid';
import { freshDatabase, type FreshDatabase } from '../../../test/support/database.js';
import { requestPayload } from '../../../test/support/message-payloads.js';
import { MessageRepository } from './message.repository.js';
import type { MessageStatus } from './message-status.js';

/*
 * The message rows a delivery attempt starts from, against a real PostgreSQL schema: a message and
 * its envelope are stored by one statement, and an attempt claims its message, with the envelope
 * and whether files follow, in one statement or not at all.
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
});
