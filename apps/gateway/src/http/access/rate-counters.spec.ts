import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { RateCounters, trustedProxyCheck } from './rate-counters.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rate counters', () => {
  const prefix = `test-rate-counters-${randomBytes(4).toString('hex')}:`;
  let counters: RateCounters;

  afterAll(async () => {
    counters?.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts in Redis, shared by every process of the node, within a window', async () => {
    counters = new RateCounters({ url: REDIS_URL }, prefix);
    const other = new RateCounters({ url: REDIS_URL }, prefix);
    try {
      expect((await counters.increment('a', 60_000)).hits).toBe(1);
      expect((await other.increment('a', 60_000)).hits).toBe(2);
      const refund = await counters.increment('a', 60_000, -1);
      expect(refund.hits).toBe(1);
      expect(refund.msToExpire).toBeGreaterThan(59_000);
      expect((await other.peek('a')).hits).toBe(1);
      expect((await other.peek('never-counted')).hits).toBe(0);
    } finally {
      other.close();
    }
  });

  it('keeps limiting, in-process, while Redis cannot be reached (R5)', async () => {
    // A port that accepts and drops connections: Redis "down" without touching the shared one.
    const silent: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    let now = 1_000_000;
    const down = new RateCounters({ url: `redis://127.0.0.1:${port}` }, prefix, () => now);
    try {
      const hits: number[] = [];
      for (let i = 0; i < 5; i++) hits.push((await down.increment('k', 60_000)).hits);
      expect(hits).toEqual([1, 2, 3, 4, 5]);
      expect(await down.peek('k')).toEqual({ hits: 5, msToExpire: 60_000 });
      // A new window starts once the old one has passed.
      now += 60_001;
      expect((await down.increment('k', 60_000)).hits).toBe(1);
    } finally {
      down.close();
      silent.close();
    }
  });
});

describe('trusted proxies', () => {
  it('trusts exactly the listed addresses and blocks, IPv4-mapped forms included', () => {
    const trusted = trustedProxyCheck(['10.1.0.0/16', '192.0.2.7/32', '2001:db8::/32']);
    expect(trusted('10.1.200.3')).toBe(true);
    expect(trusted('::ffff:10.1.0.9')).toBe(true);
    expect(trusted('192.0.2.7')).toBe(true);
    expect(trusted('2001:db8:1::5')).toBe(true);
    expect(trusted('10.2.0.1')).toBe(false);
    expect(trusted('192.0.2.8')).toBe(false);
    expect(trusted('not an address')).toBe(false);
    expect(trustedProxyCheck([])('127.0.0.1')).toBe(false);
  });

  it('never trusts an address outside every listed block, whatever the address', () => {
    const trusted = trustedProxyCheck(['10.0.0.0/8']);
    fc.assert(
      fc.property(fc.ipV4(), (address) => {
        expect(trusted(address)).toBe(address.startsWith('10.'));
      }),
    );
  });
});
