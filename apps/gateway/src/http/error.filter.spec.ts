import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { Controller, Get, Param, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import pg from 'pg';
import request from 'supertest';
import { AnonymousRefusals, AuditTrail } from '#libs/audit';
import { ErrorCode, GatewayError } from '#libs/errors';
import { Clock, NODE_CONFIG, SystemClock } from '#libs/node-config';
import { ColumnCipher, createDatabase, DataKey } from '#libs/persistence';
import { GatewayErrorFilter } from './error.filter.js';

const REDIS_PORT = 6390;

function serverError(code: string): Error {
  const error = new pg.DatabaseError(`server said ${code}`, 10, 'error');
  error.code = code;
  return error;
}

function refused(port: number): Error {
  return Object.assign(new Error(`connect ECONNREFUSED 127.0.0.1:${port}`), {
    code: 'ECONNREFUSED',
    syscall: 'connect',
    address: '127.0.0.1',
    port,
  });
}

const FAULTS: Record<string, () => unknown> = {
  'read-only': () => serverError('25006'),
  'admin-shutdown': () => serverError('57P01'),
  'starting-up': () => serverError('57P03'),
  'too-many-connections': () => serverError('53300'),
  'connection-lost': () => new Error('Connection terminated unexpectedly'),
  'database-refused': () => refused(5432),
  'redis-refused': () => refused(REDIS_PORT),
  'redis-retries': () =>
    Object.assign(new Error('Reached the max retries per request limit (which is 1).'), {
      name: 'MaxRetriesPerRequestError',
    }),
  'unique-violation': () => serverError('23505'),
  bug: () => new TypeError('cannot read properties of undefined'),
  'register-unavailable': () =>
    new GatewayError(ErrorCode.REGISTER_UNAVAILABLE, 'the register cannot be consulted'),
};

@Controller()
class FaultyController {
  @Get('fault/:kind')
  fail(@Param('kind') kind: string): never {
    throw FAULTS[kind]();
  }
}

describe('the error filter maps the infrastructure out of reach to 503 (R5, R6)', () => {
  let app: INestApplication<Server>;

  beforeAll(async () => {
    // The audit trail is written only for refusals of access, which none of these is.
    const db = createDatabase('postgres://postgres@127.0.0.1:1/postgres', 'unused', 1);
    const module = await Test.createTestingModule({
      controllers: [FaultyController],
      providers: [
        {
          provide: AuditTrail,
          useValue: new AuditTrail(
            db,
            new SystemClock(),
            new ColumnCipher(new DataKey(randomBytes(32)), []),
          ),
        },
        { provide: Clock, useClass: SystemClock },
        AnonymousRefusals,
        { provide: NODE_CONFIG, useValue: { redis: { url: `redis://127.0.0.1:${REDIS_PORT}` } } },
        { provide: APP_FILTER, useClass: GatewayErrorFilter },
      ],
    }).compile();
    app = module.createNestApplication<INestApplication<Server>>({ logger: false });
    await app.init();
  });

  afterAll(() => app?.close());

  const answer = async (kind: string) => {
    const response = await request(app.getHttpServer()).get(`/fault/${kind}`);
    const body = response.body as { error: { code: string } };
    return {
      status: response.status,
      code: body.error.code,
      retryAfter: response.headers['retry-after'] as string | undefined,
    };
  };

  it.each([
    ['read-only', 'DATABASE_READ_ONLY', '30'],
    ['admin-shutdown', 'DATABASE_UNAVAILABLE', '5'],
    ['starting-up', 'DATABASE_UNAVAILABLE', '5'],
    ['too-many-connections', 'DATABASE_UNAVAILABLE', '5'],
    ['connection-lost', 'DATABASE_UNAVAILABLE', '5'],
    ['database-refused', 'DATABASE_UNAVAILABLE', '5'],
    ['redis-refused', 'QUEUE_UNAVAILABLE', '5'],
    ['redis-retries', 'QUEUE_UNAVAILABLE', '5'],
    ['register-unavailable', 'REGISTER_UNAVAILABLE', '5'],
  ])('%s: 503 %s, Retry-After %s', async (kind, code, retryAfter) => {
    expect(await answer(kind)).toEqual({ status: 503, code, retryAfter });
  });

  it('keeps anything else an internal error, saying nothing of it', async () => {
    for (const kind of ['unique-violation', 'bug']) {
      const response = await request(app.getHttpServer()).get(`/fault/${kind}`);
      expect(response.status).toBe(500);
      expect(response.body).toMatchObject({
        error: { code: 'INTERNAL_ERROR', message: 'internal error' },
      });
      expect(response.headers['retry-after']).toBeUndefined();
    }
  });
});
