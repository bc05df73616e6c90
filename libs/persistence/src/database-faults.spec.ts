import fc from 'fast-check';
import pg from 'pg';
import { createDatabase } from './database.js';
import { databaseFaultOf } from './database-faults.js';

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
