import { setTimeout as sleep } from 'node:timers/promises';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase, type Db } from '#libs/persistence';
import { freshDatabase, type FreshDatabase } from '../../../../test/support/database.js';
import { MessageAttachmentsRepository } from './message-attachments.repository.js';

/*
 * Holding a received file across a node's gateway processes, against a real PostgreSQL: each
 * "process" below has its own pool of connections to the node's schema, as two gateways have.
 */

describe('a received file held across gateway processes', () => {
  let database: FreshDatabase;
  const pools: Db[] = [];
  let first: MessageAttachmentsRepository;
  let second: MessageAttachmentsRepository;

  beforeAll(async () => {
    database = await freshDatabase('file_holding');
    first = new MessageAttachmentsRepository(database.db, database.cipher);
    const other = createDatabase(database.url, database.schema, 5);
    pools.push(other);
    second = new MessageAttachmentsRepository(other, database.cipher);
  });

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.destroy()));
    await database.close();
  });

  /** Both processes hold `positions[i]` of one message at once; the order of their steps. */
  async function holdBoth(positions: [number, number]): Promise<string[]> {
    const messageId = uuidv7();
    const steps: string[] = [];
    const hold = (name: string, repository: MessageAttachmentsRepository, position: number) =>
      repository.holdingFile(messageId, position, async () => {
        steps.push(`${name} in`);
        await sleep(150);
        steps.push(`${name} out`);
      });
    const a = hold('first', first, positions[0]);
    await sleep(20);
    await Promise.all([a, hold('second', second, positions[1])]);
    return steps;
  }

  it('lets one process at a time hold a file: the other waits for it', async () => {
    expect(await holdBoth([0, 0])).toEqual(['first in', 'first out', 'second in', 'second out']);
  });

  it('lets two processes hold two files at once', async () => {
    expect(await holdBoth([0, 1])).toEqual(['first in', 'second in', 'first out', 'second out']);
  });

  it('lets go when the work fails', async () => {
    const messageId = uuidv7();
    await expect(
      first.holdingFile(messageId, 0, () => Promise.reject(new Error('refused chunk'))),
    ).rejects.toThrow('refused chunk');
    await expect(second.holdingFile(messageId, 0, async () => 'held')).resolves.toBe('held');
  });

  it('writes through the held connection: a pool of one connection is enough', async () => {
    const single = createDatabase(database.url, database.schema, 1);
    pools.push(single);
    const repository = new MessageAttachmentsRepository(single, database.cipher);
    const messageId = uuidv7();
    const read = repository.holdingFile(messageId, 0, (db) => repository.list(messageId, db));
    await expect(Promise.race([read, sleep(5_000, 'stuck')])).resolves.toEqual([]);
  });
});
