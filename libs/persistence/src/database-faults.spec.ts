import fc from 'fast-check';
import pg from 'pg';
import { createDatabase } from './database.js';
import { databaseFaultOf, whenDatabaseAnswers } from './database-faults.js';

/** A server error as node-postgres builds it from the wire. */
function serverError(code: string, message = 'from the server'): Error {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

describe('database faults (R6)', () => {
  it('reads 25006 as a database refusing writes', () => {
    expect(
      databaseFaultOf(serverError('25006', 'cannot execute INSERT in a read-only transaction')),
    ).toBe('read-only');
  });

  it('reads shutdown, start-up, connection and resource states as unavailable', () => {
    for (const code of [
      '57P01',
      '57P02',
      '57P03',
      '53300',
      '53100',
      '53200',
      '08006',
      '08001',
      '08P01',
    ])
      expect(databaseFaultOf(serverError(code))).toBe('unavailable');
  });

  it('leaves every other SQLSTATE to the request: constraint, syntax, serialization', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9A-Z]{5}$/).filter((code) => !/^(08|53|57P0[123]|25006)/.test(code)),
        (code) => expect(databaseFaultOf(serverError(code))).toBeUndefined(),
      ),
    );
    expect(databaseFaultOf(serverError('23505'))).toBeUndefined();
    expect(databaseFaultOf(new TypeError('x is undefined'))).toBeUndefined();
    expect(databaseFaultOf(undefined)).toBeUndefined();
    expect(databaseFaultOf('57P01')).toBeUndefined();
  });

  it('reads a refused connection, as the pool reports it, as unavailable', async () => {
    const db = createDatabase('postgres://postgres@127.0.0.1:1/postgres', 'nowhere', 1);
    try {
      const error: unknown = await db
        .selectFrom('messages')
        .selectAll()
        .execute()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeDefined();
      expect(databaseFaultOf(error)).toBe('unavailable');
    } finally {
      await db.destroy();
    }
  });

  it('reads node-postgres’ words for a broken connection as unavailable', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
    ])
      expect(databaseFaultOf(new Error(message))).toBe('unavailable');
  });
});

describe('start-up while the database is unavailable', () => {
  /** A virtual clock: sleeping advances it. */
  const clock = () => {
    let now = 0;
    return { now: () => now, sleep: async (ms: number) => void (now += ms) };
  };

  it('waits through any run of unavailable attempts shorter than the limit, then goes on', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 12 }), async (failures) => {
        const time = clock();
        const waits: number[] = [];
        let calls = 0;
        const result = await whenDatabaseAnswers(
          async () => {
            calls += 1;
            if (calls <= failures)
              throw new Error('Connection terminated due to connection timeout');
            return 'migrated';
          },
          { giveUpAfterMs: 120_000, onWait: (_, ms) => waits.push(ms), ...time },
        );
        expect(result).toBe('migrated');
        expect(waits).toHaveLength(failures);
        expect(waits.every((ms) => ms >= 500 && ms <= 5000)).toBe(true);
      }),
    );
  });

  it('gives up once the limit would pass, with the last error', async () => {
    const time = clock();
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await expect(
      whenDatabaseAnswers(() => Promise.reject(refused), {
        giveUpAfterMs: 20_000,
        onWait: () => undefined,
        ...time,
      }),
    ).rejects.toBe(refused);
    expect(time.now()).toBeLessThanOrEqual(20_000);
    expect(time.now()).toBeGreaterThan(10_000);
  });

  it('does not wait on an error that is not the database being unavailable', async () => {
    let calls = 0;
    const broken = serverError('42P01', 'relation "messages" does not exist');
    await expect(
      whenDatabaseAnswers(
        () => {
          calls += 1;
          return Promise.reject(broken);
        },
        { giveUpAfterMs: 120_000, onWait: () => undefined, ...clock() },
      ),
    ).rejects.toBe(broken);
    expect(calls).toBe(1);
  });
});
