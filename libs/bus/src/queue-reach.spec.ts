import { createServer } from 'node:net';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { ErrorCode, GatewayError } from '#libs/errors';
import { whileQueueReachable } from './queue-reach.js';
import { isRedisUnreachable } from './redis-faults.js';

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Redis out of reach (R5)', () => {
  it('fails a queue operation at once, or within its bound, instead of waiting for Redis', async () => {
    const connection = new Redis({
      host: '127.0.0.1',
      port: await deadPort(),
      maxRetriesPerRequest: null,
    });
    connection.on('error', () => undefined);
    const queue = new Queue('delivery', { connection });
    queue.on('error', () => undefined);
    try {
      const started = Date.now();
      const error: unknown = await whileQueueReachable(
        queue,
        () => queue.add('deliver', {}),
        300,
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe(ErrorCode.QUEUE_UNAVAILABLE);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      connection.disconnect();
      await queue.close().catch(() => undefined);
    }
  });

  it('reads ioredis giving up on a command as Redis unreachable', async () => {
    const redis = new Redis({
      host: '127.0.0.1',
      port: await deadPort(),
      maxRetriesPerRequest: 1,
      retryStrategy: () => 20,
    });
    redis.on('error', () => undefined);
    try {
      const error: unknown = await redis.get('x').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isRedisUnreachable(error)).toBe(true);
    } finally {
      redis.disconnect();
    }
    expect(isRedisUnreachable(new Error('Connection is closed.'))).toBe(true);
    expect(isRedisUnreachable(new Error('WRONGTYPE Operation against a key'))).toBe(false);
    expect(isRedisUnreachable(undefined)).toBe(false);
  });
});
